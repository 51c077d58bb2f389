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
  passed is the command status (``0x0000000b``), looked up in core's SMPP
  table (SMPP v3.4 Table 5-2 and v5.0's additions), which gives the reason
  and the specification's description. Kannel writes a NACK only once it has
  given the message up: it re-queues the codes it takes as temporary
  (``gw/smsc/smsc_smpp.c``) and, when ``sms-resend-retry`` runs out, reports
  ``NACK/Retries Exceeded`` with no code. So every code in a NACK is a final
  refusal, whatever the code; an unlisted or unreadable code keeps type 16's
  own meaning, and the code stays verbatim in ``vendor_code``.
"""

from __future__ import annotations

from smsstatus.plugin import (
    COMMAND_STATUSES,
    DocumentedStatus,
    MappedStatus,
    MappingKind,
    Reason,
    Status,
    command_status,
    short_value_cache,
)

__all__ = ["DOCUMENTED", "FAILURE_STATES", "TYPES", "UNMAPPED", "map_value"]

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

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)


def _nack_code(code: str) -> int | None:
    """The command status of a NACK as a number: Kannel prints ``0x%08lx``;
    the bare hex digits are read too (``smsstatus map kannel 16 0000000b``)."""
    text = code.strip().lower()
    digits = text[2:] if text.startswith("0x") else text
    if not digits or len(digits) > 8 or any(c not in "0123456789abcdef" for c in digits):
        return None
    return int(digits, 16)


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_value(status: str, code: str | None = None) -> MappedStatus:
    """The canonical meaning of a DLR type (``%d``) and, for type 2, the
    receipt's ``stat`` word or, for type 16, the NACK's command status (core's
    SMPP table). An unknown type is unmapped, never an error; an unknown code
    keeps the type's own meaning."""
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
            known = command_status(number) if number is not None else None
            # ESME_ROK in a NACK contradicts the type: the type's verdict stands.
            if known is not None and not known.ok:
                return MappedStatus(canonical, known.reason, MappingKind.EXACT, known.description)
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
    # Every refusal SMPP defines: Kannel passes any command status through.
    + tuple(
        DocumentedStatus("16", map_value("16", entry.hex), entry.hex, f"{entry.name}: {entry.description}")
        for entry in COMMAND_STATUSES.values()
        if not entry.ok
    )
)
