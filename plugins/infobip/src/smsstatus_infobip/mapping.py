"""Infobip's two-level statuses and error codes, and their canonical meaning.

Infobip reports a **status** (group id/name, then a detailed id/name, e.g.
group 3 ``DELIVERED``, status 5 ``DELIVERED_TO_HANDSET``) and an **error**
(group, id, name, ``permanent``). Finality follows the detailed status, never
the group: ``DELIVERED_TO_OPERATOR`` sits in the DELIVERED group but only means
the operator took the message, so it is ``sent``. ``SIGNALS_BLOCKED`` appears
in both the EXPIRED and the REJECTED groups: the group the report carries
decides. A detailed status the table does not know falls back to its group
(``vendor_default``); where the group is unknown too it is ``unmapped``.

The reason comes from the error where Infobip's error id says more than the
status (an absent subscriber, an opt-out, a spam filter), else from the status.
Values match case-insensitively after trimming blanks; the raw values are kept
by the callers. Sources: https://www.infobip.com/docs/essentials/response-status-and-error-codes
(status and error tables) and ``docs/vendors/infobip.md``.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status

__all__ = [
    "DOCUMENTED",
    "GROUPS",
    "STATUSES",
    "ERROR_REASONS",
    "map_value",
    "map_report",
]

#: Status group id -> (name, what an unknown status of the group means).
GROUPS: dict[int, tuple[str, Status]] = {
    1: ("PENDING", Status.ACCEPTED),
    2: ("UNDELIVERABLE", Status.UNDELIVERED),
    # Conservative: the DELIVERED group also holds the intermediate DELIVERED_TO_OPERATOR.
    3: ("DELIVERED", Status.SENT),
    4: ("EXPIRED", Status.EXPIRED),
    5: ("REJECTED", Status.REJECTED),
}

_GROUP_BY_NAME = {name: group for group, (name, _) in GROUPS.items()}

#: (name, id, group, canonical status, reason, Infobip's description)
_ROWS: tuple[tuple[str, int, int, Status, Reason | None, str], ...] = (
    ("PENDING_ACCEPTED", 26, 1, Status.ACCEPTED, None, "Message accepted, pending further processing"),
    ("PENDING_ENROUTE", 7, 1, Status.SENT, None, "Message sent to the next instance"),
    (
        "PENDING_WAITING_DELIVERY",
        3,
        1,
        Status.SENT,
        None,
        "Message sent to the operator, waiting for the delivery report",
    ),
    (
        "UNDELIVERABLE_REJECTED_OPERATOR",
        4,
        2,
        Status.UNDELIVERED,
        Reason.CARRIER_ERROR,
        "Message rejected by the operator",
    ),
    (
        "UNDELIVERABLE_NOT_DELIVERED",
        9,
        2,
        Status.UNDELIVERED,
        Reason.CARRIER_ERROR,
        "Message sent, not delivered",
    ),
    ("UNDELIVERABLE_NOT_SENT", 31, 2, Status.REJECTED, Reason.UNKNOWN, "Message not sent to the operator"),
    (
        "DELIVERED_TO_OPERATOR",
        2,
        3,
        Status.SENT,
        None,
        "Delivered to the operator; no handset confirmation (intermediate)",
    ),
    ("DELIVERED_TO_HANDSET", 5, 3, Status.DELIVERED, None, "Message delivered to handset"),
    ("EXPIRED_EXPIRED", 15, 4, Status.EXPIRED, Reason.EXPIRED, "Message expired before delivery"),
    (
        "EXPIRED_DLR_UNKNOWN",
        29,
        4,
        Status.UNKNOWN,
        Reason.UNKNOWN,
        "Validity ended without a delivery report: outcome unknown",
    ),
    (
        "REJECTED_NETWORK",
        6,
        5,
        Status.REJECTED,
        Reason.UNSUPPORTED_DESTINATION,
        "Network not enabled or not covered",
    ),
    ("REJECTED_PREFIX_MISSING", 8, 5, Status.REJECTED, Reason.INVALID_NUMBER, "Number prefix not recognised"),
    ("REJECTED_DND", 10, 5, Status.REJECTED, Reason.OPTED_OUT, "Recipient is on a do-not-disturb list"),
    ("REJECTED_SOURCE", 11, 5, Status.REJECTED, Reason.CONFIGURATION, "Sender (source) not allowed"),
    (
        "REJECTED_NOT_ENOUGH_CREDITS",
        12,
        5,
        Status.REJECTED,
        Reason.INSUFFICIENT_FUNDS,
        "Account has not enough credit",
    ),
    ("REJECTED_SENDER", 13, 5, Status.REJECTED, Reason.CONFIGURATION, "Sender id blocked or not registered"),
    (
        "REJECTED_DESTINATION_BLOCKLISTED",
        14,
        5,
        Status.REJECTED,
        Reason.BLOCKED,
        "Destination number is blocklisted",
    ),
    (
        "REJECTED_ROUTE_NOT_AVAILABLE",
        19,
        5,
        Status.REJECTED,
        Reason.UNSUPPORTED_DESTINATION,
        "No route available for this destination",
    ),
    (
        "REJECTED_FLOODING_FILTER",
        20,
        5,
        Status.REJECTED,
        Reason.RATE_LIMITED,
        "Too many messages to the same destination",
    ),
    ("REJECTED_SYSTEM_ERROR", 21, 5, Status.REJECTED, Reason.UNKNOWN, "Infobip system error"),
    (
        "REJECTED_MESSAGE_TOO_LONG",
        25,
        5,
        Status.REJECTED,
        Reason.CONTENT_REJECTED,
        "Message longer than allowed",
    ),
    ("MISSING_TO", 51, 5, Status.REJECTED, Reason.INVALID_NUMBER, "No destination number"),
    (
        "REJECTED_DESTINATION",
        52,
        5,
        Status.REJECTED,
        Reason.UNSUPPORTED_DESTINATION,
        "Destination rejected",
    ),
    (
        "SIGNALS_BLOCKED",
        87,
        5,
        Status.REJECTED,
        Reason.BLOCKED,
        "Blocked by a signalling firewall (EXPIRED or REJECTED group: the report's group decides)",
    ),
)

#: Upper-cased status name -> (status id, group id, canonical meaning).
STATUSES: dict[str, tuple[int, int, MappedStatus]] = {
    name: (status_id, group, MappedStatus(status, reason, MappingKind.EXACT, description))
    for name, status_id, group, status, reason, description in _ROWS
}

#: Error id -> (error name, the reason it gives). Only where the error says
#: more than the status does.
ERROR_REASONS: dict[str, tuple[str, Reason]] = {
    "27": ("EC_ABSENT_SUBSCRIBER", Reason.UNREACHABLE),
    "603": ("EC_CONTENT_BLOCKED", Reason.OPTED_OUT),
    "607": ("EC_SPAM", Reason.SPAM_FILTERED),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)

DOCUMENTED: tuple[DocumentedStatus, ...] = (
    *(
        DocumentedStatus(name, mapped, None, mapped.description or "")
        for name, (_, _, mapped) in STATUSES.items()
    ),
    *(
        DocumentedStatus(
            "UNDELIVERABLE_NOT_DELIVERED",
            MappedStatus(Status.UNDELIVERED, reason, MappingKind.EXACT, f"error {code} {name}"),
            code,
            f"error {code} {name}",
        )
        for code, (name, reason) in ERROR_REASONS.items()
    ),
)


def _with_error(mapped: MappedStatus, error_id: str | None) -> MappedStatus:
    if error_id is None or not mapped.status.final or mapped.status is Status.DELIVERED:
        return mapped
    found = ERROR_REASONS.get(error_id.strip())
    if found is None:
        return mapped
    name, reason = found
    return MappedStatus(mapped.status, reason, mapped.mapping, f"error {error_id.strip()} {name}")


def map_report(name: str | None, group_id: int | None, error_id: str | None) -> MappedStatus:
    """The meaning of one report's status: the detailed name first, then the group."""
    key = (name or "").strip().upper()
    row = STATUSES.get(key)
    if row is not None:
        mapped = row[2]
        if key == "SIGNALS_BLOCKED" and group_id == 4:
            mapped = MappedStatus(Status.EXPIRED, Reason.BLOCKED, MappingKind.EXACT, mapped.description)
        return _with_error(mapped, error_id)
    group = GROUPS.get(group_id) if group_id is not None else None
    if group is None and key:
        prefix = key.split("_", 1)[0]
        found = _GROUP_BY_NAME.get(prefix)
        group = GROUPS[found] if found is not None else None
    if group is None:
        return UNMAPPED
    default = MappedStatus(
        group[1],
        Reason.UNKNOWN if group[1].final else None,
        MappingKind.VENDOR_DEFAULT,
        f"unknown status in Infobip's {group[0]} group",
    )
    return _with_error(default, error_id)


def map_value(status: str, code: str | None) -> MappedStatus:
    """``map_status``: ``status`` is the detailed status name, ``code`` the error id."""
    return map_report(status, None, code)
