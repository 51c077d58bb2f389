"""Kannel's DLR types and their canonical meaning.

``%d`` in a ``dlr-url`` is the type of one delivery report, one of the
``dlr-mask`` bits (Kannel user guide, "Delivery reports"):

* ``1`` delivered to the phone: ``delivered``;
* ``2`` non-delivered to the phone: a final failure. Every non-DELIVRD final
  SMPP state arrives as type 2 with the receipt text in ``%A``
  (vendor-facts-more.md, Corrections 2), so its ``stat`` word, passed as the
  code, refines it: ``EXPIRED`` is ``expired``, ``REJECTD`` ``rejected``,
  ``DELETED`` ``undelivered``/``cancelled``; ``UNDELIV``, any other word or none
  is ``undelivered``;
* ``4`` queued on the SMSC (buffered), ``8`` delivered to the SMSC (the submit
  was acknowledged) and ``32`` an SMSC intermediate notification: ``sent``,
  never ``delivered``;
* ``16`` non-delivered to the SMSC: the SMSC refused the submit, ``rejected``.
  For SMPP, ``%A`` then reads ``NACK/<command_status>/<text>``; the code
  passed is the command status (``0x0000000b``), which gives the reason for
  the few whose meaning is a reason (SMPP v3.4, Table 5-2).
"""

from __future__ import annotations

import functools

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status

__all__ = ["DOCUMENTED", "FAILURE_STATES", "NACK_REASONS", "TYPES", "UNMAPPED", "map_value"]

#: %d -> (canonical status, reason without a code, Kannel's meaning)
TYPES: dict[str, tuple[Status, Reason | None, str]] = {
    "1": (Status.DELIVERED, None, "Delivered to the phone"),
    "2": (Status.UNDELIVERED, Reason.UNKNOWN, "Non-delivered to the phone"),
    "4": (Status.SENT, None, "Queued on the SMSC (buffered)"),
    "8": (Status.SENT, None, "Delivered to the SMSC: the submit was acknowledged, not delivered"),
    "16": (Status.REJECTED, Reason.UNKNOWN, "Non-delivered to the SMSC: the SMSC rejected the submit"),
    "32": (Status.SENT, None, "SMSC intermediate notification"),
}

#: A type-2 receipt's stat word -> (status, reason, SMPP v3.4 Appendix B meaning)
FAILURE_STATES: dict[str, tuple[Status, Reason, str]] = {
    "EXPIRED": (Status.EXPIRED, Reason.EXPIRED, "Validity period expired"),
    "REJECTD": (Status.REJECTED, Reason.UNKNOWN, "Rejected by a delivery interface"),
    "DELETED": (Status.UNDELIVERED, Reason.CANCELLED, "Deleted in the SMSC"),
    "UNDELIV": (Status.UNDELIVERED, Reason.UNKNOWN, "Undeliverable"),
    "UNKNOWN": (Status.UNDELIVERED, Reason.UNKNOWN, "Reported as failed, state unknown to the SMSC"),
}

#: A type-16 NACK's SMPP command status (as a number) -> (reason, SMPP v3.4 Table 5-2 meaning)
NACK_REASONS: dict[int, tuple[Reason, str]] = {
    0x0B: (Reason.INVALID_NUMBER, "Invalid destination address"),
    0x50: (Reason.INVALID_NUMBER, "Invalid destination address TON"),
    0x51: (Reason.INVALID_NUMBER, "Invalid destination address NPI"),
    0x14: (Reason.RATE_LIMITED, "Message queue full"),
    0x58: (Reason.RATE_LIMITED, "Throttling error"),
    0x01: (Reason.CONTENT_REJECTED, "Message length is invalid"),
    0x0A: (Reason.CONFIGURATION, "Invalid source address"),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)


def _nack_code(code: str) -> int | None:
    text = code.strip().lower()
    digits = text[2:] if text.startswith("0x") else text
    if not digits or len(digits) > 8 or any(c not in "0123456789abcdef" for c in digits):
        return None
    return int(digits, 16)


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@functools.lru_cache(maxsize=1024, typed=True)
def map_value(status: str, code: str | None = None) -> MappedStatus:
    """The canonical meaning of a DLR type (``%d``) and, for type 2, the
    receipt's ``stat`` word or, for type 16, the NACK's command status. An
    unknown type is unmapped, never an error; an unknown code keeps the type's
    own meaning."""
    entry = TYPES.get(status.strip())
    if entry is None:
        return UNMAPPED
    canonical, reason, description = entry
    if code:
        if status.strip() == "2":
            failure = FAILURE_STATES.get(code.strip().upper())
            if failure is not None:
                return MappedStatus(failure[0], failure[1], MappingKind.EXACT, failure[2])
        elif status.strip() == "16":
            number = _nack_code(code)
            known = NACK_REASONS.get(number) if number is not None else None
            if known is not None:
                return MappedStatus(canonical, known[0], MappingKind.EXACT, known[1])
    return MappedStatus(canonical, reason, MappingKind.EXACT, description)


DOCUMENTED: tuple[DocumentedStatus, ...] = (
    tuple(
        DocumentedStatus(value, map_value(value), None, description)
        for value, (_, _, description) in TYPES.items()
    )
    + tuple(
        DocumentedStatus("2", map_value("2", word), word, description)
        for word, (_, _, description) in FAILURE_STATES.items()
    )
    + tuple(
        DocumentedStatus("16", map_value("16", f"0x{number:08x}"), f"0x{number:08x}", description)
        for number, (_, description) in NACK_REASONS.items()
    )
)
