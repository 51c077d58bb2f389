"""Telnyx's message resource: ``GET /v2/messages/{id}`` with a Bearer API key.

One request per message id (the API retrieves one message at a time); the
answer is ``{"data": <the message>}``, the same record a webhook's payload
carries, so each recipient becomes one report (:mod:`.messages`). The status
time is ``completed_at`` when Telnyx has one (a final status), else
``sent_at``. Per-id problems become item errors; a refused key (401/403)
fails the whole fetch. Telnyx's error body is
``{"errors": [{"code": "10005", "title": "Resource not found", "detail": ...}]}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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
    parse_rfc3339,
)

from .messages import Context, recipient_reports

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "fetch"]

PATH = "v2/messages/{id}"

_AUTH_FAILURES = frozenset({401, 403})
_UNREADABLE: Any = object()


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    headers = {"Authorization": f"Bearer {credentials.require('api_key')}", "Accept": "application/json"}
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, message_id in enumerate(ids):
        if not message_id.strip():
            empty = PayloadError(vendor, f"ids[{index}]", "message id must not be empty")
            errors.append(ItemError(error=empty, raw=message_id, index=index, key=None))
            continue
        response = client.request("GET", PATH.format(id=quote(message_id, safe="")), headers=headers)
        body = _decoded(response)
        if response.status_code == 200:
            try:
                good, bad = _answer(vendor, body, response)
            except PayloadError as exc:
                errors.append(ItemError(error=exc, raw=_raw(response, body), index=index, key=message_id))
                continue
            reports += good
            errors += [ItemError(error=e.error, raw=e.raw, index=index, key=message_id) for e in bad]
            continue
        code, message = _error(body, response.status_code)
        if response.status_code in _AUTH_FAILURES:
            raise VendorError(vendor, message, http_status=response.status_code, vendor_code=code)
        cls = NotFoundError if response.status_code == 404 else VendorError
        error = cls(vendor, message, http_status=response.status_code, vendor_code=code)
        errors.append(ItemError(error=error, raw=_raw(response, body), index=index, key=message_id))
    return FetchResult(reports=tuple(reports), errors=tuple(errors))


def _decoded(response: HttpResponse) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return _UNREADABLE


def _raw(response: HttpResponse, body: Any) -> Any:
    return response.text if body is _UNREADABLE else body


def _answer(vendor: str, body: Any, response: HttpResponse) -> tuple[list[StatusReport], list[ItemError]]:
    if body is _UNREADABLE:
        raise PayloadError(vendor, "$", "body is not valid JSON")
    data = Record(vendor, body).child("data")
    completed = data.time("completed_at", parse_rfc3339, required=False)
    sent = data.time("sent_at", parse_rfc3339, required=False)
    extra: dict[str, Any] = {}
    context = Context(
        channel=Channel.FETCH,
        received_at=response.received_at,
        raw=dict(data.data),
        extra=extra,
        status_at=completed or sent,
    )
    return recipient_reports(data, context)


def _error(body: Any, status: int) -> tuple[str | None, str]:
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            code = first.get("code")
            text = first.get("detail") or first.get("title")
            return (
                str(code) if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
                text if isinstance(text, str) and text else f"HTTP {status}",
            )
    return None, f"HTTP {status}"
