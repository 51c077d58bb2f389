"""InnoPaaS status values and their canonical meaning.

InnoPaaS documents one rule: ``DELIVRD`` means delivered, "all others are
failures". It publishes no status-code table (the page's "status report codes"
link leads nowhere), so every other value is a final failure: the SMPP v3.4
``stat`` words the platform relays are refined from their SMPP meaning (an
``exact`` mapping), anything else gets the vendor's default rule
(``vendor_default``: undelivered, reason unknown). Only a blank value, which is
no status at all, is ``unmapped``. Values are matched case-insensitively after
trimming blanks; callers keep the raw value verbatim.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status

__all__ = ["DOCUMENTED", "TABLE", "DEFAULT", "UNMAPPED", "map_value"]

#: (value, canonical status, reason, why)
_ROWS: tuple[tuple[str, Status, Reason | None, str], ...] = (
    ("DELIVRD", Status.DELIVERED, None, "delivered successfully (InnoPaaS's only success value)"),
    ("UNDELIV", Status.UNDELIVERED, Reason.UNKNOWN, "SMPP: undeliverable; no cause given"),
    ("EXPIRED", Status.EXPIRED, Reason.EXPIRED, "SMPP: validity period expired before delivery"),
    ("REJECTD", Status.REJECTED, Reason.UNKNOWN, "SMPP: rejected by a delivery interface; no cause given"),
    ("DELETED", Status.UNDELIVERED, Reason.CANCELLED, "SMPP: deleted in the SMSC before delivery"),
    (
        "UNKNOWN",
        Status.UNDELIVERED,
        Reason.UNKNOWN,
        "SMPP: state unknown; a failure by InnoPaaS's rule (InnoPaaS pushes no later report)",
    ),
)

#: Upper-cased InnoPaaS value -> canonical meaning.
TABLE: dict[str, MappedStatus] = {
    value: MappedStatus(status, reason, MappingKind.EXACT, why) for value, status, reason, why in _ROWS
}

#: InnoPaaS's own catch-all: anything but DELIVRD is a failure.
DEFAULT = MappedStatus(
    Status.UNDELIVERED,
    Reason.UNKNOWN,
    MappingKind.VENDOR_DEFAULT,
    "InnoPaaS: every status other than DELIVRD is a failure",
)

#: A blank value: no status at all, so the vendor's rule cannot apply.
UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)

#: Every value with a row of its own, and what ``map_status`` must answer for it.
DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(value, TABLE[value], None, why) for value, _, _, why in _ROWS
)


def map_value(value: str) -> MappedStatus:
    """The canonical meaning of one InnoPaaS status value; never raises."""
    found = TABLE.get(value)
    if found is not None:
        return found
    key = value.strip().upper()
    if not key:
        return UNMAPPED
    return TABLE.get(key, DEFAULT)
