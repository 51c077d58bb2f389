"""Plivo's Message object: ``GET /v1/Account/{auth_id}/Message/{message_uuid}/``.

One request per message UUID (the list endpoint filters by state and time,
not by id), HTTP Basic ``auth_id:auth_token`` (plivo/plivo-python
``plivo/resources/messages.py``). Per-id problems become item errors; a
refused credential (401/403) fails the whole fetch.

The Message Detail Record carries ``message_state``, ``error_code`` (null, or
a code as a string), ``error_message``, ``units``, ``total_amount`` and
``total_rate`` (decimal strings without a currency), ``message_time`` and, in
newer answers, ``message_sent_time`` and ``message_updated_time``
(``2017-05-22 21:36:14+05:30``: with an offset), ``destination_country_iso2``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    FetchResult,
    Money,
    Record,
    StatusReport,
    fetch_each,
    to_e164,
)

from .mapping import map_value
from .push import plivo_time

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "fetch", "message_report"]

PATH = "v1/Account/{auth_id}/Message/{uuid}/"


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    auth_id = credentials.require("auth_id")
    token = credentials.require("auth_token")
    basic = base64.b64encode(f"{auth_id}:{token}".encode()).decode("ascii")
    headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}

    def request(uuid: str) -> HttpResponse:
        path = PATH.format(auth_id=quote(auth_id, safe=""), uuid=quote(uuid, safe=""))
        return client.request("GET", path, headers=headers)

    def answer(data: Any, response: HttpResponse) -> StatusReport:
        return message_report(Record(vendor, data), response.received_at)

    return fetch_each(vendor, ids, request, answer, error=_error, id_name="message UUID")


def _error(body: Any, response: HttpResponse) -> tuple[None, str]:
    """Plivo's error body: ``{"api_id": ..., "error": "not found"}`` (no code)."""
    if isinstance(body, dict):
        text = body.get("error")
        if isinstance(text, str) and text:
            return None, text
    return None, f"HTTP {response.status_code}"


def _country(value: Any) -> str:
    if not (isinstance(value, str) and len(value) == 2 and value.isascii() and value.isalpha()):
        raise ValueError("expected an ISO 3166-1 alpha-2 code")
    return value.upper()


def message_report(record: Record, received_at: datetime) -> StatusReport:
    """One Message Detail Record to a report."""
    message_id = record.ident("message_uuid")
    state = record.string("message_state")
    if not state.strip():
        raise record.error("message_state", "must not be empty")
    code = record.ident("error_code", required=False)
    mapped = map_value(state, code)
    recipient_raw = record.opt_string("to_number")
    amount = record.decimal("total_amount", required=False)
    rate = record.decimal("total_rate", required=False)
    segments = record.integer("units", required=False, strings=True, minimum=0, maximum=MAX_PARTS)
    submitted_at = record.time("message_time", plivo_time, required=False)
    updated_at = record.time("message_updated_time", plivo_time, required=False)
    sent_at = record.time("message_sent_time", plivo_time, required=False)
    country = record.optional("destination_country_iso2", _country)
    description = record.opt_string("error_message")
    extra: dict[str, Any] = {}
    for name in ("message_type", "message_direction", "powerpack_id"):
        value = record.get(name)
        if isinstance(value, str) and value:
            extra[name] = value
    if rate is not None:
        extra["total_rate"] = format(rate, "f")
    if sent_at is not None:
        extra["message_sent_time"] = sent_at.isoformat().replace("+00:00", "Z")
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=record.opt_string("from_number") if isinstance(record.get("from_number"), str) else None,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=state,
        vendor_code=code,
        vendor_description=description,
        segments=segments,
        price=None if amount is None else Money(amount, None),
        country=country,
        submitted_at=submitted_at,
        status_at=updated_at,
        received_at=received_at,
        channel=Channel.FETCH,
        extra=extra,
        raw=dict(record.data),
        warnings=record.warnings,
    )
