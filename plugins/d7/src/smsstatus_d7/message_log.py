"""D7's Get Status API (``GET /report/v1/message-log/{request_id}``).

One call per request id; each answer lists every recipient of that send
request, and each recipient becomes one report. Per-id problems (404, 422,
5xx after the host's retries, a malformed 200 body or message) become item
errors so the other ids still report; a rejected token (401/403) fails the
whole fetch, since no id can succeed with it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    FetchResult,
    ItemError,
    Money,
    NotFoundError,
    PayloadError,
    Record,
    ReportWarning,
    StatusReport,
    VendorError,
    kind_of,
    shown,
    to_e164,
)

from . import INFO
from .mapping import map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "fetch_ids", "parse_log", "error_detail", "schedule_time"]

#: Relative to the base URL (``https://api.d7networks.com`` unless overridden).
PATH = "report/v1/message-log/{request_id}"

#: Answers that mean the token itself is refused: no other id can do better.
_AUTH_FAILURES = frozenset({401, 403})


def fetch_ids(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    token = credentials.require("api_token")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, request_id in enumerate(ids):
        if not request_id.strip():
            empty = PayloadError(vendor, f"ids[{index}]", "request id must not be empty")
            errors.append(ItemError(error=empty, raw=request_id, index=index, key=None))
            continue
        response = client.request("GET", PATH.format(request_id=quote(request_id, safe="")), headers=headers)
        if response.status_code == 200:
            good, bad = _answer(vendor, response, request_id, index)
            reports += good
            errors += bad
            continue
        code, message, body = error_detail(response)
        if response.status_code in _AUTH_FAILURES:
            raise VendorError(vendor, message, http_status=response.status_code, vendor_code=code)
        cls = NotFoundError if response.status_code == 404 else VendorError
        error = cls(vendor, message, http_status=response.status_code, vendor_code=code)
        errors.append(ItemError(error=error, raw=body, index=index, key=request_id))
    return FetchResult(reports=tuple(reports), errors=tuple(errors))


def _answer(
    vendor: str, response: HttpResponse, request_id: str, index: int
) -> tuple[list[StatusReport], list[ItemError]]:
    try:
        data = json.loads(response.content)
    except ValueError as exc:  # includes UnicodeDecodeError
        error = PayloadError(vendor, "$", f"body is not valid JSON: {exc}")
        return [], [ItemError(error=error, raw=response.text, index=index, key=request_id)]
    return parse_log(vendor, data, response.received_at, request_id, index)


def parse_log(
    vendor: str, data: Any, received_at: datetime, request_id: str, index: int
) -> tuple[list[StatusReport], list[ItemError]]:
    """Reports of one message-log answer; a bad envelope fails the id, a bad
    message identity or status fails only that message, and any other field
    that cannot be read is null with a warning."""
    try:
        envelope = Record(vendor, data)
        messages = envelope.array("messages", max_items=INFO.max_batch)
        batch_id = envelope.ident("request_id", required=False)
        shared: dict[str, Any] = {}
        if envelope.has("channel"):
            shared["channel"] = envelope.opt_string("channel")
        if envelope.has("total_recipients"):
            shared["total_recipients"] = envelope.integer("total_recipients", required=False, minimum=0)
    except PayloadError as exc:
        return [], [ItemError(error=exc, raw=data, index=index, key=request_id)]
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for position, item in enumerate(messages):
        try:
            record = Record(vendor, item, f"$.messages[{position}]")
            reports.append(_report(record, batch_id, shared, envelope.warnings, received_at))
        except PayloadError as exc:
            errors.append(ItemError(error=exc, raw=item, index=index, key=request_id))
    return reports, errors


def _report(
    record: Record,
    batch_id: str | None,
    shared: dict[str, Any],
    envelope_warnings: tuple[ReportWarning, ...],
    received_at: datetime,
) -> StatusReport:
    message_id = record.ident("msg_id")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    recipient_raw = record.opt_string("recipient")
    extra = dict(shared)
    if record.has("schedule_time"):
        extra["schedule_time"] = record.optional("schedule_time", schedule_time)
    segments = record.integer("number_of_sms", required=False, minimum=0, maximum=MAX_PARTS)
    price = _cost(record, "sms_cost")
    country = _country(record, "country")
    mapped = map_value(status)
    warnings = record.warnings
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        batch_id=batch_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        segments=segments,
        price=price,
        country=country,
        received_at=received_at,
        channel=Channel.FETCH,
        extra=extra,
        raw=record.data,
        warnings=envelope_warnings + warnings if envelope_warnings else warnings,
    )


def _cost(record: Record, name: str) -> Money | None:
    """``sms_cost`` is a JSON number with no stated currency."""
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        record.warn(name, f"expected a number, got {kind_of(value)}")
        return None
    amount = record.decimal(
        name, required=False
    )  # a float is read via its shortest repr: 0.0004 stays 0.0004
    return None if amount is None else Money(amount, None)


def _country(record: Record, name: str) -> str | None:
    """ISO 3166-1 alpha-2 (upper-cased)."""
    value = record.opt_string(name)
    if value is None:
        return None
    if len(value) != 2 or not (value.isascii() and value.isalpha()):
        record.warn(name, f"{shown(value)} is not an ISO 3166-1 alpha-2 code")
        return None
    return value.upper()


def schedule_time(value: Any) -> str:
    """The scheduled send time as an RFC 3339 UTC string (for ``extra``);
    ``ValueError`` for anything else (the report then has it null, with a
    warning, and the value in ``raw``).

    D7 documents no format; its send API takes ISO 8601 with an offset
    (``2021-08-05T12:52+05:30``), so ISO 8601 is read and a time without an
    offset is taken as UTC.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 time string, got {kind_of(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{shown(value)} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    except OverflowError:  # 0001-01-01T00:00+01:00 lands before year 1
        raise ValueError(f"{shown(value)} is out of range") from None


def error_detail(response: HttpResponse) -> tuple[str | None, str, Any]:
    """D7's (FastAPI-style) error body: ``(code, message, decoded body)``.

    ``{"detail": {"code", "message"}}`` for 401/404, ``{"detail": [{"loc",
    "msg", "type"}]}`` for 422, ``{"detail": "text"}`` for framework errors.
    """
    fallback = f"HTTP {response.status_code}"
    try:
        body: Any = json.loads(response.content)
    except ValueError:
        return None, fallback, response.text
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        code = detail.get("code")
        message = detail.get("message")
        return (
            str(code) if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
            message if isinstance(message, str) and message else fallback,
            body,
        )
    if isinstance(detail, list):
        parts: list[str] = []
        code = None
        for item in detail:
            if not isinstance(item, dict):
                continue
            loc = item.get("loc")
            where = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
            msg = item.get("msg")
            parts.append(f"{where}: {msg}" if where else str(msg))
            if code is None and isinstance(item.get("type"), str):
                code = item["type"]
        return code, "; ".join(parts) or fallback, body
    if isinstance(detail, str) and detail:
        return None, detail, body
    return None, fallback, body
