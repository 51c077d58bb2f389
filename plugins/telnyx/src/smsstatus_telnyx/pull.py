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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from smsstatus.plugin import (
    Channel,
    FetchResult,
    Record,
    fetch_each,
    parse_rfc3339,
)

from .messages import Context, recipient_reports

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "fetch"]

PATH = "v2/messages/{id}"


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    headers = {"Authorization": f"Bearer {credentials.require('api_key')}", "Accept": "application/json"}

    def request(message_id: str) -> HttpResponse:
        return client.request("GET", PATH.format(id=quote(message_id, safe="")), headers=headers)

    def answer(body: Any, response: HttpResponse) -> FetchResult:
        return _answer(vendor, body, response)

    return fetch_each(vendor, ids, request, answer, error=_error, id_name="message id")


def _answer(vendor: str, body: Any, response: HttpResponse) -> FetchResult:
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
    reports, errors = recipient_reports(data, context)
    return FetchResult(reports=tuple(reports), errors=tuple(errors))


def _error(body: Any, response: HttpResponse) -> tuple[str | None, str]:
    status = response.status_code
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
