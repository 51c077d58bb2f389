"""MessageBird's SMS status report to a canonical report.

MessageBird calls the status-report URL (set in the dashboard, or a message's
``reportUrl``) with a **GET** whose query holds one report, for messages sent
with a ``reference`` only (support article "I am missing my delivery
reports"):

* ``id`` (the message id), ``reference`` (yours), ``recipient`` (MSISDN, no
  ``+``), ``status``, ``statusDatetime`` (RFC 3339), ``statusReason``,
  ``statusErrorCode`` (only when a downstream provider gave one);
* ``price[amount]`` and ``price[currency]``, ``mccmnc`` (fused MCC+MNC),
  ``ported`` (``0``/``1``), ``messagePartCount``, ``messageLength``,
  ``datacoding`` (``plain``/``unicode``).

A POST with the same fields as a form is read too. MessageBird needs HTTP 200;
the plugin answers ``OK`` as text (nyaruka/courier does the same).
"""

from __future__ import annotations

from typing import Any

from smsstatus.plugin import (
    Channel,
    Credentials,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    to_e164,
)

from . import signature
from .fields import MAX_LENGTH, MAX_PARTS, money, network, status_time
from .mapping import CODES, code_key, map_code

__all__ = ["REPLY", "parse"]

REPLY = PushReply.text("OK")

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    key = credentials.optional(signature.CREDENTIAL)
    claims = signature.verify(vendor, request, key) if key else None
    data, where = _fields(vendor, request)
    record = Record(vendor, data, where)
    return PushResult(reports=(_report(record, request, claims),), reply=REPLY)


def _fields(vendor: str, request: PushRequest) -> tuple[dict[str, str], str]:
    if request.body:
        if request.content_type not in (_FORM, _MULTIPART, ""):
            raise PayloadError(
                vendor, "form", f"expected the query or a form body, got {request.content_type!r}"
            )
        try:
            params, where = request.form_params(), "form"
        except (ValueError, LookupError) as exc:
            raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
    else:
        params, where = request.query_params, "query"
    data: dict[str, str] = {}
    for name, value in params:
        data.setdefault(name, value)
    return data, where


def _report(record: Record, request: PushRequest, claims: dict[str, Any] | None) -> StatusReport:
    message_id = record.ident("id")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    error_code = record.opt_string("statusErrorCode")
    reason_text = record.opt_string("statusReason")
    mapped = map_code(status, error_code, reason_text)
    recipient_raw = record.opt_string("recipient")
    extra: dict[str, Any] = {}
    operator, country = network(record, "mccmnc", extra)
    ported = record.opt_string("ported")
    if ported in ("0", "1"):
        extra["ported"] = ported == "1"
    elif ported is not None:
        record.warn("ported", "expected 0 or 1")
    length = record.integer("messageLength", required=False, strings=True, minimum=0, maximum=MAX_LENGTH)
    if length is not None:
        extra["message_length"] = length
    datacoding = record.opt_string("datacoding")
    if datacoding is not None:
        extra["datacoding"] = datacoding
    if reason_text is not None:
        extra["status_reason"] = reason_text
    if claims is not None and isinstance(claims.get("jti"), str):
        extra["signature_jti"] = claims["jti"]  # MessageBird's unique token id, for replay bookkeeping
    segments = record.integer("messagePartCount", required=False, strings=True, minimum=1, maximum=MAX_PARTS)
    known = CODES.get(code_key(error_code) or "")
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        client_ref=record.opt_string("reference"),
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=error_code,
        vendor_description=known[1] if known else reason_text,
        segments=segments,
        price=money(record, record.get("price[amount]"), record.get("price[currency]"), "price[amount]"),
        country=country,
        operator=operator,
        status_at=status_time(record, "statusDatetime"),
        received_at=request.received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=dict(record.data),
        warnings=record.warnings,
    )
