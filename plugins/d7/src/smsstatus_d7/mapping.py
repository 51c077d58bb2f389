"""D7's status values and their canonical meaning.

D7 documents seven values on its Get Status page and, on its Receiving DLR
page, the failure spelled both ``un_delivered`` and ``undelivered`` (two
snapshots of the same page). Values are matched case-insensitively (after
trimming blanks); the raw value is kept verbatim by the callers. D7 states no
finality: the failures are taken as final (see docs/vendors/d7.md).
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status

__all__ = ["DOCUMENTED", "TABLE", "UNMAPPED", "map_value"]

#: (value, canonical status, reason, D7's own description)
_ROWS: tuple[tuple[str, Status, Reason | None, str], ...] = (
    ("delivered", Status.DELIVERED, None, "Delivered to destination and confirmed"),
    ("sent", Status.SENT, None, "Was sent to telecom and is awaiting acknowledgement"),
    ("scheduled", Status.SCHEDULED, None, "Message scheduled"),
    ("un_delivered", Status.UNDELIVERED, Reason.UNKNOWN, "Failed delivery"),
    ("undelivered", Status.UNDELIVERED, Reason.UNKNOWN, "Failed delivery (DLR page spelling)"),
    ("not_reachable", Status.UNDELIVERED, Reason.UNREACHABLE, "Recipient is not reachable"),
    ("spam_content", Status.REJECTED, Reason.SPAM_FILTERED, "SMS Content is identified Spam"),
    (
        "insufficient_credit",
        Status.REJECTED,
        Reason.INSUFFICIENT_FUNDS,
        "User does not have enough credit",
    ),
)

#: Lower-cased D7 value -> canonical meaning.
TABLE: dict[str, MappedStatus] = {
    value: MappedStatus(status, reason, MappingKind.EXACT, description)
    for value, status, reason, description in _ROWS
}

#: Every documented value with what ``map_status`` must answer for it.
DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(value, TABLE[value], None, description) for value, _, _, description in _ROWS
)

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)


def map_value(value: str) -> MappedStatus:
    """The canonical meaning of one D7 status value; unknown values are unmapped."""
    found = TABLE.get(value)
    if found is not None:
        return found
    return TABLE.get(value.strip().lower(), UNMAPPED)
