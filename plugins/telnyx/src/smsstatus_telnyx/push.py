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

An outbound message's event whose every field reads without an error or a
warning takes the lean path (:func:`_lean`, with
:func:`.messages.lean_recipient_reports`); anything else, inbound messages
included, is read by the detailed path, which ``tests/test_fast_paths.py``
compares it with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smsstatus.plugin import (
    AuthenticationError,
    Channel,
    Credentials,
    CredentialsError,
    ItemError,
    NotAStatusError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    decode_json_object,
    fast_json,
    fast_path,
    identity_problem,
    new_push_result,
    parse_rfc3339,
)

from . import signature
from .messages import Context, Odd, lean_recipient_reports, lean_time, recipient_reports

__all__ = ["REPLY", "parse"]

REPLY = PushReply(status_code=200, content_type=None, body=b"")


# -- the lean path: a delivery event as documented, every field readable ---------------


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The reports of an outbound message event that reads without an error
    or a warning, else ``None``: :func:`parse` then reads it field by field."""
    public_key = credentials.optional(signature.CREDENTIAL)
    if public_key:
        try:
            signature.verify(vendor, request, public_key)  # the same check, before the body is read
        except (AuthenticationError, CredentialsError):
            return None  # the detailed path raises it again
    body = fast_json(request.body)  # whatever the Content-Type, as decode_json_object reads it
    if body.__class__ is not dict:
        return None
    data = body.get("data")
    if data.__class__ is not dict:
        return None
    event_id, event_type, payload = data.get("id"), data.get("event_type"), data.get("payload")
    if (
        event_id.__class__ is not str
        or identity_problem(event_id) is not None
        or event_type.__class__ is not str
        or payload.__class__ is not dict
        or event_type == "message.received"
        or payload.get("direction") == "inbound"
    ):
        return None  # inbound messages too: the detailed path answers them with an item error
    try:
        occurred_at = lean_time(data.get("occurred_at"))
        extra: dict[str, Any] = {"event_id": event_id, "event_type": event_type}
        attempt = _attempt(body)
        if attempt is not None:
            extra["attempt"] = attempt
        context = Context(
            channel=_PUSH,
            received_at=request.received_at,
            raw=body,
            extra=extra,
            status_at=occurred_at,
            notified_at=signature.sent_at(request),
        )
        reports = lean_recipient_reports(payload, context, vendor)
    except (Odd, ValueError, ArithmeticError):  # ArithmeticError: Decimal's InvalidOperation
        return None
    return new_push_result(tuple(reports), REPLY, ())


_PUSH = Channel.PUSH


@fast_path(_lean)
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
    attempt = _attempt(envelope.data)
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


def _attempt(envelope: Mapping[str, Any]) -> int | None:
    meta = envelope.get("meta")
    if not isinstance(meta, dict):
        return None
    value = meta.get("attempt")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
