"""Sinch's delivery-report callbacks to canonical reports.

Sinch POSTs JSON to the batch's ``callback_url`` (or the service plan's
default) according to the batch's ``delivery_report`` setting: ``summary`` and
``full`` send one batch report (``type: delivery_report_sms``), ``per_recipient``
and ``per_recipient_final`` one report per recipient and status
(``recipient_delivery_report_sms``); MMS has the same shapes with ``_mms``.

What each becomes (:mod:`.reports`):

* per-recipient report: one canonical report;
* ``full`` batch report: one report per listed recipient;
* ``summary`` batch report: **no report**. It carries counts per status and
  code, but names no recipient, so it says nothing about any one message. It
  is acknowledged (200) with a :class:`~smsstatus.plugin.NotAStatusError`
  item, so the receiver stores nothing for it, and the messages' statuses come
  from per-recipient callbacks or from fetching the batch's full report;
* an inbound message (``mo_text``, ``mo_binary``, ``mo_media``) sent to the
  same URL: acknowledged with a ``NotAStatusError`` item (not a delivery
  status).

Sinch expects a 2xx; it retries 5xx and 429 (backing off for about 23 hours)
and never retries another 4xx, so a body this plugin cannot read at all is
refused (400) and kept as a dead letter by the receiver.
"""

from __future__ import annotations

from smsstatus.plugin import (
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
    new_push_result,
)

from . import signature
from .reports import batch_reports, is_summary, lean_batch_reports, lean_recipient_report, recipient_report

__all__ = ["REPLY", "parse"]

REPLY = PushReply(status_code=200, content_type=None, body=b"")

_RECIPIENT = frozenset({"recipient_delivery_report_sms", "recipient_delivery_report_mms"})
_BATCH = frozenset({"delivery_report_sms", "delivery_report_mms"})
_INBOUND = frozenset({"mo_text", "mo_binary", "mo_media"})


def _authenticate(vendor: str, request: PushRequest, credentials: Credentials) -> None:
    secret = credentials.optional("webhook_secret")
    password = credentials.optional("basic_password")
    username = credentials.optional("basic_username")
    if username and not password:
        raise CredentialsError(vendor, "basic_password", "is required when basic_username is configured")
    if password:
        signature.verify_basic(vendor, request, username, password)
    if secret:
        signature.verify_hmac(vendor, request, secret)


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """An unauthenticated per-recipient or full batch report in the documented
    shape, else ``None`` for :func:`parse` (which checks credentials, answers
    summaries and inbound messages, and explains)."""
    # The Content-Type is not looked at: the detailed path reads any body as
    # JSON too, and the header lookup cost more than the rest of a check.
    if len(credentials):
        return None
    body = fast_json(request.body)
    if body.__class__ is not dict:
        return None
    kind = body.get("type")
    if kind.__class__ is not str:
        return None
    if kind in _RECIPIENT:
        report = lean_recipient_report(vendor, body, request.received_at)
        return None if report is None else new_push_result((report,), REPLY, ())
    if kind in _BATCH:
        reports = lean_batch_reports(vendor, body, request.received_at)
        return None if reports is None else new_push_result(reports, REPLY, ())
    return None


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    _authenticate(vendor, request, credentials)
    body = decode_json_object(vendor, request.body)
    record = Record(vendor, body)
    kind = record.string("type")
    if kind in _RECIPIENT:
        report = recipient_report(record, channel=Channel.PUSH, received_at=request.received_at)
        return PushResult(reports=(report,), reply=REPLY)
    if kind in _BATCH:
        batch_id = record.ident("batch_id")
        if is_summary(record):
            summary = NotAStatusError(
                vendor, "$.statuses", "a summary delivery report carries counts, not per-recipient statuses"
            )
            return PushResult(
                reports=(),
                reply=REPLY,
                errors=(ItemError(error=summary, raw=body, index=None, key=batch_id),),
            )
        reports, errors = batch_reports(record, channel=Channel.PUSH, received_at=request.received_at)
        return PushResult(reports=tuple(reports), reply=REPLY, errors=tuple(errors))
    if kind in _INBOUND:
        inbound = NotAStatusError(vendor, "$.type", f"{kind!r} is an inbound message")
        key = body.get("id") if isinstance(body.get("id"), str) else None
        return PushResult(
            reports=(), reply=REPLY, errors=(ItemError(error=inbound, raw=body, index=None, key=key),)
        )
    raise record.error("type", f"{kind!r} is not a Sinch delivery report type")
