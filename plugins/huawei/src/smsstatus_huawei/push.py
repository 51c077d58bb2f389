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
  becomes an :class:`~smsstatus.ItemError` and the others are still reported.

The body is read according to its Content-Type (without a usable one, a body
starting with ``{`` is JSON and anything else a form). Huawei expects HTTP 200
with an empty body and does not process the answer.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from smsstatus.credentials import Credentials
from smsstatus.errors import PayloadError
from smsstatus.fields import Record, decode_json_object
from smsstatus.model import Channel, Part, StatusReport
from smsstatus.phone import to_e164
from smsstatus.request import ItemError, PushReply, PushRequest, PushResult

from . import signing
from .codes import map_code

__all__ = ["REPLY", "SOURCES", "CREDENTIAL_NAMES", "parse", "report_from", "parse_update_time"]

#: "200 OK" with an empty body (Huawei does not read the answer).
REPLY = PushReply(status_code=200, content_type=None, body=b"")

#: ``source``: who produced the report. Platform-origin failures (3) are not billed.
SOURCES: dict[str, str] = {"1": "sms_platform", "2": "smsc", "3": "huawei_platform"}

CREDENTIAL_NAMES = ("app_key", "app_secret", "app_key_2", "app_secret_2")

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

# yyyy-MM-dd'T'HH:mm:ss'Z' (Huawei's format), or RFC 3339 with fraction/offset.
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")


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
    try:
        params = request.form_params()
    except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart, unknown charset
        raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
    data: dict[str, str] = {}
    for key, value in params:
        data.setdefault(key, value)  # a repeated field: the first value counts
    return data


def _batch(vendor: str, request: PushRequest) -> PushResult:
    items = Record(vendor, decode_json_object(vendor, request.body)).array("statusReportList")
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
    """One canonical report from one Huawei report record."""
    message_id = record.string("smsMsgId")
    if not message_id.strip():
        raise record.error("smsMsgId", "must not be empty")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    total = record.integer("total", required=False, strings=True, minimum=1)
    sequence = record.integer("sequence", required=False, strings=True, minimum=1)
    if sequence is not None and total is not None and sequence > total:
        raise record.error("sequence", f"part {sequence} is beyond total {total}")
    part = None
    if total is not None and total > 1:
        if sequence is None:
            raise record.error("sequence", f"required when total is {total} (which part is this?)")
        part = Part(sequence, total)
    recipient_raw = record.opt_string("to")
    extra: dict[str, Any] = {}
    source = _source(record)
    if source is not None:
        extra["source"] = source
        extra["source_name"] = SOURCES.get(source)
    mapped = map_code(status)
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=record.opt_string("orgCode"),
        vendor_description=record.opt_string("statusDesc"),
        client_ref=record.opt_string("extend"),
        segments=total,
        part=part,
        status_at=record.time("updateTime", parse_update_time, required=False),
        received_at=received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=record.data,
    )


def _source(record: Record) -> str | None:
    """``source`` is a string enum (``"1"``..``"3"``); an integer is tolerated.
    Values outside the enum are kept (``source_name`` is then null)."""
    value = record.get("source")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise record.error("source", 'expected a string such as "2"')
    return str(value)


def parse_update_time(value: object) -> datetime:
    """``updateTime``: UTC ``yyyy-MM-dd'T'HH:mm:ss'Z'``. Percent-encoded colons
    (``%3A``, as Huawei describes the field) are decoded; an RFC 3339 time with
    fractional seconds or an offset is accepted too."""
    if not isinstance(value, str):
        raise ValueError(f"expected a time string, got {type(value).__name__}")
    text = unquote(value) if "%" in value else value
    if not _TIME.fullmatch(text):
        raise ValueError(f"{value!r} is not yyyy-MM-dd'T'HH:mm:ss'Z'")
    try:
        if len(text) == 20:  # the documented shape, built directly (the hot path)
            return datetime(
                int(text[0:4]),
                int(text[5:7]),
                int(text[8:10]),
                int(text[11:13]),
                int(text[14:16]),
                int(text[17:19]),
                tzinfo=UTC,
            )
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid time") from None
