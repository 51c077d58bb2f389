"""Twilio's message statuses and error codes, and their canonical meaning.

Statuses: the Message resource's ``status`` enum (Twilio OpenAPI
``MessageEnumStatus``; docs "Message resource", "Outbound Message Status in
Status Callbacks"). Error codes: the messaging codes of Twilio's error
dictionary (twilio.com/docs/api/errors) that describe why an outbound message
failed.

The status decides the canonical status; the error code, when the status is
a failure, decides the reason. ``sent`` stays in flight even though it is the
last status Twilio reports where a carrier sends no receipt ("Outbound
Message Status in Status Callbacks"): a consumer's timeout settles it.
``failed`` means the message never left Twilio, so it is ``rejected``;
``undelivered`` means a carrier reported a failure.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = ["CODES", "DOCUMENTED", "INBOUND", "SETTLED", "STATUSES", "UNMAPPED", "code_of", "map_value"]

#: value -> (canonical status, reason when no error code explains it, Twilio's description)
STATUSES: dict[str, tuple[Status, Reason | None, str]] = {
    "accepted": (Status.ACCEPTED, None, "A Messaging Service received the request and is choosing a sender"),
    "scheduled": (Status.SCHEDULED, None, "Scheduled by a Messaging Service for a later time"),
    "queued": (Status.ACCEPTED, None, "Queued at Twilio, waiting to be sent"),
    "sending": (Status.ACCEPTED, None, "Twilio is handing the message to the nearest upstream carrier"),
    "sent": (Status.SENT, None, "The nearest upstream carrier accepted the message"),
    "delivered": (Status.DELIVERED, None, "The carrier confirmed delivery to the handset"),
    "read": (Status.DELIVERED, None, "The recipient opened the message (WhatsApp, RCS)"),
    "undelivered": (Status.UNDELIVERED, Reason.UNKNOWN, "A carrier reported the message as not delivered"),
    "failed": (Status.REJECTED, Reason.UNKNOWN, "The message could not be sent; it never left Twilio"),
    "canceled": (Status.REJECTED, Reason.CANCELLED, "A scheduled message was canceled before sending"),
    "partially_delivered": (
        Status.UNKNOWN,
        None,
        "Some, not all, parts or recipients were delivered (Twilio does not say which)",
    ),
    "receiving": (Status.UNKNOWN, None, "An inbound message is being received (not an outbound status)"),
    "received": (Status.UNKNOWN, None, "An inbound message was received (not an outbound status)"),
}

#: Statuses of incoming messages: a push carrying one is an incoming message's
#: webhook, no delivery status (acknowledged with a NotAStatusError item).
INBOUND = frozenset({"receiving", "received"})

#: error code -> (reason, the status it comes with, Twilio's title for the code)
CODES: dict[str, tuple[Reason, str, str]] = {
    "21211": (Reason.INVALID_NUMBER, "failed", "Invalid 'To' Phone Number"),
    "21408": (
        Reason.UNSUPPORTED_DESTINATION,
        "failed",
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
    ),
    "21610": (Reason.OPTED_OUT, "failed", "Attempt to send to unsubscribed recipient"),
    "21612": (
        Reason.UNSUPPORTED_DESTINATION,
        "failed",
        "The 'To' phone number is not currently reachable via SMS",
    ),
    "21614": (Reason.INVALID_NUMBER, "failed", "'To' number is not a valid mobile number"),
    "30001": (Reason.RATE_LIMITED, "failed", "Queue overflow"),
    "30002": (Reason.CONFIGURATION, "failed", "Account suspended"),
    "30003": (Reason.UNREACHABLE, "undelivered", "Unreachable destination handset"),
    "30004": (Reason.BLOCKED, "undelivered", "Message blocked"),
    "30005": (Reason.INVALID_NUMBER, "undelivered", "Unknown destination handset"),
    "30006": (Reason.INVALID_NUMBER, "undelivered", "Landline or unreachable carrier"),
    "30007": (Reason.SPAM_FILTERED, "undelivered", "Message filtered (carrier violation)"),
    "30008": (Reason.UNKNOWN, "undelivered", "Unknown error"),
    "30009": (Reason.CARRIER_ERROR, "undelivered", "Missing segment"),
    "30010": (Reason.CONFIGURATION, "failed", "Message price exceeds max price"),
    "30011": (
        Reason.UNSUPPORTED_DESTINATION,
        "undelivered",
        "MMS not supported by the receiving phone number in this region",
    ),
    "30017": (Reason.CARRIER_ERROR, "undelivered", "Carrier network congestion"),
    "30018": (Reason.CONFIGURATION, "undelivered", "Destination carrier requires sender ID pre-registration"),
    "30019": (Reason.CONTENT_REJECTED, "undelivered", "Content size exceeds carrier limit"),
    "30022": (Reason.RATE_LIMITED, "undelivered", "US A2P 10DLC - Rate Limits Exceeded"),
    "30023": (Reason.RATE_LIMITED, "undelivered", "US A2P 10DLC - Daily Message Cap Reached"),
    "30024": (Reason.CONFIGURATION, "undelivered", "Numeric Sender ID Not Provisioned on Carrier"),
    "30027": (Reason.RATE_LIMITED, "undelivered", "US A2P 10DLC - T-Mobile Daily Message Limit Reached"),
    "30032": (Reason.CONFIGURATION, "undelivered", "Toll-Free Number Has Not Been Verified"),
    "30034": (Reason.CONFIGURATION, "undelivered", "US A2P 10DLC - Message from an Unregistered Number"),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)

_FAILURES = frozenset({Status.UNDELIVERED, Status.REJECTED})


def code_of(code: str | None) -> str | None:
    """The error code as a lookup key: blank and ``0`` (no error) give ``None``."""
    if code is None:
        return None
    text = code.strip()
    return None if text in ("", "0") else text


# Cached: every callback maps a status (and code), and building the MappedStatus
# was a tenth of a lean push; the answer is immutable and depends on the two
# strings only. Bounded, since the values come from the vendor.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_value(status: str, code: str | None = None) -> MappedStatus:
    """The canonical meaning of a Twilio status and error code.

    Unknown statuses are unmapped (never an error); an unknown error code on a
    failure keeps the status's own reason.
    """
    row = STATUSES.get(status) or STATUSES.get(status.strip().lower())
    if row is None:
        return UNMAPPED
    canonical, reason, description = row
    key = code_of(code)
    if key is not None and canonical in _FAILURES:
        known = CODES.get(key)
        if known is not None:
            return MappedStatus(canonical, known[0], MappingKind.EXACT, known[2])
    return MappedStatus(canonical, reason, MappingKind.EXACT, description)


#: ``map_value``'s answer for each documented outbound status that is not a
#: failure, whose meaning no error code changes: the lean path reads it with one
#: dict lookup (which also tells it the status is not an inbound one), where the
#: memo (``short_value_cache``, a Python wrapper round ``lru_cache``) and the
#: folded inbound check cost about 0.5 µs, a quarter of a ``json.loads`` of a
#: callback.
SETTLED: dict[str, MappedStatus] = {
    status: map_value(status)
    for status, row in STATUSES.items()
    if row[0] not in _FAILURES and status not in INBOUND
}

#: Every documented status (without code) and every documented code (with the
#: status it comes with): what ``map_status`` must answer for each.
DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(value, map_value(value), None, description)
    for value, (_, _, description) in STATUSES.items()
) + tuple(
    DocumentedStatus(status, map_value(status, code), code, title)
    for code, (_, status, title) in CODES.items()
)
