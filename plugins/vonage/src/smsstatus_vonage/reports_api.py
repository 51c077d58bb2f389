"""Vonage's Reports API, synchronous records: the SMS API's outbound messages by id.

``GET {base}/v2/reports/records?account_id=<id>&product=SMS&direction=outbound&id=<id,id...>``
with HTTP Basic ``api_key:api_secret`` (Nexmo/api-specification
``definitions/reports.yml``). Records carry ``message_id``, ``client_ref``,
``from``, ``to``, ``network`` (fused MCC+MNC), ``network_name``, ``country``,
``date_received``, ``date_finalized`` (``yyyy-mm-ddThh:mm:ss+0000``),
``status``, ``error_code``, ``error_code_description``, ``currency``,
``total_price``. Ids the API does not find are listed in ``ids_not_found``;
an id missing from both is reported not found too.

The id list is sent comma-separated, :data:`BATCH_LIMIT` at a time (the API
states no limit). 401/403 refuse the credentials and fail the whole fetch;
any other error answer fails only its batch's ids. Messages API ids
(``message_uuid``) are not fetched: this asks for ``product=SMS``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smsstatus.plugin import (
    Channel,
    FetchResult,
    ItemError,
    Money,
    NotFoundError,
    PayloadError,
    Record,
    StatusReport,
    VendorError,
    parse_rfc3339,
    read_network_code,
    to_e164,
)

from .mapping import map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "BATCH_LIMIT", "fetch_ids", "build_report"]

PATH = "v2/reports/records"
#: Ids per request: the API states no bound; twenty keeps the URL short.
BATCH_LIMIT = 20

_AUTH_FAILURES = frozenset({401, 403})


def _headers(credentials: Credentials) -> dict[str, str]:
    key, secret = credentials.require("api_key"), credentials.require("api_secret")
    token = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


def _error(vendor: str, response: HttpResponse) -> VendorError:
    """Vonage's problem-details body: ``title`` and ``detail``."""
    message = f"HTTP {response.status_code}"
    try:
        body: Any = json.loads(response.content)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        parts = [body.get(k) for k in ("title", "detail")]
        text = ": ".join(p for p in parts if isinstance(p, str) and p)
        message = text or message
    return VendorError(vendor, message, http_status=response.status_code)


def fetch_ids(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    headers = _headers(credentials)
    account_id = credentials.optional("account_id") or credentials.require("api_key")
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    wanted = [(i, v) for i, v in enumerate(ids) if v.strip() and "," not in v]
    for index, value in enumerate(ids):
        if not value.strip() or "," in value:
            bad = PayloadError(vendor, f"ids[{index}]", "a message id must be non-empty and have no comma")
            errors.append(ItemError(error=bad, raw=value, index=index))
    for start in range(0, len(wanted), BATCH_LIMIT):
        chunk = wanted[start : start + BATCH_LIMIT]
        params = [
            ("account_id", account_id),
            ("product", "SMS"),
            ("direction", "outbound"),
            ("id", ",".join(v for _, v in chunk)),
        ]
        response = client.request("GET", PATH, params=params, headers=headers)
        if response.status_code in _AUTH_FAILURES:
            raise _error(vendor, response)
        if response.status_code != 200:
            failure = _error(vendor, response)
            errors += [ItemError(error=failure, raw=response.text, index=i, key=v) for i, v in chunk]
            continue
        good, bad_items = _records(vendor, response, chunk)
        reports += good
        errors += bad_items
    return FetchResult(reports=tuple(reports), errors=tuple(errors))


def _records(
    vendor: str, response: HttpResponse, chunk: list[tuple[int, str]]
) -> tuple[list[StatusReport], list[ItemError]]:
    position = {v: i for i, v in chunk}
    try:
        envelope = Record(vendor, json.loads(response.content))
        records = envelope.array("records") if envelope.get("records") is not None else []
    except (ValueError, RecursionError, PayloadError) as exc:
        error = exc if isinstance(exc, PayloadError) else PayloadError(vendor, "$", "body is not valid JSON")
        return [], [ItemError(error=error, raw=response.text, index=i, key=v) for i, v in chunk]
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    found: set[str] = set()
    for n, item in enumerate(records):
        key = item.get("message_id") if isinstance(item, dict) else None
        key = key if isinstance(key, str) else None
        try:
            report = build_report(Record(vendor, item, f"$.records[{n}]"), response.received_at)
        except PayloadError as exc:
            errors.append(ItemError(error=exc, raw=item, index=position.get(key or ""), key=key))
            if key:
                found.add(key)
            continue
        reports.append(report)
        found.add(report.message_id or "")
    for index, value in chunk:
        if value not in found:
            missing = NotFoundError(vendor, "the Reports API has no record of this id", http_status=200)
            errors.append(ItemError(error=missing, raw=None, index=index, key=value))
    return reports, errors


def build_report(record: Record, received_at: datetime) -> StatusReport:
    message_id = record.ident("message_id")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    code = record.ident("error_code", required=False)
    mapped = map_value(status, code)
    recipient_raw = record.ident("to", required=False)
    extra: dict[str, Any] = {"api": "sms"}
    network = read_network_code(record, "network", extra)
    extra["latency_ms"] = record.integer("latency", required=False, strings=True)
    amount = record.decimal("total_price", required=False)
    currency = record.opt_string("currency")
    country = record.opt_string("country")
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=record.opt_string("from"),
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=code,
        vendor_description=record.opt_string("error_code_description"),
        client_ref=record.opt_string("client_ref"),
        price=None if amount is None else Money(amount, currency.upper() if currency else None),
        country=country.upper() if country and len(country) == 2 and country.isalpha() else None,
        operator=None if network is None else network.operator(record.opt_string("network_name")),
        submitted_at=record.time("date_received", parse_rfc3339, required=False),
        status_at=record.time("date_finalized", parse_rfc3339, required=False),
        received_at=received_at,
        channel=Channel.FETCH,
        extra=extra,
        raw=record.data,
        warnings=record.warnings,
    )
