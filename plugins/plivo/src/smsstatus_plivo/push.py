"""Plivo's message status callback to a canonical report.

Plivo calls the ``url`` given at send time with the ``method`` given there:
POST sends the fields as form data, GET as query parameters ("Message Status
Callbacks"). One request carries one report, for one message:

* ``MessageUUID`` (id), ``Status``, ``ErrorCode`` (only on failed and
  undelivered), ``To``/``From``, ``Type`` (sms, mms, whatsapp);
* ``Units`` (segments), ``TotalRate``, ``TotalAmount`` (no currency is
  named), ``MCC``/``MNC`` (separate fields);
* ``MessageTime``, ``QueuedTime``, ``SentTime``, ``DeliveryReportTime``:
  ``YYYY-mm-dd HH:MM:SS.SSSSSS`` with no zone. Plivo's API writes its times
  with an explicit ``+00:00`` or other offset; the callback's are read as UTC
  (an assumption, see docs/vendors/plivo.md) and the raw text stays in ``raw``;
* ``Sequence``: the order in which Plivo generated the callbacks of this
  message. The canonical model has no ordering field, so it goes to
  ``extra.sequence`` (an integer) for consumers to drop a report older than
  one already applied;
* ``ParentMessageUUID`` and ``PartInfo`` are "reserved for future use ...
  should be ignored": kept in ``raw`` (and the parent id in
  ``extra.parent_message_uuid`` when it differs from ``MessageUUID``),
  never turned into ``part``.

Plivo expects HTTP 200; its retry policy is not documented.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    Credentials,
    ItemError,
    Money,
    NotAStatusError,
    Operator,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    Status,
    StatusReport,
    fast_form,
    fast_path,
    identity_problem,
    kind_of,
    new_money,
    new_operator,
    new_push_result,
    new_report,
    shown,
    to_e164,
)

from . import signature
from .mapping import CODES, SETTLED, code_of, map_value

__all__ = ["REPLY", "parse", "plivo_time", "digits"]

REPLY = PushReply(status_code=200, content_type=None, body=b"")

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

#: Which callback time is the time of which status.
_STATUS_TIME = {
    "queued": "QueuedTime",
    "sent": "SentTime",
    "delivered": "DeliveryReportTime",
    "undelivered": "DeliveryReportTime",
    "read": "DeliveryReportTime",
}


# -- the lean path: an unsigned callback in the documented shape ------------------------

_PUSH = Channel.PUSH
_from_iso = datetime.fromisoformat


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The report of an unsigned callback whose every field is as documented,
    else ``None`` for :func:`parse` (which checks signatures and explains)."""
    if len(credentials):
        return None
    if request.method == "GET" or not request.body:
        data = fast_form(request.query_string)
    elif request.content_type == "application/x-www-form-urlencoded":
        data = fast_form(request.body)
    else:
        return None
    report = None if data is None else _lean_report(vendor, data, request.received_at)
    return None if report is None else new_push_result((report,), REPLY, ())


def _text(value: Any) -> bool:
    return value is None or value.__class__ is str


class _Odd(Exception):
    """A field the lean path does not read as it is: the detailed path will."""


#: Units and Sequence as Plivo sends them ("1", "3": a few parts, a few callbacks a
#: message), read by one lookup: _count's checks and int() cost 0.15 µs a field, and
#: a callback carries both. Any other text takes the checks (the same number).
_SMALL_COUNTS = {str(number): number for number in range(100)}


def _count(value: str | None, maximum: int | None) -> int | None:
    """A digit string's value (None: not given)."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise _Odd
    number = int(value)
    if maximum is not None and number > maximum:
        raise _Odd
    return number


#: The longest amount text the cache below keeps: Plivo's rates and amounts have a
#: few decimals, and 1024 cached amounts of a body's length each would be memory a
#: sender controls. Longer ones go to the detailed path.
_MAX_CACHED_AMOUNT = 24


# Plivo charges a few rates (one per destination), and an amount is a rate times a
# few units: a Decimal is immutable, so reports may share one. The constructor
# and its checks cost about 0.2 µs an amount, a hit here about 0.1; a callback
# carries two.
@functools.lru_cache(maxsize=1024)
def _amount(value: str) -> Decimal:
    """A decimal string's value; :class:`_Odd` (not cached) where the detailed
    path would warn, or for a text too long to keep."""
    if len(value) > _MAX_CACHED_AMOUNT:
        raise _Odd
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        raise _Odd from None
    if not amount.is_finite():
        raise _Odd
    return amount


#: The rate texts the memo below keeps: a short text may still carry an exponent
#: whose fixed-point text is huge ("1E+999999": a megabyte), which a sender could
#: otherwise keep 1024 times. A rate has a few decimals; others go to the detailed path.
_MAX_RATE_EXPONENT = 32


# extra.total_rate is the rate's fixed-point text, and ``format(rate, "f")``
# costs 0.3 µs (a tenth of a json.loads of the form callback): the rates repeat
# as the amounts do, and a text is immutable.
@functools.lru_cache(maxsize=1024)
def _rate_text(value: str) -> str:
    """``format(Decimal(value), "f")`` of a rate :func:`_amount` reads with an
    exponent within :data:`_MAX_RATE_EXPONENT`; :class:`_Odd` (not cached)
    for any other."""
    rate = _amount(value)
    if abs(rate.adjusted()) > _MAX_RATE_EXPONENT:
        raise _Odd
    return format(rate, "f")


# A callback names a few networks again and again, and an Operator is immutable,
# so reports may share one: checking the two codes and building the Operator
# cost about 0.45 µs, a hit here about 0.1.
@functools.lru_cache(maxsize=1024)
def _lean_operator(mcc: str | None, mnc: str | None) -> Operator | None:
    """The Operator of an MCC and MNC as the detailed path reads them (``None``:
    neither given); :class:`_Odd` (not cached) where it would warn."""
    mcc, mnc = _digits(mcc, 3, 3), _digits(mnc, 1, 3)
    return None if mcc is None and mnc is None else new_operator(mcc, mnc, None)


def _time_of(value: str | None) -> datetime | None:
    """:func:`plivo_time`; the documented shape (``2024-08-21 12:59:58.512345``,
    no offset: UTC) parsed with its offset written out, in one call instead of
    three (``replace(tzinfo=...)`` alone costs ten parses)."""
    if not value:
        return None
    try:
        if (
            len(value) == 26
            and value[4] == "-"
            and value[10] == " "
            and value[19] == "."
            and value[20:].isdigit()
        ):
            return _from_iso(value + "+00:00")
        return plivo_time(value)
    except ValueError:
        raise _Odd from None


def _digits(value: str | None, low: int, high: int) -> str | None:
    if not value:
        return None
    if not (low <= len(value) <= high and value.isascii() and value.isdigit()):
        raise _Odd
    return value


def _lean_report(vendor: str, data: dict[str, str], received_at: datetime) -> StatusReport | None:
    get = data.get
    message_id, status = get("MessageUUID"), get("Status")
    if message_id is None or identity_problem(message_id) is not None or status is None or not status.strip():
        return None
    code, recipient_raw, sender = get("ErrorCode") or None, get("To"), get("From")
    mapped = SETTLED.get(status) or map_value(status, code)
    # Each reader is called only for a field that is there: a GET callback
    # carries five or six of the twenty.
    amount = segments = sequence = operator = submitted_at = None
    rate: str | None = None
    try:
        if value := get("TotalAmount"):
            amount = _amount(value)
        if value := get("TotalRate"):
            rate = _rate_text(value)
        if value := get("Units"):
            segments = _SMALL_COUNTS.get(value)  # each below MAX_PARTS
            if segments is None:
                segments = _count(value, MAX_PARTS)
        if value := get("Sequence"):
            sequence = _SMALL_COUNTS.get(value)
            if sequence is None:
                sequence = _count(value, None)
        mcc, mnc = get("MCC"), get("MNC")
        if mcc or mnc:
            operator = _lean_operator(mcc or None, mnc or None)
        if value := get("MessageTime"):
            submitted_at = _time_of(value)
        time_field = _STATUS_TIME.get(status.strip().lower())
        status_at = None
        if time_field is not None and mapped.status is not Status.UNKNOWN:
            status_at = _time_of(get(time_field))
    except _Odd:
        return None
    extra: dict[str, Any] = {}
    if sequence is not None:
        extra["sequence"] = sequence
    kind, powerpack, parent = get("Type"), get("PowerpackUUID"), get("ParentMessageUUID")
    if kind:
        extra["type"] = kind
    if powerpack:
        extra["powerpack_uuid"] = powerpack
    if rate is not None:
        extra["total_rate"] = rate
    if parent and parent != message_id:
        extra["parent_message_uuid"] = parent
    known = None if code is None else CODES.get(code_of(code) or "")
    recipient_raw = recipient_raw or None
    return new_report(
        vendor,
        message_id,
        None,  # batch_id
        None if recipient_raw is None else to_e164(recipient_raw),
        recipient_raw,
        sender or None,
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        code,  # vendor_code
        known[3] if known else None,  # vendor_description
        None,  # client_ref
        segments,
        None,  # part
        None if amount is None else new_money(amount, None),  # price
        None,  # country
        operator,
        submitted_at,
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
    body_params, where = _params(vendor, request)
    configured = signature.keys(credentials.optional("auth_token"), credentials.optional("main_auth_token"))
    if configured:
        v3_only = signature.version_policy(vendor, credentials.optional("signature_version"))
        signature.verify(vendor, request, configured, body_params, v3_only=v3_only)
    params = body_params if where == "form" else request.query_params
    data: dict[str, str] = {}
    for name, value in params:
        data.setdefault(name, value)  # a repeated field counts with its first value
    record = Record(vendor, data, where)
    if "Status" not in data and "Text" in data:
        # An incoming message's webhook (From, To, Type, Text, MessageUUID) sent
        # to the status URL: no delivery status, acknowledged.
        uuid = data.get("MessageUUID")
        not_status = NotAStatusError(vendor, record.at("Text"), "an incoming message (Text, no Status)")
        return PushResult(reports=(), reply=REPLY, errors=(ItemError(error=not_status, raw=data, key=uuid),))
    return PushResult(reports=(_report(record, request),), reply=REPLY)


def _params(vendor: str, request: PushRequest) -> tuple[list[tuple[str, str]], str]:
    """The body's form fields (``"form"``) or, for a GET or an empty body, none
    (the fields are in the query, ``"query"``)."""
    if request.method == "GET" or not request.body:
        return [], "query"
    if request.content_type not in _FORM_TYPES and request.content_type:
        raise PayloadError(vendor, "$", f"expected form data, got {request.content_type}")
    try:
        return request.form_params(), "form"
    except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart
        raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None


def plivo_time(value: object) -> datetime:
    """``YYYY-mm-dd HH:MM:SS[.ffffff][+hh:mm]`` to UTC; without an offset the
    time is read as UTC."""
    if not isinstance(value, str):
        raise ValueError(f"expected a time string, got {kind_of(value)}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not YYYY-mm-dd HH:MM:SS.ffffff") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)  # already UTC: astimezone would only copy it
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is out of range") from None


def digits(low: int, high: int) -> Callable[[Any], str]:
    """A reader of a code of ``low`` to ``high`` decimal digits (MCC, MNC)."""

    def read(value: Any) -> str:
        if not (isinstance(value, str) and low <= len(value) <= high and value.isascii() and value.isdigit()):
            raise ValueError(f"expected {low} to {high} digits, got {shown(value)}")
        return value

    return read


def _operator(record: Record) -> Operator | None:
    mcc = record.optional("MCC", digits(3, 3))
    mnc = record.optional("MNC", digits(1, 3))
    return Operator(mcc=mcc, mnc=mnc) if mcc or mnc else None


def _report(record: Record, request: PushRequest) -> StatusReport:
    message_id = record.ident("MessageUUID")
    status = record.string("Status")
    if not status.strip():
        raise record.error("Status", "must not be empty")
    code = record.opt_string("ErrorCode")
    mapped = map_value(status, code)
    known = CODES.get(code_of(code) or "")
    recipient_raw = record.opt_string("To")
    amount = record.decimal("TotalAmount", required=False)
    segments = record.integer("Units", required=False, strings=True, minimum=0, maximum=MAX_PARTS)
    operator = _operator(record)
    submitted_at = record.time("MessageTime", plivo_time, required=False)
    time_field = _STATUS_TIME.get(status.strip().lower())
    status_at = None
    if time_field is not None and mapped.status is not Status.UNKNOWN:
        status_at = record.time(time_field, plivo_time, required=False)
    extra: dict[str, Any] = {}
    sequence = record.integer("Sequence", required=False, strings=True, minimum=0)
    if sequence is not None:
        extra["sequence"] = sequence
    for name, key in (("Type", "type"), ("PowerpackUUID", "powerpack_uuid")):
        value = record.opt_string(name)
        if value is not None:
            extra[key] = value
    rate = record.decimal("TotalRate", required=False)
    if rate is not None:
        extra["total_rate"] = format(rate, "f")
    parent = record.opt_string("ParentMessageUUID")
    if parent is not None and parent != message_id:
        extra["parent_message_uuid"] = parent
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
        vendor_description=known[3] if known else None,
        segments=segments,
        price=None if amount is None else Money(amount, None),
        operator=operator,
        submitted_at=submitted_at,
        status_at=status_at,
        received_at=request.received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=dict(record.data),
        warnings=record.warnings,
    )
