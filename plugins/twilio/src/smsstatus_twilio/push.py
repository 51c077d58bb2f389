"""Twilio's message status callback to a canonical report.

Twilio POSTs ``application/x-www-form-urlencoded`` to the message's
``StatusCallback`` (or its Messaging Service's) on every status change after
the first ("Outbound Message Status in Status Callbacks"); a TwiML
``<Message action=... method="GET">`` gets the same fields in the query. One
request carries one report:

* ``MessageSid`` (legacy duplicate ``SmsSid``) is the message id,
  ``MessageStatus`` (legacy ``SmsStatus``) the status, ``ErrorCode`` the
  error (only on ``failed``/``undelivered``, absent otherwise);
* ``To``/``From``, ``AccountSid``, ``MessagingServiceSid``, ``ApiVersion``;
* ``RawDlrDoneDate`` (``delivered``/``undelivered`` with a carrier receipt
  only): the carrier's done date, ``YYMMDDhhmm`` with **no time zone** ("the
  timezone offset varies between carrier partners and even within the same
  carrier", changelog 2023-02-14). It is never read as an instant: it goes to
  ``extra.dlr_done_local`` as a zone-less ISO time and stays in ``raw``.

There is no event time, price, segment count or network in a callback
(``status_at`` is null); fetch the Message resource for them. Twilio accepts
any 2xx answer and ignores its body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smsstatus.plugin import (
    FORM_TYPES,
    Channel,
    Credentials,
    ItemError,
    NotAStatusError,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    callback_params,
    fast_callback_fields,
    fast_path,
    identity_problem,
    new_push_result,
    new_report,
    to_e164,
)

from . import signature
from .mapping import CODES, INBOUND, SETTLED, code_of, map_value

__all__ = ["REPLY", "parse", "dlr_done_local"]

#: Twilio needs any 2xx; it reads no body.
REPLY = PushReply(status_code=200, content_type=None, body=b"")


# -- the lean path: an unsigned callback in the documented shape -----------------------

_PUSH = Channel.PUSH


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The report of an unsigned status callback (form or query), else ``None``
    for :func:`parse` (which checks signatures and explains)."""
    if len(credentials):
        return None
    data = fast_callback_fields(request)
    if data is None:
        return None
    get = data.get
    message_id = get("MessageSid") or get("SmsSid")  # the current name, else its legacy duplicate
    status = get("MessageStatus") or get("SmsStatus")
    if message_id is None or identity_problem(message_id) is not None or status is None or not status.strip():
        return None
    code = get("ErrorCode") or None
    mapped = SETTLED.get(status)  # a documented outbound status, the usual case
    if mapped is None:
        if status.strip().lower() in INBOUND:
            return None  # an incoming message: the detailed path acknowledges it
        mapped = map_value(status, code)
    recipient_raw = get("To") or None
    extra: dict[str, Any] = {}
    account, service, raw_done = get("AccountSid"), get("MessagingServiceSid"), get("RawDlrDoneDate")
    if account:
        extra["account_sid"] = account
    if service:
        extra["messaging_service_sid"] = service
    if raw_done:
        extra["dlr_done_local"] = dlr_done_local(raw_done)
    known = None if code is None else CODES.get(code_of(code) or "")
    report = new_report(
        vendor,
        message_id,
        None,  # batch_id
        None if recipient_raw is None else to_e164(recipient_raw),
        recipient_raw,
        get("From") or None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        code,  # vendor_code
        known[2] if known else None,  # vendor_description
        None,  # client_ref
        None,  # segments
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        None,  # submitted_at
        None,  # status_at
        None,  # notified_at
        request.received_at,
        _PUSH,
        extra,
        data,  # raw
        (),  # warnings
    )
    return new_push_result((report,), REPLY, ())


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    params, where = _params(vendor, request)
    token = credentials.optional(signature.CREDENTIAL)
    if token:
        signature.verify(vendor, request, token, params if where == "form" else None)
    if params is None:
        raise PayloadError(vendor, "$", "a status callback is a form (or a query), not this body")
    data: dict[str, str] = {}
    for name, value in params:
        data.setdefault(name, value)  # a repeated field counts with its first value
    record = Record(vendor, data, where)
    inbound = _inbound(record)
    if inbound is not None:
        return PushResult(reports=(), reply=REPLY, errors=(inbound,))
    return PushResult(reports=(_report(record, request),), reply=REPLY)


def _inbound(record: Record) -> ItemError | None:
    """An incoming message's webhook (status ``receiving`` or ``received``)
    sent to the status callback URL: no delivery status, acknowledged."""
    status_field = _either(record, "MessageStatus", "SmsStatus")
    status = record.get(status_field)
    if not (isinstance(status, str) and status.strip().lower() in INBOUND):
        return None
    sid = record.get(_either(record, "MessageSid", "SmsSid"))
    not_status = NotAStatusError(record.vendor, record.at(status_field), f"{status!r}: an incoming message")
    return ItemError(error=not_status, raw=dict(record.data), key=sid if isinstance(sid, str) else None)


def _params(vendor: str, request: PushRequest) -> tuple[list[tuple[str, str]] | None, str]:
    """The callback's fields and where they came from: the form body of a
    POST, else the query. ``None`` for a body that is not a form (Twilio's
    JSON webhooks, signed with ``bodySHA256``, are not status callbacks)."""
    if request.body and request.content_type not in FORM_TYPES:
        return None, "$"
    return callback_params(vendor, request)


def _either(record: Record, primary: str, legacy: str) -> str:
    """The field under its current name, else its legacy duplicate."""
    return primary if record.get(primary) not in (None, "") or not record.has(legacy) else legacy


def _report(record: Record, request: PushRequest) -> StatusReport:
    id_field = _either(record, "MessageSid", "SmsSid")
    message_id = record.ident(id_field)
    status_field = _either(record, "MessageStatus", "SmsStatus")
    status = record.string(status_field)
    if not status.strip():
        raise record.error(status_field, "must not be empty")
    code = record.opt_string("ErrorCode")
    mapped = map_value(status, code)
    recipient_raw = record.opt_string("To")
    known = CODES.get(code_of(code) or "")
    extra: dict[str, Any] = {}
    for name, key in (("AccountSid", "account_sid"), ("MessagingServiceSid", "messaging_service_sid")):
        value = record.opt_string(name)
        if value is not None:
            extra[key] = value
    raw_done = record.opt_string("RawDlrDoneDate")
    if raw_done is not None:
        extra["dlr_done_local"] = dlr_done_local(raw_done)
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=record.opt_string("From"),
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=code,
        vendor_description=known[2] if known else None,
        received_at=request.received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=dict(record.data),
    )


def dlr_done_local(value: str) -> str | None:
    """``YYMMDDhhmm`` as a zone-less ISO time (``2302141012`` ->
    ``2023-02-14T10:12``), or ``None`` when it is not one; the raw value is
    always kept in ``raw``."""
    text = value.strip()
    if len(text) != 10 or not (text.isascii() and text.isdigit()):
        return None
    try:
        parsed = datetime.strptime("20" + text, "%Y%m%d%H%M")  # the zone is unknown on purpose
    except ValueError:
        return None
    return parsed.strftime("%Y-%m-%dT%H:%M")
