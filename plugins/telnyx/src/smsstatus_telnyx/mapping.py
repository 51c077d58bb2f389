"""Telnyx's per-recipient message statuses and delivery error codes, and their
canonical meaning.

Statuses: ``to[].status`` of an outbound message (Telnyx API reference,
"Delivery update" callback and the message object; team-telnyx/telnyx-python
``messaging_outbound_message_payload.py``): queued, sending, sent, delivered,
sending_failed, delivery_failed, delivery_unconfirmed, expired; inbound
messages show ``webhook_delivered``. The terminal event is
``message.finalized``.

Codes: the delivery errors (40xxx) of "Messaging Error Code Reference"
(developers.telnyx.com/docs/messaging/messages/error-codes) and 40300 ("Blocked
due to STOP message", developers.telnyx.com/api/errors/40300). A code decides
the reason of a failure and, for the two expiry codes, the status.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = ["CODES", "DOCUMENTED", "MAX_RECIPIENTS", "STATUSES", "UNMAPPED", "map_value"]

#: More recipients than any Telnyx message has (a group MMS takes about ten):
#: a longer list is refused before any recipient is read.
MAX_RECIPIENTS = 100

#: value -> (canonical status, reason when no code explains it, Telnyx's description)
STATUSES: dict[str, tuple[Status, Reason | None, str]] = {
    "queued": (Status.ACCEPTED, None, "Queued at Telnyx"),
    "sending": (Status.ACCEPTED, None, "Being sent to the carrier"),
    "sent": (Status.SENT, None, "Sent to the carrier, no receipt yet"),
    "delivered": (Status.DELIVERED, None, "The carrier confirmed delivery"),
    "sending_failed": (Status.REJECTED, Reason.UNKNOWN, "Telnyx could not send the message to a carrier"),
    "delivery_failed": (Status.UNDELIVERED, Reason.UNKNOWN, "The carrier reported a delivery failure"),
    "delivery_unconfirmed": (
        Status.UNKNOWN,
        None,
        "Final without a receipt: delivery can be neither confirmed nor denied",
    ),
    "expired": (Status.EXPIRED, Reason.EXPIRED, "The validity period ended before delivery"),
    "webhook_delivered": (
        Status.UNKNOWN,
        None,
        "An inbound message delivered to your webhook (not an outbound status)",
    ),
}

#: code -> (reason, status the code overrides to or None, the status it comes with, Telnyx's title)
CODES: dict[str, tuple[Reason, Status | None, str, str]] = {
    "40001": (Reason.INVALID_NUMBER, None, "delivery_failed", "Not routable"),
    "40002": (Reason.SPAM_FILTERED, None, "delivery_failed", "Blocked as spam - temporary"),
    "40003": (Reason.SPAM_FILTERED, None, "delivery_failed", "Blocked as spam - permanent"),
    "40004": (Reason.CARRIER_ERROR, None, "delivery_failed", "Rejected by destination"),
    "40005": (Reason.EXPIRED, Status.EXPIRED, "delivery_failed", "Message expired during transmission"),
    "40006": (Reason.CARRIER_ERROR, None, "delivery_failed", "Recipient server unavailable"),
    "40007": (Reason.CARRIER_ERROR, None, "delivery_failed", "Loop detected"),
    "40008": (Reason.UNKNOWN, None, "delivery_failed", "Undeliverable"),
    "40009": (Reason.CONTENT_REJECTED, None, "delivery_failed", "Invalid message body"),
    "40011": (Reason.RATE_LIMITED, None, "delivery_failed", "Too many requests"),
    "40012": (Reason.INVALID_NUMBER, None, "delivery_failed", "Invalid messaging destination number"),
    "40013": (Reason.CONFIGURATION, None, "delivery_failed", "Invalid messaging source number"),
    "40014": (Reason.EXPIRED, Status.EXPIRED, "sending_failed", "Expired in queue"),
    "40015": (Reason.SPAM_FILTERED, None, "sending_failed", "Internal spam filter"),
    "40300": (Reason.OPTED_OUT, None, "sending_failed", "Blocked due to STOP message"),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)

_FAILURES = frozenset({Status.UNDELIVERED, Status.REJECTED, Status.EXPIRED})


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_value(status: str, code: str | None = None) -> MappedStatus:
    """The canonical meaning of a recipient's status and the message's error
    code; unknown statuses are unmapped (never an error)."""
    row = STATUSES.get(status) or STATUSES.get(status.strip().lower())
    if row is None:
        return UNMAPPED
    canonical, reason, description = row
    key = code.strip() if code else None
    if key and canonical in _FAILURES:
        known = CODES.get(key)
        if known is not None:
            return MappedStatus(known[1] or canonical, known[0], MappingKind.EXACT, known[3])
    return MappedStatus(canonical, reason, MappingKind.EXACT, description)


DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(value, map_value(value), None, description)
    for value, (_, _, description) in STATUSES.items()
) + tuple(
    DocumentedStatus(status, map_value(status, code), code, title)
    for code, (_, _, status, title) in CODES.items()
)
