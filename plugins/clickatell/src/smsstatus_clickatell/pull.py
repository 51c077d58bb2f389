"""The Clickatell One message status query: ``GET /v1/message/{messageId}``.

One request per message id on ``https://platform.clickatell.com``, the
integration's API key as the ``Authorization`` header (farrel/clickatell-rust-tools
``clickatell-api/src/one_api/client.rs``). The answer names the channel the
message went through and its status in One's words, with the time of the last
update in Unix milliseconds::

    {"sms": {"status": "QUEUED", "timestamp": 1506607698000}}

(``clickatell-api/src/one_api/message_status/response.rs``). Per-id problems
become item errors; a refused key (401/403) fails the whole fetch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from smsstatus.plugin import (
    Channel,
    FetchResult,
    ItemError,
    NotFoundError,
    PayloadError,
    Record,
    StatusReport,
    VendorError,
)

from .mapping import map_value
from .push import epoch

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "CHANNELS", "fetch", "status_report"]

PATH = "v1/message/{message_id}"
#: The channels an answer may name, in the order the query's client reads them.
CHANNELS = ("whatsapp", "sms")

_AUTH_FAILURES = frozenset({401, 403})
_UNREADABLE: Any = object()


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    headers = {"Authorization": credentials.require("api_key"), "Accept": "application/json"}
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, message_id in enumerate(ids):
        if not message_id.strip():
            empty = PayloadError(vendor, f"ids[{index}]", "message id must not be empty")
            errors.append(ItemError(error=empty, raw=message_id, index=index, key=None))
            continue
        response = client.request("GET", PATH.format(message_id=quote(message_id, safe="")), headers=headers)
        body = _decoded(response)
        if response.status_code == 200:
            try:
                if body is _UNREADABLE:
                    raise PayloadError(vendor, "$", "body is not valid JSON")
                reports.append(status_report(Record(vendor, body), message_id, response.received_at))
            except PayloadError as exc:
                errors.append(ItemError(error=exc, raw=_raw(response, body), index=index, key=message_id))
            continue
        message = _message(body, response.status_code)
        if response.status_code in _AUTH_FAILURES:
            raise VendorError(vendor, message, http_status=response.status_code)
        cls = NotFoundError if response.status_code == 404 else VendorError
        error = cls(vendor, message, http_status=response.status_code)
        errors.append(ItemError(error=error, raw=_raw(response, body), index=index, key=message_id))
    return FetchResult(reports=tuple(reports), errors=tuple(errors))


def _decoded(response: HttpResponse) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return _UNREADABLE


def _raw(response: HttpResponse, body: Any) -> Any:
    return response.text if body is _UNREADABLE else body


def _message(body: Any, status: int) -> str:
    """One's error body: ``{"error": {"code": ..., "description": ...}}`` or a string [U]."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("description"), str):
            return str(error["description"])
        if isinstance(error, str) and error:
            return error
    return f"HTTP {status}"


def status_report(record: Record, message_id: str, received_at: datetime) -> StatusReport:
    """The answer for ``message_id`` (the answer itself carries no id)."""
    channel = next((name for name in CHANNELS if isinstance(record.get(name), dict)), None)
    if channel is None:
        raise record.error("sms", "the answer names no channel (sms or whatsapp)")
    entry = record.child(channel)
    status = entry.string("status")
    if not status.strip():
        raise entry.error("status", "must not be empty")
    mapped = map_value(status)
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=entry.ident("statusCode", required=False),
        vendor_description=mapped.description,
        status_at=entry.optional("timestamp", epoch),
        received_at=received_at,
        channel=Channel.FETCH,
        extra={"channel": channel},
        raw=dict(record.data),
        warnings=record.warnings,
    )
