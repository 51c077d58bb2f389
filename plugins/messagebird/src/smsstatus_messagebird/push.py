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

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from smsstatus.plugin import (
    Channel,
    Credentials,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    callback_fields,
    fast_callback_fields,
    fast_path,
    identity_problem,
    network_of,
    new_money,
    new_push_result,
    new_report,
    parse_rfc3339,
    to_e164,
)

from . import signature
from .fields import MAX_LENGTH, MAX_PARTS, money, network, status_time
from .mapping import CODES, SETTLED, code_key, map_code

__all__ = ["REPLY", "parse"]

REPLY = PushReply.text("OK")


# -- the lean path: an unsigned report in the documented shape --------------------------

_PUSH = Channel.PUSH
_from_iso = datetime.fromisoformat


class _Odd(Exception):
    """A field the lean path does not read as it is: the detailed path will."""


def _count(value: str | None, minimum: int, maximum: int) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise _Odd
    number = int(value)
    if not minimum <= number <= maximum:
        raise _Odd
    return number


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The report of an unsigned status report whose fields are as documented,
    else ``None`` for :func:`parse` (which checks signatures and explains)."""
    if len(credentials):
        return None
    data = fast_callback_fields(request)
    if data is None:
        return None
    try:
        report = _lean_report(vendor, data, request.received_at)
    except _Odd:
        return None
    return None if report is None else new_push_result((report,), REPLY, ())


def _lean_report(vendor: str, data: dict[str, str], received_at: datetime) -> StatusReport | None:
    get = data.get
    message_id, status = get("id"), get("status")
    if message_id is None or identity_problem(message_id) is not None or status is None or not status.strip():
        return None
    error_code, reason_text = get("statusErrorCode") or None, get("statusReason") or None
    recipient_raw = get("recipient") or None
    extra: dict[str, Any] = {}
    operator = country = None
    fused = get("mccmnc") or None
    if fused is not None:
        if identity_problem(fused) is not None:
            raise _Odd
        extra["network_code"] = fused
        try:
            operator, country = network_of(fused)  # memoised: senders repeat a few networks
        except ValueError:
            raise _Odd from None
    ported = get("ported") or None
    if ported is not None:
        if ported not in ("0", "1"):
            raise _Odd
        extra["ported"] = ported == "1"
    length = _count(get("messageLength"), 0, MAX_LENGTH)
    if length is not None:
        extra["message_length"] = length
    datacoding = get("datacoding") or None
    if datacoding is not None:
        extra["datacoding"] = datacoding
    if reason_text is not None:
        extra["status_reason"] = reason_text
    segments = _count(get("messagePartCount"), 1, MAX_PARTS)
    amount, price = get("price[amount]"), None
    if amount:
        try:
            value = Decimal(amount.strip())
        except ArithmeticError:
            raise _Odd from None
        if not value.is_finite() or value < 0:
            raise _Odd
        currency = get("price[currency]")
        code = currency.strip().upper() if currency is not None else None
        if code is not None and not (len(code) == 3 and code.isascii() and code.isalpha()):
            code = None
        price = new_money(value, code)
    stamp = get("statusDatetime")
    status_at = None
    if stamp:
        # The C parser alone: its answer is parse_rfc3339's whenever the offset
        # it read is UTC itself (what MessageBird sends; then astimezone(UTC) is
        # the same object), which saves parse_rfc3339's checks and conversion
        # (~0.3 µs). Any other offset, or a refusal, goes through parse_rfc3339.
        try:
            status_at = _from_iso(stamp)
            if status_at.tzinfo is not UTC:
                status_at = parse_rfc3339(stamp)
        except ValueError:
            raise _Odd from None
    mapped = SETTLED.get(status) or map_code(status, error_code, reason_text)
    known = None if error_code is None else CODES.get(code_key(error_code) or "")
    return new_report(
        vendor,
        message_id,
        None,  # batch_id
        None if recipient_raw is None else to_e164(recipient_raw),
        recipient_raw,
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        error_code,  # vendor_code
        known[1] if known else reason_text,  # vendor_description
        get("reference") or None,  # client_ref
        segments,
        None,  # part
        price,
        country,
        operator,
        None,  # submitted_at
        status_at,
        None,  # notified_at
        received_at,
        _PUSH,
        extra,
        data,  # raw
        (),  # warnings
    )


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    key = credentials.optional(signature.CREDENTIAL)
    claims = signature.verify(vendor, request, key) if key else None
    data, where = callback_fields(vendor, request)
    record = Record(vendor, data, where)
    return PushResult(reports=(_report(record, request, claims),), reply=REPLY)


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
