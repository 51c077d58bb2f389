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

from smsstatus.credentials import check_credential
from smsstatus.errors import AuthenticationError, PayloadError
from smsstatus.fields import Record
from smsstatus.model import Channel, Money, Operator, StatusReport
from smsstatus.phone import to_e164
from smsstatus.request import PushReply, PushResult

from .clock import parse_time
from .mapping import map_value

if TYPE_CHECKING:
    from datetime import datetime

    from smsstatus.credentials import Credentials
    from smsstatus.request import PushRequest

__all__ = ["REPLY", "SECRET_FIELDS", "parse", "decode", "authenticate", "build_report"]

#: What InnoPaaS needs to stop retrying (3 attempts, 1 minute apart): HTTP 200.
REPLY = PushReply(status_code=200, content_type=None, body=b"")

#: Webhook credentials the push carries in plain text; never kept in ``raw``.
SECRET_FIELDS = ("receiver", "pswd")

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

# Value formats; the payload schemas carry the same patterns.
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_COUNT = re.compile(r"[0-9]+")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_DIALLING = re.compile(r"(?:\+|00)?[0-9]{1,4}")
_REGION = re.compile(r"[A-Za-z]{2}")
_MCC = re.compile(r"[0-9]{3}")
_MNC = re.compile(r"[0-9]{1,3}")

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


def build_report(record: Record, received_at: datetime) -> StatusReport:
    """One canonical report from one InnoPaaS record (JSON object or parameters)."""
    data = record.data
    message_id = record.string("msgid")
    if not message_id:
        raise record.error("msgid", "must not be empty")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be blank")

    batch_id = record.opt_string("batchSeq")
    uid = record.opt_string("uid")
    mobile = record.opt_string("mobile")
    status_at = _time(record, "reportTime")
    notified_at = _time(record, "notifyTime")
    submitted_at = _time(record, "requestTime")
    currency = _currency(record)
    count = _match(record, "smsNum", _COUNT, "a digit string")
    # Current names first, the legacy GET names as fallback; both are checked when present.
    unit_price = _match(record, "unitPrice", _DECIMAL, "a decimal number")
    fee = _match(record, "fee", _DECIMAL, "a decimal number")
    selling_price = _match(record, "sellingPrice", _DECIMAL, "a decimal number")
    legacy_price = _match(record, "price", _DECIMAL, "a decimal number")
    access_number = record.opt_string("accessNumber")
    dialling = _match(record, "countryNumber", _DIALLING, "a dialling code")
    region = _match(record, "regionCode", _REGION, "an ISO 3166-1 alpha-2 code")
    operator_name = record.opt_string("mnoName")
    mcc = _match(record, "mcc", _MCC, "a 3-digit MCC")
    mnc = _match(record, "mnc", _MNC, "a 1- to 3-digit MNC")

    amount = fee if fee is not None else legacy_price
    extra: dict[str, Any] = {}
    if "unitPrice" in data or "sellingPrice" in data:
        unit = unit_price if unit_price is not None else selling_price
        extra["unit_price"] = None if unit is None else str(Decimal(unit))
    if "accessNumber" in data:
        extra["access_number"] = access_number
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
        price=None if amount is None else Money(Decimal(amount), currency),
        country=None if region is None else region.upper(),
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


def _match(record: Record, name: str, pattern: re.Pattern[str], what: str) -> str | None:
    """An optional string field in a fixed format; absent, null and ``""`` give None."""
    value = record.opt_string(name)
    if value is None:
        return None
    if pattern.fullmatch(value) is None:
        raise record.error(name, f"{value!r} is not {what}")
    return value


def _time(record: Record, name: str) -> datetime | None:
    value = record.opt_string(name)
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise record.error(name, str(exc)) from None


def _currency(record: Record) -> str:
    """ISO 4217 code of the fee; the doc's RMB when the push states none."""
    value = _match(record, "currency", _CURRENCY, "a 3-letter currency code")
    if value is None:
        return _DEFAULT_CURRENCY
    code = value.upper()
    return _CURRENCY_ALIASES.get(code, code)


def _without_secrets(data: Mapping[str, Any]) -> Mapping[str, Any]:
    if "receiver" not in data and "pswd" not in data:
        return data
    return {k: v for k, v in data.items() if k not in SECRET_FIELDS}
