"""Telnyx's messaging webhook (``message.sent``, ``message.finalized``) to
canonical reports.

Telnyx POSTs JSON to the message's ``webhook_url`` (then its failover URL,
then the messaging profile's; "Receiving Webhooks for Messaging")::

    {"data": {"record_type": "event", "id": <event id>, "event_type": "message.sent",
              "occurred_at": <ISO 8601>, "payload": {<the message>}},
     "meta": {"attempt": 1, "delivered_to": <url>}}

``data.id`` identifies the **event** (the same on every retry of it), not the
message: the message id is ``data.payload.id``. The event id goes to
``extra.event_id``, which the tracker uses to drop a retried event. Each
recipient (``to[]``, ``cc[]``) has its own status and becomes one report
(:mod:`.messages`); ``occurred_at`` is the status time, and the
``telnyx-timestamp`` header (when the webhook was sent) the notification time.

An inbound message (``message.received``, payload ``direction: inbound``) is
not a delivery status: it is acknowledged with a
:class:`~smsstatus.plugin.NotAStatusError` item naming the event type, so a
profile that sends both kinds to one URL gets its 200 and the receiver stores
nothing for it. Telnyx expects a 2xx within 2 seconds, else it retries and
fails over.
"""

from __future__ import annotations

from typing import Any

from smsstatus.plugin import (
    Channel,
    Credentials,
    ItemError,
    NotAStatusError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    decode_json_object,
    parse_rfc3339,
)

from . import signature
from .messages import Context, recipient_reports

__all__ = ["REPLY", "parse"]

REPLY = PushReply(status_code=200, content_type=None, body=b"")


def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    public_key = credentials.optional(signature.CREDENTIAL)
    if public_key:
        signature.verify(vendor, request, public_key)
    body = decode_json_object(vendor, request.body)
    envelope = Record(vendor, body)
    data = envelope.child("data")
    event_id = data.ident("id")
    event_type = data.string("event_type")
    payload = data.child("payload")
    direction = payload.get("direction")
    if direction == "inbound" or event_type == "message.received":
        skipped = NotAStatusError(vendor, data.at("event_type"), f"{event_type!r} is an inbound message")
        return PushResult(
            reports=(), reply=REPLY, errors=(ItemError(error=skipped, raw=body, index=None, key=event_id),)
        )
    occurred_at = data.time("occurred_at", parse_rfc3339, required=False)
    extra: dict[str, Any] = {"event_id": event_id, "event_type": event_type}
    attempt = _attempt(envelope)
    if attempt is not None:
        extra["attempt"] = attempt
    context = Context(
        channel=Channel.PUSH,
        received_at=request.received_at,
        raw=body,
        extra=extra,
        status_at=occurred_at,
        notified_at=signature.sent_at(request),
    )
    reports, errors = recipient_reports(payload, context)
    return PushResult(reports=tuple(reports), reply=REPLY, errors=tuple(errors))


def _attempt(envelope: Record) -> int | None:
    meta = envelope.get("meta")
    if not isinstance(meta, dict):
        return None
    value = meta.get("attempt")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
