"""Huawei's status report pushes to canonical reports.

Two shapes carry the same fields (``smsMsgId``, ``total``, ``sequence``,
``status``, ``statusDesc``, ``source``, ``updateTime``, ``extend``, ``to``,
``orgCode``), every value a string:

* **Status Report Receiving API** (``sms_05_0003``): the send request's
  ``statusCallback``; ``application/x-www-form-urlencoded``, one report per
  request. Fields are named ``form.<name>`` in errors.
* **Batch Status Reports Receiving API** (``sms_05_0063``): the application's
  configured address; ``application/json`` ``{"statusReportList": [...]}``, up
  to 50 reports. Fields are named ``$.statusReportList[i].<name>``; a bad item
  becomes an :class:`~smsstatus.plugin.ItemError` and the others are still reported.

The body is read according to its Content-Type (without a usable one, a body
starting with ``{`` is JSON and anything else a form). Huawei expects HTTP 200
with an empty body and does not process the answer.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    Credentials,
    ItemError,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    decode_json_object,
    fast_form,
    fast_json,
    fast_path,
    identity,
    identity_problem,
    kind_of,
    new_part,
    new_push_result,
    new_report,
    to_e164,
)

from . import INFO, signing
from .codes import map_code

__all__ = ["REPLY", "SOURCES", "CREDENTIAL_NAMES", "parse", "report_from", "parse_update_time"]

#: "200 OK" with an empty body (Huawei does not read the answer).
REPLY = PushReply(status_code=200, content_type=None, body=b"")

#: ``source``: who produced the report. Platform-origin failures (3) are not billed.
SOURCES: dict[str, str] = {"1": "sms_platform", "2": "smsc", "3": "huawei_platform"}

CREDENTIAL_NAMES = ("app_key", "app_secret", "app_key_2", "app_secret_2")

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

# yyyy-MM-dd'T'HH:mm:ss'Z' (Huawei's format), or RFC 3339 with fraction/offset.
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)


# -- the lean path: the documented shapes, every value a string ---------------------

_PUSH = Channel.PUSH
_NO_ERRORS: tuple[()] = ()


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The reports when the push is exactly what Huawei documents, else ``None``
    (then :func:`parse` checks the signature and reads it field by field)."""
    if len(credentials):
        return None  # signed pushes: the detailed path checks the signature
    content_type = request.content_type
    received_at = request.received_at
    if content_type == "application/x-www-form-urlencoded":
        data = fast_form(request.body)
        report = None if data is None else _lean_report(vendor, data, received_at)
        return None if report is None else new_push_result((report,), REPLY, _NO_ERRORS)
    if content_type != "application/json":
        return None
    envelope = fast_json(request.body)
    if envelope.__class__ is not dict:
        return None
    items = envelope.get("statusReportList")
    if items.__class__ is not list or not 0 < len(items) <= INFO.max_batch:
        return None
    reports: list[StatusReport] = []
    for item in items:
        report = _lean_report(vendor, item, received_at) if item.__class__ is dict else None
        if report is None:
            return None
        reports.append(report)
    return new_push_result(tuple(reports), REPLY, _NO_ERRORS)


#: Part numbers as Huawei writes them, "1" to "255": one lookup reads them (the
#: checks and ``int()`` below cost about 0.15 µs, twice a report).
_PART_NUMBERS = {str(number): number for number in range(1, MAX_PARTS + 1)}


def _part_number(value: Any) -> int | None:
    """A documented part number: 1 to 3 digits, 1..255 (else None)."""
    if value.__class__ is not str:
        return None
    number = _PART_NUMBERS.get(value)
    if number is None and 0 < len(value) <= 3 and value.isdigit() and value.isascii():  # "001"
        number = int(value)
        if not 1 <= number <= MAX_PARTS:
            return None
    return number


def _lean_report(vendor: str, data: dict[str, Any], received_at: datetime) -> StatusReport | None:
    """:func:`report_from` for a record with every field as documented, else None."""
    get = data.get
    message_id = get("smsMsgId")
    status = get("status")
    if (
        message_id.__class__ is not str
        or identity_problem(message_id) is not None
        or status.__class__ is not str
        or not status.strip()
    ):
        return None
    total = get("total")
    part = None
    if total is None or total == "":
        segments = None
    else:
        segments = _part_number(total)
        sequence = get("sequence")
        if segments is None:
            return None
        if sequence is None or sequence == "":
            if segments > 1:
                return None  # which part? the detailed path refuses it
        else:
            index = _part_number(sequence)
            if index is None or index > segments:
                return None
            if segments > 1:
                part = new_part(index, segments)
    to, org_code, description, extend, source = (
        get("to"),
        get("orgCode"),
        get("statusDesc"),
        get("extend"),
        get("source"),
    )
    # Each optional field absent or a string (written out: a helper call per field
    # cost a twentieth of the push).
    if (
        (to is not None and to.__class__ is not str)
        or (org_code is not None and org_code.__class__ is not str)
        or (description is not None and description.__class__ is not str)
        or (extend is not None and extend.__class__ is not str)
        or (source is not None and source.__class__ is not str)
    ):
        return None
    update_time = get("updateTime")
    if update_time is None or update_time == "":
        status_at = None
    elif update_time.__class__ is str:
        try:
            status_at = parse_update_time(update_time)
        except ValueError:
            return None
    else:
        return None
    recipient_raw = to or None
    source = source or None
    mapped = map_code(status)
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
        org_code or None,  # vendor_code
        description or None,  # vendor_description
        extend or None,  # client_ref
        segments,
        part,
        None,  # price
        None,  # country
        None,  # operator
        None,  # submitted_at
        status_at,
        None,  # notified_at
        received_at,
        _PUSH,
        {} if source is None else {"source": source, "source_name": SOURCES.get(source)},
        data,  # raw
        (),  # warnings
    )


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    if len(credentials):
        pairs = signing.key_pairs(vendor, {name: credentials.optional(name) for name in CREDENTIAL_NAMES})
        if pairs:
            signing.verify(vendor, request, pairs)
    if _is_json(request):
        return _batch(vendor, request)
    record = Record(vendor, _form(vendor, request), "form")
    return PushResult(reports=(report_from(record, request.received_at),), reply=REPLY)


def _is_json(request: PushRequest) -> bool:
    content_type = request.content_type
    if content_type in _FORM_TYPES:
        return False
    if content_type == "application/json" or content_type.endswith("+json"):
        return True
    return request.body.lstrip()[:1] == b"{"


def _form(vendor: str, request: PushRequest) -> dict[str, str]:
    """The form fields as an object; a repeated field keeps its first value."""
    try:
        params = request.form_params()  # urlencoded or multipart
    except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart, unknown charset
        raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
    data: dict[str, str] = {}
    for key, value in params:
        data.setdefault(key, value)
    return data


def _batch(vendor: str, request: PushRequest) -> PushResult:
    items = Record(vendor, decode_json_object(vendor, request.body)).array(
        "statusReportList", max_items=INFO.max_batch
    )
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    received_at = request.received_at
    for index, item in enumerate(items):
        try:
            record = Record(vendor, item, f"$.statusReportList[{index}]")
            reports.append(report_from(record, received_at))
        except PayloadError as exc:
            errors.append(ItemError(error=exc, raw=item, index=index, key=_key(item)))
    return PushResult(reports=tuple(reports), reply=REPLY, errors=tuple(errors))


def _key(item: Any) -> str | None:
    if isinstance(item, dict):
        value = item.get("smsMsgId")
        if isinstance(value, str) and value:
            return value
    return None


def report_from(record: Record, received_at: datetime) -> StatusReport:
    """One canonical report from one Huawei report record.

    Only the identity (``smsMsgId``, and for a long SMS the part ``sequence``
    of ``total``: every part shares the message id) and the ``status`` may
    reject the record; any other field that cannot be read is null with a
    warning. Values are read directly when they are what Huawei documents
    (strings); anything else goes through :class:`~smsstatus.plugin.Record`.
    """
    data = record.data
    message_id = data.get("smsMsgId")
    if message_id.__class__ is not str or identity_problem(message_id) is not None:
        message_id = identity(record.vendor, record.at("smsMsgId"), message_id)
    status = data.get("status")
    if status.__class__ is not str:
        status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    part, total = record.part("sequence", "total", identity=True)
    recipient_raw = _text(record, "to")
    source = _source(record)
    update_time = data.get("updateTime")
    mapped = map_code(status)
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw) if recipient_raw is not None else None,
        recipient_raw=recipient_raw,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=_text(record, "orgCode"),
        vendor_description=_text(record, "statusDesc"),
        client_ref=_text(record, "extend"),
        segments=total,
        part=part,
        status_at=None
        if update_time is None or update_time == ""
        else record.time("updateTime", parse_update_time, required=False),
        received_at=received_at,
        channel=Channel.PUSH,
        extra={} if source is None else {"source": source, "source_name": SOURCES.get(source)},
        raw=data,
        warnings=record.warnings,
    )


def _text(record: Record, name: str) -> str | None:
    """An optional string; absent, null and ``""`` give ``None``."""
    value = record.data.get(name)
    if value.__class__ is str:
        return value or None
    return record.opt_string(name)  # None, with a warning for a wrong type


def _source(record: Record) -> str | None:
    """``source`` is a string enum (``"1"``..``"3"``); an integer is tolerated.
    Values outside the enum are kept (``source_name`` is then null)."""
    value = record.get("source")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        record.warn("source", f'expected a string such as "2", got {kind_of(value)}')
        return None
    return str(value)


def parse_update_time(value: object) -> datetime:
    """``updateTime``: UTC ``yyyy-MM-dd'T'HH:mm:ss'Z'``. Percent-encoded colons
    (``%3A``, as Huawei describes the field) are decoded; an RFC 3339 time with
    fractional seconds or an offset is accepted too."""
    if not isinstance(value, str):
        raise ValueError(f"expected a time string, got {type(value).__name__}")
    text = unquote(value) if "%" in value else value
    documented = (
        len(text) == 20
        and text[19] == "Z"
        and text[10] == "T"
        and text[4] == "-"
        and text[7] == "-"
        and text[13] == ":"
        and text[16] == ":"
    )
    if not documented and _TIME.fullmatch(text) is None:
        raise ValueError(f"{value!r} is not yyyy-MM-dd'T'HH:mm:ss'Z'")
    try:
        # Strict about digits and ranges; the checks above fix the layout.
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid time") from None
    try:
        return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted past the datetime range
        raise ValueError(f"{value!r} is out of range once shifted to UTC") from None
