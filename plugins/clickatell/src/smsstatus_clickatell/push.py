"""Clickatell's three status callbacks to canonical reports, told apart by their fields.

* **Platform** (REST or HTTP integration, "SMS Client Callbacks"): GET with
  query parameters or POST with a flat JSON object: ``integrationName``,
  ``messageId``, ``requestId``, ``clientMessageId``, ``to``, ``from``,
  ``statusCode`` (the numeric table), ``status``, ``statusDescription``,
  ``timestamp``. One message per request.
* **Clickatell One**: POST JSON ``{"integrationId", "integrationName",
  "event": {"messageStatusUpdate": [{"channel", "messageId",
  "clientMessageId", "status", "statusCode", "timestamp"}, ...]}}``, a batch;
  ``status`` is One's word. A bad item is an item error, the others are kept.
* **Legacy Developers' Central** (HTTP GET or POST, or JSON raw POST):
  ``api_id``, ``apiMsgId``, ``cliMsgId``, ``to``, ``from``, ``timestamp``
  (Unix seconds), ``status`` (zero-padded, ``"004"``: the numeric table),
  ``charge`` (credits). Optionally sent with HTTP Basic credentials.

A JSON body with ``event`` is One's, one with ``apiMsgId`` the legacy JSON
post, any other the Platform's; a query or form with ``apiMsgId`` (or
``api_id``) is the legacy callback, one with ``messageId`` the Platform's.
Every format keeps both identities: Clickatell's message id is the
``message_id``, the client's own id the ``client_ref``. The answer is HTTP
200 with an empty body.
"""

from __future__ import annotations

import base64
import binascii
import functools
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from smsstatus.plugin import (
    Channel,
    Credentials,
    ItemError,
    LeanMiss,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    WarningCode,
    check_credential,
    decode_json_object,
    fast_form,
    fast_json,
    fast_path,
    from_epoch_millis,
    from_epoch_seconds,
    identity_problem,
    lean_ident,
    lean_text,
    new_push_result,
    new_report,
    shown,
    to_e164,
)

from . import INFO
from .mapping import SETTLED, map_value

__all__ = ["REPLY", "epoch", "parse"]

#: Clickatell needs HTTP 200; it reads no body.
REPLY = PushReply(status_code=200, content_type=None, body=b"")

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_LEGACY_KEYS = ("apiMsgId", "api_id")
#: Below this an epoch number is seconds, above it milliseconds (2001-09-09 in ms).
_MILLIS_FROM = 100_000_000_000


# -- the lean path: a callback in the documented shape -----------------------------------

_PUSH = Channel.PUSH


_Odd = LeanMiss  # core's signal for a value the lean path passes on


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The reports of an unauthenticated callback whose fields are as
    documented, else ``None`` for :func:`parse` (which explains)."""
    if len(credentials):
        return None
    body = request.body
    if not body:
        data = fast_form(request.query_string)
    elif request.method == "GET":
        return None
    else:
        content_type = request.content_type
        if content_type == "application/json":
            data = fast_json(body)
            if data.__class__ is not dict:
                return None
            if "event" in data:
                return _lean_one(vendor, data, request.received_at)
        elif content_type == "application/x-www-form-urlencoded":
            data = fast_form(body)
        else:
            return None
    if data is None:
        return None
    legacy = "apiMsgId" in data or "api_id" in data
    if not legacy and "messageId" not in data:
        return None
    try:
        report = _lean_flat(vendor, data, request.received_at, legacy)
    except (_Odd, ValueError):  # ValueError: a time the detailed path warns about
        return None
    return new_push_result((report,), REPLY, ())


_text = lean_text
_optional_id = lean_ident


def _lean_raw(data: dict[str, Any]) -> dict[str, Any]:
    """:func:`_raw` of ``data``: ``data`` itself when it holds no secret field (nearly always)."""
    for name in INFO.secret_fields:
        if name in data:
            return {key: value for key, value in data.items() if key not in INFO.secret_fields}
    return data


#: What the charge cache below keeps: a real charge is a short decimal ("0.300000"). A sender
#: could otherwise fill it with 1024 texts of a body's length, or with exponents whose
#: fixed-point text is huge ("1e999999"); such charges go to the detailed path, uncached.
_MAX_CACHED_CHARGE = 32
_MAX_CHARGE_EXPONENT = 32


# Charges repeat (one per destination): the text is immutable.
@functools.lru_cache(maxsize=1024)
def _cached_charge_credits(charge: str) -> str:
    try:
        amount = Decimal(charge)
    except (InvalidOperation, ValueError):
        raise _Odd from None  # not cached: lru_cache keeps answers, not exceptions
    if not amount.is_finite() or abs(amount.adjusted()) > _MAX_CHARGE_EXPONENT:
        raise _Odd
    return format(amount, "f")


def _charge_credits(charge: str) -> str:
    """``extra.charge_credits`` of a legacy ``charge`` string, as :func:`_legacy_extra` writes it."""
    if len(charge) > _MAX_CACHED_CHARGE:
        raise _Odd
    return _cached_charge_credits(charge)


def _lean_flat(vendor: str, data: dict[str, Any], received_at: datetime, legacy: bool) -> StatusReport:
    get = data.get
    id_name, status_name, client_name = _LEGACY_FIELDS if legacy else _PLATFORM_FIELDS
    message_id, status = get(id_name), get(status_name)
    if message_id.__class__ is not str or identity_problem(message_id) is not None:
        raise _Odd
    if status.__class__ is int and 0 <= status <= 9999:
        status = str(status)
    elif status.__class__ is not str or not status.strip():
        raise _Odd
    mapped = SETTLED.get(status) or map_value(status)
    recipient_raw = _text(get("to"))
    extra: dict[str, Any] = {}
    if legacy:
        api_id = _optional_id(get("api_id"))
        if api_id is not None:
            extra["api_id"] = api_id
        charge = get("charge")
        if charge is not None and charge != "":
            if charge.__class__ is not str:
                raise _Odd
            extra["charge_credits"] = _charge_credits(charge)
        description = None
    else:
        integration, word = _text(get("integrationName")), _text(get("status"))
        if integration is not None:
            extra["integration_name"] = integration
        if word is not None:
            extra["status_name"] = word
        description = _text(get("statusDescription"))
    stamp = get("timestamp")
    status_at: datetime | None
    if stamp.__class__ is str and stamp.isdigit() and len(stamp) <= 16 and stamp.isascii():
        # A query's or form's digits (seconds, or the Platform's milliseconds) read
        # here as epoch() reads them inside its sure window: its type tests and the
        # call cost 1.5k instructions (0.13 µs) of every flat callback.
        number = int(stamp)
        if number in _SURE_SECONDS:
            status_at = _from_timestamp(number, UTC)
        elif number in _SURE_MILLIS:
            status_at = _from_timestamp(number / 1000, UTC)
        else:
            status_at = epoch(number)
    else:
        status_at = None if stamp is None or stamp == "" else epoch(stamp)
    return new_report(
        vendor,
        message_id,
        None if legacy else _optional_id(get("requestId")),  # batch_id
        to_e164(recipient_raw),
        recipient_raw,
        _text(get("from")),  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        None,  # vendor_code
        description or mapped.description,
        _optional_id(get(client_name)),  # client_ref
        None,  # segments
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        None,  # submitted_at
        status_at,
        None,  # notified_at
        received_at,
        _PUSH,
        extra,
        _lean_raw(data),
        (),  # warnings
    )


def _lean_one(vendor: str, data: dict[str, Any], received_at: datetime) -> PushResult | None:
    """:func:`_one` of an envelope whose every item is as documented (no item
    error to report), else ``None``."""
    event = data.get("event")
    if event.__class__ is not dict:
        return None
    items = event.get("messageStatusUpdate")
    if items.__class__ is not list or not items or len(items) > INFO.max_batch:
        return None
    try:
        context: dict[str, Any] = {}
        integration_id, integration_name = (
            _optional_id(data.get("integrationId")),
            _optional_id(data.get("integrationName")),
        )
        if integration_id is not None:
            context["integration_id"] = integration_id
        if integration_name is not None:
            context["integration_name"] = integration_name
        reports = tuple([_lean_one_report(vendor, item, context, received_at) for item in items])
    except (_Odd, ValueError):  # ValueError: a time the detailed path warns about
        return None
    return new_push_result(reports, REPLY, ())


def _lean_one_report(vendor: str, item: Any, context: dict[str, Any], received_at: datetime) -> StatusReport:
    if item.__class__ is not dict:
        raise _Odd
    get = item.get
    message_id, status = get("messageId"), get("status")
    if (
        message_id.__class__ is not str
        or identity_problem(message_id) is not None
        or status.__class__ is not str
        or not status.strip()
    ):
        raise _Odd
    mapped = SETTLED.get(status) or map_value(status)
    channel = _text(get("channel"))
    extra = context.copy()
    if channel is not None:
        extra["channel"] = channel
    stamp = get("timestamp")
    return new_report(
        vendor,
        message_id,
        None,  # batch_id
        None,  # recipient
        None,  # recipient_raw
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        _optional_id(get("statusCode")),  # vendor_code: One's own number
        mapped.description,
        _optional_id(get("clientMessageId")),  # client_ref
        None,  # segments
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        None,  # submitted_at
        None if stamp is None or stamp == "" else epoch(stamp),  # status_at
        None,  # notified_at
        received_at,
        _PUSH,
        extra,
        _lean_raw(item),
        (),  # warnings
    )


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    password = credentials.optional("callback_password")
    if password:
        _check_basic(vendor, request, credentials.optional("callback_username") or "", password)
    if _is_json(request):
        body = decode_json_object(vendor, request.body)
        if "event" in body:
            return _one(vendor, body, request)
        record = Record(vendor, body)
        legacy = any(key in body for key in _LEGACY_KEYS)
    else:
        data, where = _params(vendor, request)
        record = Record(vendor, data, where)
        legacy = any(key in data for key in _LEGACY_KEYS)
        if not legacy and "messageId" not in data:
            raise record.error(
                "messageId", "required field is missing (nor is apiMsgId: no callback format matches)"
            )
    return PushResult(reports=(_flat(record, request, legacy),), reply=REPLY)


def _check_basic(vendor: str, request: PushRequest, username: str, password: str) -> None:
    """The legacy callback's HTTP Basic credentials, compared in constant time."""
    header = request.headers.get("authorization")
    given = None
    if isinstance(header, str) and header[:6].lower() == "basic ":
        try:
            given = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            given = None
    check_credential(vendor, "callback_password", f"{username}:{password}", given)


def _is_json(request: PushRequest) -> bool:
    content_type = request.content_type
    if content_type in _FORM_TYPES or not request.body:
        return False
    return content_type.endswith("json") or request.body.lstrip()[:1] == b"{"


def _params(vendor: str, request: PushRequest) -> tuple[dict[str, str], str]:
    """The form body (POST) or the query (GET); a repeated field counts with its first value."""
    if request.body and request.method != "GET":
        try:
            pairs = request.form_params()
        except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart
            raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
        where = "form"
    else:
        pairs, where = request.query_params, "query"
    data: dict[str, str] = {}
    for name, value in pairs:
        data.setdefault(name, value)
    return data, where


_from_timestamp = datetime.fromtimestamp
#: Unix milliseconds and seconds of 2001-01-01 .. 2099-01-01: inside core's 2000..2100 window
#: (``smsstatus.times``), where its readers never raise.
_SURE_MILLIS = range(978_307_200_000, 4_070_908_800_000)
_SURE_SECONDS = range(978_307_200, 4_070_908_800)


def epoch(value: Any) -> datetime:
    """Unix seconds or milliseconds (a number or digit string), told apart by size.

    Every callback carries one, so a time well inside core's window is read
    here, to exactly what ``from_epoch_millis``/``from_epoch_seconds`` give but
    without their checks and keyword ``timedelta``: by ``fromtimestamp``, which
    costs about half of adding a ``timedelta`` to the epoch (0.23 against
    0.41 µs). Exact for milliseconds: below 2100 the float ``number / 1000`` is
    within 0.5 µs of the true instant and ``fromtimestamp`` rounds to the
    nearest microsecond. Any other number gets their answer, or their error.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 16:
        number = int(value)
    else:
        raise ValueError(f"expected a Unix time, got {shown(value)}")
    if number in _SURE_MILLIS:
        return _from_timestamp(number / 1000, UTC)
    if number in _SURE_SECONDS:
        return _from_timestamp(number, UTC)
    return from_epoch_millis(number) if number >= _MILLIS_FROM else from_epoch_seconds(number)


def _status_code(record: Record, name: str) -> str:
    """A required numeric status, as sent (``"004"`` stays zero-padded, JSON ``4`` is ``"4"``)."""
    value = record.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 9999:
            raise record.error(name, f"expected a status code, got {shown(value)}")
        return str(value)
    text = record.string(name)
    if not text.strip():
        raise record.error(name, "must not be empty")
    return text


#: The fields that differ between the two flat formats: (message id, status, client's id).
_PLATFORM_FIELDS = ("messageId", "statusCode", "clientMessageId")
_LEGACY_FIELDS = ("apiMsgId", "status", "cliMsgId")


def _flat(record: Record, request: PushRequest, legacy: bool) -> StatusReport:
    """A Platform or legacy callback: one message, the numeric status table."""
    id_name, status_name, client_name = _LEGACY_FIELDS if legacy else _PLATFORM_FIELDS
    message_id = record.ident(id_name)
    status = _status_code(record, status_name)
    mapped = map_value(status)
    recipient_raw = record.opt_string("to")
    extra = _legacy_extra(record) if legacy else _platform_extra(record)
    description = None if legacy else record.opt_string("statusDescription")
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        batch_id=None if legacy else record.ident("requestId", required=False),
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=record.opt_string("from"),
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_description=description or mapped.description,
        client_ref=record.ident(client_name, required=False),
        status_at=record.optional("timestamp", epoch),
        received_at=request.received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=_raw(record),
        warnings=record.warnings,
    )


def _platform_extra(record: Record) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    integration = record.opt_string("integrationName")
    if integration is not None:
        extra["integration_name"] = integration
    word = record.opt_string("status")  # the code decides; the word is kept
    if word is not None:
        extra["status_name"] = word
    return extra


def _legacy_extra(record: Record) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    api_id = record.ident("api_id", required=False)
    if api_id is not None:
        extra["api_id"] = api_id
    charge = record.decimal("charge", required=False)
    if charge is not None and abs(charge.adjusted()) > _MAX_CHARGE_EXPONENT:
        # "1e999999" is a megabyte as fixed-point text: the lean path's bound, here as a warning.
        record.warn("charge", f"beyond 10^±{_MAX_CHARGE_EXPONENT} credits", WarningCode.OUT_OF_RANGE)
    elif charge is not None:
        # Clickatell credits, not an amount of money: no canonical price.
        extra["charge_credits"] = format(charge, "f")
    return extra


def _one(vendor: str, body: dict[str, Any], request: PushRequest) -> PushResult:
    envelope = Record(vendor, body)
    items = envelope.child("event").array("messageStatusUpdate", max_items=INFO.max_batch)
    context: dict[str, Any] = {}
    for name, key in (("integrationId", "integration_id"), ("integrationName", "integration_name")):
        value = envelope.ident(name, required=False)
        if value is not None:
            context[key] = value
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, item in enumerate(items):
        try:
            record = Record(vendor, item, f"$.event.messageStatusUpdate[{index}]")
            reports.append(_one_report(record, request, context, envelope))
        except PayloadError as exc:
            named = item.get("messageId") if isinstance(item, dict) else None
            errors.append(
                ItemError(error=exc, raw=item, index=index, key=named if isinstance(named, str) else None)
            )
    return PushResult(reports=tuple(reports), reply=REPLY, errors=tuple(errors))


def _one_report(
    record: Record, request: PushRequest, context: dict[str, Any], envelope: Record
) -> StatusReport:
    message_id = record.ident("messageId")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    mapped = map_value(status)
    extra = dict(context)
    channel = record.opt_string("channel")
    if channel is not None:
        extra["channel"] = channel
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=record.ident("statusCode", required=False),
        vendor_description=mapped.description,
        client_ref=record.ident("clientMessageId", required=False),
        status_at=record.optional("timestamp", epoch),
        received_at=request.received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=_raw(record),
        warnings=record.warnings + envelope.warnings,
    )


def _raw(record: Record) -> dict[str, Any]:
    return {key: value for key, value in record.data.items() if key not in INFO.secret_fields}
