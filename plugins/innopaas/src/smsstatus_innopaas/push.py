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
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from smsstatus.plugin import (
    AuthenticationError,
    Channel,
    Money,
    Operator,
    PayloadError,
    PushReply,
    PushResult,
    Record,
    StatusReport,
    check_credential,
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


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

# Value formats; the payload schemas carry the same patterns.
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_DIALLING = re.compile(r"(?:\+|00)?[0-9]{1,4}")
_REGION = re.compile(r"[A-Za-z]{2}")

#: The doc's fee column says RMB; the ISO 4217 code is CNY.
_DEFAULT_CURRENCY = "CNY"
_CURRENCY_ALIASES = {"RMB": "CNY"}


def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    data, path = decode(vendor, request)
    if credentials:
        authenticate(vendor, data, credentials)
    report = build_report(Record(vendor, data, path), request.received_at)
    return PushResult(reports=(report,), reply=REPLY)


# -- decoding -----------------------------------------------------------------


def decode(vendor: str, request: PushRequest) -> tuple[dict[str, Any], str]:
    """The pushed record as an object, and the path prefix naming its fields."""
    content_type = request.content_type
    if content_type == "application/json" or content_type.endswith("+json"):
        return _json(vendor, request.body), "$"
    if not request.body.strip():
        return _first_values(request.query_params), "query"
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
    empty strings for what is not set up). Checks run as the fields are read:
    this is the hot path, so no schema validator runs here and the checks are
    written out inline (each is what the payload schemas say).
    """
    data = record.data
    if {*map(type, data.values())} != _ONLY_STRINGS:  # the usual case skips the per-field loop
        _check_types(record)
    get = data.get
    message_id: str | None = get("msgid")
    if not message_id:
        raise record.error(
            "msgid", "required field is missing" if message_id is None else "must not be empty"
        )
    status: str | None = get("status")
    if status is None:
        raise record.error("status", "required field is missing")
    if not status.strip():
        raise record.error("status", "must not be blank")

    batch_id: str | None = get("batchSeq") or None
    uid: str | None = get("uid") or None
    mobile: str | None = get("mobile") or None
    status_at = _time(record, "reportTime")
    notified_at = _time(record, "notifyTime")
    submitted_at = _time(record, "requestTime")

    count: str | None = get("smsNum") or None
    if count is not None and not (count.isdigit() and count.isascii()):
        raise _bad(record, "smsNum", count, "a digit string")
    # Current names first, the legacy GET names as fallback; both are checked when present.
    fee: str | None = get("fee") or get("price") or None
    for name in ("fee", "price"):
        value = get(name)
        if value and _DECIMAL.fullmatch(value) is None:
            raise _bad(record, name, value, "a decimal number")
    price = None if fee is None else Money(Decimal(fee), _currency(record))

    dialling: str | None = get("countryNumber") or None
    if dialling is not None and _DIALLING.fullmatch(dialling) is None:
        raise _bad(record, "countryNumber", dialling, "a dialling code")
    region: str | None = get("regionCode") or None
    if region is not None:
        if _REGION.fullmatch(region) is None:
            raise _bad(record, "regionCode", region, "an ISO 3166-1 alpha-2 code")
        region = region.upper()
    mcc: str | None = get("mcc") or None
    if mcc is not None and not (len(mcc) == 3 and mcc.isdigit() and mcc.isascii()):
        raise _bad(record, "mcc", mcc, "a 3-digit MCC")
    mnc: str | None = get("mnc") or None
    if mnc is not None and not (len(mnc) <= 3 and mnc.isdigit() and mnc.isascii()):
        raise _bad(record, "mnc", mnc, "a 1- to 3-digit MNC")
    operator_name: str | None = get("mnoName") or None

    extra: dict[str, Any] = {}
    if "unitPrice" in data or "sellingPrice" in data:
        for name in ("unitPrice", "sellingPrice"):
            value = get(name)
            if value and _DECIMAL.fullmatch(value) is None:
                raise _bad(record, name, value, "a decimal number")
        unit = get("unitPrice") or get("sellingPrice") or None
        extra["unit_price"] = None if unit is None else str(Decimal(unit))
    if "accessNumber" in data:
        extra["access_number"] = get("accessNumber") or None
    if "countryNumber" in data:
        extra["country_number"] = None if dialling is None else (dialling.lstrip("+").lstrip("0") or None)

    mapped = map_value(status)
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        batch_id=batch_id,
        recipient=None if mobile is None else to_e164(mobile),
        recipient_raw=mobile,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        # InnoPaaS fills uid with batchSeq when the client gave none: that is no client reference.
        client_ref=uid if uid != batch_id else None,
        segments=None if count is None else int(count),
        price=price,
        country=region,
        operator=None
        if mcc is None and mnc is None and operator_name is None
        else Operator(mcc, mnc, operator_name),
        submitted_at=submitted_at,
        status_at=status_at,
        notified_at=notified_at,
        received_at=received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=_without_secrets(data),
    )


def _check_types(record: Record) -> None:
    """Every documented field present must be a string (null counts as absent)."""
    get = record.data.get
    for name in _STRING_FIELDS:
        value = get(name)
        if value is not None and type(value) is not str:
            raise record.error(name, f"expected a string, got {_kind(value)}")


def _bad(record: Record, name: str, value: str, what: str) -> PayloadError:
    return record.error(name, f"{value!r} is not {what}")


def _time(record: Record, name: str) -> datetime | None:
    value: str | None = record.data.get(name)
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise record.error(name, str(exc)) from None


def _currency(record: Record) -> str:
    """ISO 4217 code of the fee; the doc's RMB when the push states none."""
    value: str | None = record.data.get("currency")
    if not value:
        return _DEFAULT_CURRENCY
    if _CURRENCY.fullmatch(value) is None:
        raise _bad(record, "currency", value, "a 3-letter currency code")
    code = value.upper()
    return _CURRENCY_ALIASES.get(code, code)


def _without_secrets(data: Mapping[str, Any]) -> Mapping[str, Any]:
    if "receiver" not in data and "pswd" not in data:
        return data
    raw = dict(data)  # a C-level copy, then two pops: cheaper than filtering every key
    for name in SECRET_FIELDS:
        raw.pop(name, None)
    return raw


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
