"""Plivo's message states and error codes, and their canonical meaning.

States: the Message object's ``message_state`` and the callback's
``Status`` (plivo.com/docs/messaging/api/message/message-status-callbacks;
"The Message object"): queued, sent, failed (an internal error before any
carrier), delivered, undelivered (a carrier's negative receipt), read
(WhatsApp); ``rejected`` is in older docs and the list filter; ``received``
is inbound. Codes: plivo.com/docs/messaging/troubleshooting/error-codes.

``sent`` stays in flight: Plivo says "the final status of a message may
remain as sent in cases where delivery receipts are not received". A code
decides the reason of a failure and, for 420 (expired), the status.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = ["CODES", "DOCUMENTED", "SETTLED", "STATES", "UNMAPPED", "code_of", "map_value"]

#: value -> (canonical status, reason when no code explains it, Plivo's description)
STATES: dict[str, tuple[Status, Reason | None, str]] = {
    "queued": (Status.ACCEPTED, None, "Accepted by Plivo, queued for a carrier"),
    "sent": (Status.SENT, None, "Passed to a downstream carrier"),
    "delivered": (Status.DELIVERED, None, "The carrier's receipt confirmed delivery"),
    "read": (Status.DELIVERED, None, "Read by the recipient (WhatsApp)"),
    "undelivered": (Status.UNDELIVERED, Reason.UNKNOWN, "The carrier's receipt reported a failure"),
    "failed": (Status.REJECTED, Reason.UNKNOWN, "An internal error before the message reached a carrier"),
    "rejected": (Status.REJECTED, Reason.UNKNOWN, "Rejected (older docs and the list filter)"),
    "received": (Status.UNKNOWN, None, "An inbound message (not an outbound status)"),
}

#: code -> (reason, status the code overrides to or None, the state it comes with, Plivo's reason text)
CODES: dict[str, tuple[Reason, Status | None, str, str]] = {
    "10": (Reason.CONTENT_REJECTED, None, "undelivered", "Invalid Message"),
    "20": (Reason.CARRIER_ERROR, None, "undelivered", "Network Error"),
    "30": (Reason.SPAM_FILTERED, None, "undelivered", "Spam Detected"),
    "40": (Reason.CONFIGURATION, None, "failed", "Invalid Source Number"),
    "50": (Reason.INVALID_NUMBER, None, "failed", "Invalid Destination Number"),
    "60": (Reason.CARRIER_ERROR, None, "undelivered", "Loop Detected"),
    "70": (Reason.INVALID_NUMBER, None, "undelivered", "Destination Permanently Unavailable"),
    "80": (Reason.UNREACHABLE, None, "undelivered", "Destination Temporarily Unavailable"),
    "90": (Reason.UNSUPPORTED_DESTINATION, None, "undelivered", "No Route Available"),
    "100": (Reason.BLOCKED, None, "undelivered", "Prohibited by Carrier"),
    "110": (Reason.CONTENT_REJECTED, None, "undelivered", "Message Too Long"),
    "200": (Reason.OPTED_OUT, None, "failed", "Source number blocked by STOP from destination number"),
    "300": (Reason.CARRIER_ERROR, None, "failed", "Failed to dispatch message"),
    "420": (Reason.EXPIRED, Status.EXPIRED, "undelivered", "Message expired"),
    "450": (Reason.UNSUPPORTED_DESTINATION, None, "failed", "Destination country disabled"),
    "900": (Reason.INSUFFICIENT_FUNDS, None, "failed", "Insufficient Credit"),
    "910": (Reason.CONFIGURATION, None, "failed", "Account Disabled"),
    "1000": (Reason.UNKNOWN, None, "undelivered", "Unknown Error"),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)

_FAILURES = frozenset({Status.UNDELIVERED, Status.REJECTED})


def code_of(code: str | None) -> str | None:
    """The error code as a lookup key: blank and ``000`` (success) give ``None``;
    leading zeros are dropped (``010`` is ``10``)."""
    if code is None:
        return None
    text = code.strip()
    if not text:
        return None
    if text.isdigit():
        text = text.lstrip("0")
        return text or None
    return text


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_value(state: str, code: str | None = None) -> MappedStatus:
    """The canonical meaning of a Plivo state and error code; unknown states
    are unmapped (never an error)."""
    row = STATES.get(state) or STATES.get(state.strip().lower())
    if row is None:
        return UNMAPPED
    canonical, reason, description = row
    key = code_of(code)
    if key is not None and canonical in _FAILURES:
        known = CODES.get(key)
        if known is not None:
            return MappedStatus(known[1] or canonical, known[0], MappingKind.EXACT, known[3])
    return MappedStatus(canonical, reason, MappingKind.EXACT, description)


#: ``map_value``'s answer for each documented state that is not a failure, whose
#: meaning no error code changes: the lean path reads it with one dict lookup,
#: where the memo (``short_value_cache``, a Python wrapper round ``lru_cache``)
#: costs about 0.6 µs a call, a quarter of a ``json.loads`` of a GET callback.
SETTLED: dict[str, MappedStatus] = {
    state: map_value(state) for state, row in STATES.items() if row[0] not in _FAILURES
}

DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(value, map_value(value), None, description)
    for value, (_, _, description) in STATES.items()
) + tuple(
    DocumentedStatus(state, map_value(state, code), code, text) for code, (_, _, state, text) in CODES.items()
)
