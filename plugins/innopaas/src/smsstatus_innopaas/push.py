"""InnoPaaS's status report push to one canonical report.

Two documented shapes carry the same record, one report per request:

* current: ``POST`` with a JSON object body, every value a string;
* legacy: ``GET`` with the fields in the query string and no body.

A POST of the same fields as form data is read too. The shape is chosen by
Content-Type (JSON, form), then by the body (none: the query string; ``{`` or
``[``: JSON; anything else: form). Field paths in errors are ``$.<field>``,
``query.<field>`` or ``form.<field>``.

The configured ``receiver``/``pswd`` credentials are checked (constant time)
right after decoding, before any field is read, and both are removed from
``raw``. InnoPaaS documents no reply; HTTP 200 with an empty body is what a
third party's notes say it needs, and every readable push gets it.

A push in one of the three shapes whose every field reads without a warning
takes the lean path (:func:`_lean`: the same checks written inline, no
:class:`Record`); anything else, including every push that gets an error or a
warning, is read by the detailed path (:func:`decode`, :func:`authenticate`,
:func:`build_report`), which ``tests/test_fast_paths.py`` compares it with.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from smsstatus.plugin import (
    MAX_PARTS,
    AuthenticationError,
    Channel,
    Operator,
    OutOfRange,
    PayloadError,
    PushReply,
    PushResult,
    Record,
    StatusReport,
    WarningCode,
    check_credential,
    fast_form,
    fast_json,
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

from . import SECRET_FIELDS
from .clock import parse_time
from .mapping import map_value

if TYPE_CHECKING:
    from datetime import datetime

    from smsstatus.plugin import Credentials, PushRequest

__all__ = ["REPLY", "SECRET_FIELDS", "parse", "decode", "authenticate", "build_report"]

#: What InnoPaaS needs to stop retrying (3 attempts, 1 minute apart): HTTP 200.
REPLY = PushReply(status_code=200, content_type=None, body=b"")


_PUSH = Channel.PUSH
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_UNREADABLE = WarningCode.UNREADABLE

# Value formats; the payload schemas carry the same patterns.
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_DIALLING = re.compile(r"(?:\+|00)?[0-9]{1,4}")
_REGION = re.compile(r"[A-Za-z]{2}")

#: The doc's fee column says RMB; the ISO 4217 code is CNY.
_DEFAULT_CURRENCY = "CNY"
_CURRENCY_ALIASES = {"RMB": "CNY"}


# -- the lean path: one record in a documented shape, every field as documented ----------


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The report of a push whose every field reads as documented, else
    ``None``: :func:`parse` then reads it field by field, explains, warns."""
    body = request.body
    content_type = request.content_type
    data: dict[str, Any] | None
    # decode()'s choices, in its order, for the shapes InnoPaaS sends (and form posts).
    if content_type == "application/json":
        data = fast_json(body)
        # Every value a string, as InnoPaaS sends them: then no field needs a type check
        # below (a null or another type anywhere goes to the detailed path).
        if data.__class__ is not dict:
            return None
        try:
            "".join(data.values())  # a TypeError for any value that is not a string (C-level, fast)
        except TypeError:
            return None
    elif not body:
        data = fast_form(request.query_string)  # str values only, or None
    elif content_type == "application/x-www-form-urlencoded" and body.strip():
        data = fast_form(body)
    else:
        return None
    if not data:
        return None
    if credentials:
        try:
            authenticate(vendor, data, credentials)  # the same check, before any field is read
        except AuthenticationError:
            return None  # the detailed path raises it again
    try:
        report = _lean_report(vendor, data, request.received_at)
    except ValueError:  # an unreadable time (OutOfRange included): the detailed path warns
        return None
    return None if report is None else new_push_result((report,), REPLY, ())


def _lean_report(vendor: str, data: dict[str, str], received_at: datetime) -> StatusReport | None:
    """:func:`build_report`'s report of ``data`` (every value a string) when it
    would give no warning, else ``None``. Raises ``ValueError`` for a time
    :func:`parse_time` cannot read."""
    get = data.get
    message_id = get("msgid")
    status = get("status")
    if message_id is None or identity_problem(message_id) is not None or status is None or not status.strip():
        return None
    batch_seq = get("batchSeq")
    batch_id = batch_seq or None
    if batch_id is not None and identity_problem(batch_id) is not None:
        return None
    segments = None
    count = get("smsNum")
    if count:
        if not (count.isdigit() and count.isascii() and len(count) <= 3):
            return None
        segments = int(count)
        if segments > MAX_PARTS:
            return None
    fee = _lean_decimal(get("fee"))
    if "price" in data:  # the legacy name: checked when present, used when fee is not
        legacy = _lean_decimal(data["price"])
        if legacy is _ODD:
            return None
        fee = legacy if fee is None else fee
    if fee is _ODD:
        return None
    price = None
    if fee is not None:
        currency = get("currency")
        if not currency:
            code = _DEFAULT_CURRENCY
        elif len(currency) == 3 and currency.isalpha() and currency.isascii():  # _CURRENCY
            code = currency.upper()
            code = _CURRENCY_ALIASES.get(code, code)
        else:
            return None
        price = new_money(fee, code)
    try:
        country_number, region, operator = _destination(
            get("countryNumber") or None,
            get("regionCode") or None,
            get("mcc") or None,
            get("mnc") or None,
            get("mnoName") or None,
        )
    except ValueError:
        return None

    extra: dict[str, Any] = {}
    if "unitPrice" in data or "sellingPrice" in data:
        unit = _lean_decimal(get("unitPrice"))
        if "sellingPrice" in data:
            legacy = _lean_decimal(data["sellingPrice"])
            if legacy is _ODD:
                return None
            unit = legacy if unit is None else unit
        if unit is _ODD:
            return None
        extra["unit_price"] = None if unit is None else str(unit)
    if "accessNumber" in data:
        extra["access_number"] = data["accessNumber"] or None
    if "countryNumber" in data:
        extra["country_number"] = country_number

    mobile = get("mobile") or None
    uid = get("uid") or None
    requested, reported, notified = get("requestTime"), get("reportTime"), get("notifyTime")
    mapped = map_value(status)
    # The decoded dict is this call's own: drop the credentials in place (raw never holds them).
    data.pop("receiver", None)
    data.pop("pswd", None)
    return new_report(
        vendor,
        message_id,
        batch_id,
        None if mobile is None else to_e164(mobile),  # recipient
        mobile,  # recipient_raw
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        None,  # vendor_code
        None,  # vendor_description
        uid if uid != batch_seq else None,  # client_ref (see build_report)
        segments,
        None,  # part
        price,
        region,  # country
        operator,
        parse_time(requested, received_at) if requested else None,  # submitted_at
        parse_time(reported, received_at) if reported else None,  # status_at
        parse_time(notified, received_at) if notified else None,  # notified_at
        received_at,
        _PUSH,
        extra,
        data,  # raw
        (),  # warnings
    )


#: The longest destination text (countryNumber, regionCode, mcc, mnc, mnoName) the
#: cache below keeps: the documented ones are 2 to a few dozen characters, and
#: 1024 entries of a body's length each would be memory a sender controls.
_MAX_CACHED_DESTINATION = 64


# A sender reports a few destinations again and again (one per country and
# network), and an Operator is immutable, so reports may share one. Checking the
# five fields and building the Operator cost about 0.8 µs a push (a fifth of a
# json.loads of it), a hit here about 0.2.
@functools.lru_cache(maxsize=1024)
def _destination(
    dialling: str | None, region: str | None, mcc: str | None, mnc: str | None, name: str | None
) -> tuple[str | None, str | None, Operator | None]:
    """``(extra.country_number, country, operator)`` as :func:`build_report` reads
    countryNumber, regionCode, mcc, mnc and mnoName (each ``None`` when absent or
    empty); ``ValueError`` (not cached) where it would warn, or for a text too
    long to keep."""
    for text in (dialling, region, mcc, mnc, name):
        if text is not None and len(text) > _MAX_CACHED_DESTINATION:
            raise ValueError("longer than a destination field")
    if dialling is not None and _DIALLING.fullmatch(dialling) is None:
        raise ValueError("countryNumber")
    if region is not None:
        if not (len(region) == 2 and region.isalpha() and region.isascii()):  # _REGION
            raise ValueError("regionCode")
        region = region.upper()
    if mcc is not None and not (len(mcc) == 3 and mcc.isdigit() and mcc.isascii()):
        raise ValueError("mcc")
    if mnc is not None and not (len(mnc) <= 3 and mnc.isdigit() and mnc.isascii()):
        raise ValueError("mnc")
    return (
        None if dialling is None else (dialling.lstrip("+").lstrip("0") or None),
        region,
        None if mcc is None and mnc is None and name is None else new_operator(mcc, mnc, name),
    )


#: What _lean_decimal answers for a value the detailed path would warn about.
_ODD: Any = object()


def _lean_decimal(value: str | None) -> Decimal | None:
    """A decimal field as :func:`_decimal` reads it, or ``_ODD`` where it would warn
    (and for an amount longer than :data:`_MAX_CACHED_AMOUNT`, which the detailed
    path reads)."""
    if not value:
        return None
    try:
        return _amount(value)
    except ValueError:
        return _ODD  # type: ignore[no-any-return]


#: The longest amount text the cache below keeps: InnoPaaS's prices have a few
#: decimals, and 1024 cached amounts of a body's length each would be memory a
#: sender controls.
_MAX_CACHED_AMOUNT = 24


# InnoPaaS charges the same few prices (one per destination and part count), and
# the legacy push repeats its price in two fields: a Decimal is immutable, so
# reports may share one. The pattern check and the constructor cost about
# 0.35 µs an amount, a hit here about 0.1; a push carries two amounts.
@functools.lru_cache(maxsize=1024)
def _amount(value: str) -> Decimal:
    """``Decimal(value)`` of a documented amount; ``ValueError`` (not cached) for
    anything else, or a text too long to keep."""
    if len(value) > _MAX_CACHED_AMOUNT or _DECIMAL.fullmatch(value) is None:
        raise ValueError("not a short documented amount")
    return Decimal(value)


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    data, path = decode(vendor, request)
    if credentials:
        authenticate(vendor, data, credentials)
    report = build_report(Record(vendor, data, path), request.received_at)
    return new_push_result((report,), REPLY, ())


# -- decoding -----------------------------------------------------------------


def decode(vendor: str, request: PushRequest) -> tuple[dict[str, Any], str]:
    """The pushed record as an object, and the path prefix naming its fields."""
    content_type = request.content_type
    if content_type == "application/json" or content_type.endswith("+json"):
        data = fast_json(request.body)  # the same object json.loads gives, or None
        return (data if data.__class__ is dict else _json(vendor, request.body)), "$"
    if not request.body.strip():
        query = fast_form(request.query_string)  # None for a repeated name
        return (_first_values(request.query_params) if query is None else query), "query"
    if content_type in _FORM_TYPES:
        return _form(vendor, request), "form"
    if request.body.lstrip()[:1] in (b"{", b"["):
        return _json(vendor, request.body), "$"
    return _form(vendor, request), "form"


def _json(vendor: str, body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:  # includes UnicodeDecodeError
        raise PayloadError(vendor, "$", f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        kind = "an array" if isinstance(data, list) else f"a JSON {type(data).__name__}"
        raise PayloadError(vendor, "$", f"expected one report as a JSON object, got {kind}")
    return data


def _form(vendor: str, request: PushRequest) -> dict[str, Any]:
    try:
        params = request.form_params()
    except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart, unknown charset
        raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
    return _first_values(params)


def _first_values(params: list[tuple[str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in params:
        data.setdefault(key, value)  # a repeated parameter: the first value counts
    return data


# -- authentication -------------------------------------------------------------


def authenticate(vendor: str, data: dict[str, Any], credentials: Credentials) -> None:
    """Check each configured credential against the field of the same name.

    Runs before any field is read, so a forged push learns nothing about the
    payload checks. Raises :class:`AuthenticationError` naming the credential.
    """
    for name in SECRET_FIELDS:
        expected = credentials.optional(name)
        if expected is None:
            continue
        given = data.get(name)
        if given is not None and not isinstance(given, str):
            raise AuthenticationError(vendor, name, "not a string")
        check_credential(vendor, name, expected, given)


# -- the report -----------------------------------------------------------------


#: Every documented field (current and legacy names): all strings when present.
_ONLY_STRINGS = {str}

_STRING_FIELDS = (
    "msgid",
    "status",
    "batchSeq",
    "uid",
    "mobile",
    "reportTime",
    "notifyTime",
    "requestTime",
    "currency",
    "smsNum",
    "unitPrice",
    "fee",
    "sellingPrice",
    "price",
    "accessNumber",
    "countryNumber",
    "regionCode",
    "mnoName",
    "mcc",
    "mnc",
)


def build_report(record: Record, received_at: datetime) -> StatusReport:
    """One canonical report from one InnoPaaS record (JSON object or parameters).

    Absent fields, JSON null and ``""`` all mean "not said" (InnoPaaS sends
    empty strings for what is not set up). Only ``msgid`` (the identity) and
    ``status`` may reject the record: any other field that cannot be read is
    null in the report, with a warning, and stays in ``raw`` (InnoPaaS gives
    up after three tries, so a refused push is a lost report). No schema
    validator runs here: the checks are written out (each is what the payload
    schemas say). A push this reads without a warning is usually read by the
    lean path instead (:func:`_lean_report`, the same checks without warnings).
    """
    data = record.data
    if {*map(type, data.values())} != _ONLY_STRINGS:  # the usual case skips the per-field loop
        data = _strings_only(record)
    get = data.get
    message_id: str | None = get("msgid")
    if not message_id:
        raise record.error(
            "msgid", "required field is missing" if message_id is None else "must not be empty"
        )
    problem = identity_problem(message_id)
    if problem is not None:
        raise record.error("msgid", problem)
    status: str | None = get("status")
    if status is None:
        raise record.error("status", "required field is missing")
    if not status.strip():
        raise record.error("status", "must not be blank")

    batch_id: str | None = get("batchSeq") or None
    if batch_id is not None:
        problem = identity_problem(batch_id)
        if problem is not None:
            record.warn("batchSeq", problem)
            batch_id = None
    uid: str | None = get("uid") or None
    mobile: str | None = get("mobile") or None
    status_at = _time(record, "reportTime", received_at)
    notified_at = _time(record, "notifyTime", received_at)
    submitted_at = _time(record, "requestTime", received_at)
    segments = _segments(record, get("smsNum") or None)
    # Current names first, the legacy GET names as fallback; each is checked when present.
    fee = _decimal(record, "fee")
    if "price" in data:
        legacy = _decimal(record, "price")
        fee = legacy if fee is None else fee
    price = None if fee is None else new_money(fee, _currency(record))

    dialling: str | None = get("countryNumber") or None
    if dialling is not None and _DIALLING.fullmatch(dialling) is None:
        _unreadable(record, "countryNumber", dialling, "a dialling code")
        dialling = None
    region: str | None = get("regionCode") or None
    if region is not None:
        if _REGION.fullmatch(region):
            region = region.upper()
        else:
            _unreadable(record, "regionCode", region, "an ISO 3166-1 alpha-2 code")
            region = None
    mcc: str | None = get("mcc") or None
    if mcc is not None and not (len(mcc) == 3 and mcc.isdigit() and mcc.isascii()):
        _unreadable(record, "mcc", mcc, "a 3-digit MCC")
        mcc = None
    mnc: str | None = get("mnc") or None
    if mnc is not None and not (len(mnc) <= 3 and mnc.isdigit() and mnc.isascii()):
        _unreadable(record, "mnc", mnc, "a 1- to 3-digit MNC")
        mnc = None
    operator_name: str | None = get("mnoName") or None

    extra: dict[str, Any] = {}
    if "unitPrice" in data or "sellingPrice" in data:
        unit = _decimal(record, "unitPrice")
        if "sellingPrice" in data:
            legacy = _decimal(record, "sellingPrice")
            unit = legacy if unit is None else unit
        extra["unit_price"] = None if unit is None else str(unit)
    if "accessNumber" in data:
        extra["access_number"] = get("accessNumber") or None
    if "countryNumber" in data:
        extra["country_number"] = None if dialling is None else (dialling.lstrip("+").lstrip("0") or None)

    mapped = map_value(status)
    return new_report(  # StatusReport's fields, positionally (the push hot path)
        record.vendor,
        message_id,
        batch_id,
        None if mobile is None else to_e164(mobile),  # recipient
        mobile,  # recipient_raw
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        None,  # vendor_code
        None,  # vendor_description
        # InnoPaaS fills uid with batchSeq when the client gave none: that is no client reference.
        uid if uid != get("batchSeq") else None,  # client_ref
        segments,
        None,  # part
        price,
        region,  # country
        None
        if mcc is None and mnc is None and operator_name is None
        else new_operator(mcc, mnc, operator_name),
        submitted_at,
        status_at,
        notified_at,
        received_at,
        _PUSH,
        extra,
        _without_secrets(record.data),  # raw
        record.warnings,
    )


#: The fields the report needs as strings: a record missing one of them, or
#: carrying another type, cannot be identified or has no status.
_REQUIRED = ("msgid", "status")


def _strings_only(record: Record) -> dict[str, Any]:
    """The record without documented fields of another type than string:
    ``msgid`` or ``status`` of another type rejects the record, any other
    field is dropped with a warning (the value stays in ``raw``)."""
    data = dict(record.data)
    for name in _STRING_FIELDS:
        value = data.get(name)
        if value is None or type(value) is str:
            continue
        reason = f"expected a string, got {kind_of(value)}"
        if name in _REQUIRED:
            raise record.error(name, reason)
        record.warn(name, reason)
        del data[name]
    return data


def _unreadable(record: Record, name: str, value: str, what: str, code: WarningCode = _UNREADABLE) -> None:
    """Warn that ``name`` holds ``value``, which is not ``what``; the caller uses None."""
    record.warn(name, f"{shown(value)} is not {what}", code)


def _segments(record: Record, count: str | None) -> int | None:
    """``smsNum``: a digit string of at most 255 (the most parts of a
    concatenated SMS); anything else is null, with a warning."""
    if count is None:
        return None
    if count.isdigit() and count.isascii():
        if len(count) <= 3 and int(count) <= MAX_PARTS:
            return int(count)
        _unreadable(
            record, "smsNum", count, f"a segment count (at most {MAX_PARTS})", WarningCode.OUT_OF_RANGE
        )
    else:
        _unreadable(record, "smsNum", count, "a digit string")
    return None


def _decimal(record: Record, name: str) -> Decimal | None:
    value: str | None = record.data.get(name) or None
    if value is None or not isinstance(value, str):
        return None
    if _DECIMAL.fullmatch(value) is None:
        _unreadable(record, name, value, "a decimal number")
        return None
    return Decimal(value)


def _time(record: Record, name: str, received_at: datetime) -> datetime | None:
    value: str | None = record.data.get(name)
    if not value or not isinstance(value, str):
        return None
    try:
        return parse_time(value, received_at)
    except OutOfRange as exc:
        record.warn(name, str(exc), WarningCode.OUT_OF_RANGE)
    except ValueError as exc:
        record.warn(name, str(exc))
    return None


def _currency(record: Record) -> str | None:
    """ISO 4217 code of the fee; the doc's RMB when the push states none."""
    value: str | None = record.data.get("currency")
    if not value or not isinstance(value, str):
        return _DEFAULT_CURRENCY
    if _CURRENCY.fullmatch(value) is None:
        _unreadable(record, "currency", value, "a 3-letter currency code")
        return None
    code = value.upper()
    return _CURRENCY_ALIASES.get(code, code)


def _without_secrets(data: Mapping[str, Any]) -> Mapping[str, Any]:
    if "receiver" not in data and "pswd" not in data:
        return data
    raw = dict(data)  # a C-level copy, then two pops: cheaper than filtering every key
    for name in SECRET_FIELDS:
        raw.pop(name, None)
    return raw
