"""Sinch's batch delivery report: ``GET /xms/v1/{service_plan_id}/batches/{batch_id}/delivery_report?type=full``.

One request per batch id, with the service plan's API token as a Bearer token,
on the plan's regional host (``https://{us|eu|au|br|ca}.sms.api.sinch.com``;
the default is ``us``, override the base URL for the others). The ``full``
report lists every recipient under its status and code: one report per
recipient (sinch/sinch-sdk-python ``sinch/domains/sms/api/v1/delivery_reports_apis.py``).
Per-batch problems become item errors; a refused token (401/403) fails the
whole fetch. Sinch's error body is ``{"code": ..., "text": ...}``.
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
)

from .reports import batch_reports

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "fetch"]

PATH = "xms/v1/{plan}/batches/{batch}/delivery_report"

_AUTH_FAILURES = frozenset({401, 403})
_UNREADABLE: Any = object()


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    plan = credentials.require("service_plan_id")
    headers = {"Authorization": f"Bearer {credentials.require('api_token')}", "Accept": "application/json"}
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, batch_id in enumerate(ids):
        if not batch_id.strip():
            empty = PayloadError(vendor, f"ids[{index}]", "batch id must not be empty")
            errors.append(ItemError(error=empty, raw=batch_id, index=index, key=None))
            continue
        path = PATH.format(plan=quote(plan, safe=""), batch=quote(batch_id, safe=""))
        response = client.request("GET", path, params={"type": "full"}, headers=headers)
        body = _decoded(response)
        if response.status_code == 200:
            try:
                if body is _UNREADABLE:
                    raise PayloadError(vendor, "$", "body is not valid JSON")
                good, bad = batch_reports(
                    Record(vendor, body), channel=Channel.FETCH, received_at=response.received_at
                )
            except PayloadError as exc:
                errors.append(ItemError(error=exc, raw=_raw(response, body), index=index, key=batch_id))
                continue
            reports += good
            errors += [ItemError(error=e.error, raw=e.raw, index=index, key=batch_id) for e in bad]
            continue
        code, message = _error(body, response.status_code)
        if response.status_code in _AUTH_FAILURES:
            raise VendorError(vendor, message, http_status=response.status_code, vendor_code=code)
        cls = NotFoundError if response.status_code == 404 else VendorError
        error = cls(vendor, message, http_status=response.status_code, vendor_code=code)
        errors.append(ItemError(error=error, raw=_raw(response, body), index=index, key=batch_id))
    return FetchResult(reports=tuple(reports), errors=tuple(errors))


def _decoded(response: HttpResponse) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return _UNREADABLE


def _raw(response: HttpResponse, body: Any) -> Any:
    return response.text if body is _UNREADABLE else body


def _error(body: Any, status: int) -> tuple[str | None, str]:
    if isinstance(body, dict):
        code = body.get("code")
        text = body.get("text")
        return (
            code if isinstance(code, str) and code else None,
            text if isinstance(text, str) and text else f"HTTP {status}",
        )
    return None, f"HTTP {status}"
