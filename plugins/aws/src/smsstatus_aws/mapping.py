"""AWS End User Messaging SMS event types and their canonical meaning.

Source: AWS End User Messaging SMS user guide, "Event types" of configuration
sets (TEXT_*), and "Monitoring with Amazon EventBridge" (a TEXT_SUCCESSFUL
event with ``isFinal`` true is the final one: no handset receipt follows).

``TEXT_SUCCESSFUL`` means the carrier accepted the message: ``sent``, and not
final, unless the event says ``isFinal``, in which case AWS counts it as the
message's delivery and so does the plugin (``delivered``). ``TEXT_UNKNOWN`` is,
in AWS's words, a delivery failure whose cause is unknown: ``undelivered``,
not the canonical ``unknown``. When no final event has come within 72 hours,
AWS itself sends ``TEXT_UNKNOWN``.

``map_status(status, code)``: ``code`` ``"final"`` stands for ``isFinal`` true.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = [
    "DOCUMENTED",
    "FINAL_CODE",
    "MEANINGS_FINAL",
    "MEANINGS_NOT_FINAL",
    "TYPES",
    "UNMAPPED",
    "map_event",
    "map_value",
]

#: The map_status code that stands for isFinal true.
FINAL_CODE = "final"

#: eventType -> (canonical status, reason, AWS's description)
TYPES: dict[str, tuple[Status, Reason | None, str]] = {
    "TEXT_QUEUED": (Status.ACCEPTED, None, "Queued for sending"),
    "TEXT_PENDING": (Status.ACCEPTED, None, "Waiting for a carrier to accept it"),
    "TEXT_SUCCESSFUL": (Status.SENT, None, "Accepted by the carrier; a handset receipt may follow"),
    "TEXT_DELIVERED": (Status.DELIVERED, None, "Delivered to the recipient's device"),
    "TEXT_BLOCKED": (Status.REJECTED, Reason.BLOCKED, "The destination phone number is blocked"),
    "TEXT_TTL_EXPIRED": (Status.EXPIRED, Reason.EXPIRED, "Not delivered within its time to live"),
    "TEXT_CARRIER_UNREACHABLE": (
        Status.UNDELIVERED,
        Reason.CARRIER_ERROR,
        "The carrier could not be reached (transient)",
    ),
    "TEXT_UNREACHABLE": (
        Status.UNDELIVERED,
        Reason.UNREACHABLE,
        "The destination device is unreachable or off",
    ),
    "TEXT_INVALID": (Status.REJECTED, Reason.INVALID_NUMBER, "The destination phone number is invalid"),
    "TEXT_INVALID_MESSAGE": (Status.REJECTED, Reason.CONTENT_REJECTED, "The message body is invalid"),
    "TEXT_CARRIER_BLOCKED": (Status.REJECTED, Reason.BLOCKED, "The carrier blocked the message"),
    "TEXT_SPAM": (Status.REJECTED, Reason.SPAM_FILTERED, "The carrier blocked it as spam"),
    "TEXT_UNKNOWN": (
        Status.UNDELIVERED,
        Reason.UNKNOWN,
        "Delivery failed for an unknown reason (also sent after 72 h without a final event)",
    ),
    "TEXT_PROTECT_BLOCKED": (
        Status.REJECTED,
        Reason.BLOCKED,
        "Blocked by the account's SMS protect configuration",
    ),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)
_FINAL_SUCCESS = MappedStatus(
    Status.DELIVERED,
    None,
    MappingKind.EXACT,
    "Accepted by the carrier, and final: no handset receipt follows",
)


# Cached: every push maps one of a dozen types, and building the MappedStatus
# cost more than reading the rest of the event (MappedStatus is immutable).
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_event(event_type: str, is_final: bool) -> MappedStatus:
    """The canonical meaning of an event type (and its isFinal flag);
    unknown types are unmapped, never an error."""
    name = event_type.strip().upper()
    row = TYPES.get(name)
    if row is None:
        return UNMAPPED
    if name == "TEXT_SUCCESSFUL" and is_final:
        return _FINAL_SUCCESS
    canonical, reason, description = row
    return MappedStatus(canonical, reason, MappingKind.EXACT, description)


#: map_event's answer for every documented event type as AWS spells it, one dict
#: per isFinal: what the lean path reads first. A hit of the memoised map_event
#: costs 0.4-0.7 µs (its wrapper checks each argument), a dict lookup 0.05-0.08.
MEANINGS_NOT_FINAL: dict[str, MappedStatus] = {name: map_event(name, False) for name in TYPES}
MEANINGS_FINAL: dict[str, MappedStatus] = {name: map_event(name, True) for name in TYPES}


def map_value(status: str, code: str | None = None) -> MappedStatus:
    return map_event(status, (code or "").strip().lower() == FINAL_CODE)


DOCUMENTED: tuple[DocumentedStatus, ...] = (
    *(DocumentedStatus(value, map_value(value), None, text) for value, (_, _, text) in TYPES.items()),
    DocumentedStatus(
        "TEXT_SUCCESSFUL",
        map_value("TEXT_SUCCESSFUL", FINAL_CODE),
        FINAL_CODE,
        _FINAL_SUCCESS.description or "",
    ),
)
