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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from smsstatus.plugin import (
    Channel,
    FetchResult,
    Record,
    fetch_each,
)

from .reports import batch_reports

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "fetch"]

PATH = "xms/v1/{plan}/batches/{batch}/delivery_report"


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    plan = credentials.require("service_plan_id")
    headers = {"Authorization": f"Bearer {credentials.require('api_token')}", "Accept": "application/json"}

    def request(batch_id: str) -> HttpResponse:
        path = PATH.format(plan=quote(plan, safe=""), batch=quote(batch_id, safe=""))
        return client.request("GET", path, params={"type": "full"}, headers=headers)

    def answer(body: Any, response: HttpResponse) -> FetchResult:
        good, bad = batch_reports(
            Record(vendor, body), channel=Channel.FETCH, received_at=response.received_at
        )
        return FetchResult(reports=tuple(good), errors=tuple(bad))

    return fetch_each(vendor, ids, request, answer, error=_error, id_name="batch id")


def _error(body: Any, response: HttpResponse) -> tuple[str | None, str]:
    status = response.status_code
    if isinstance(body, dict):
        code = body.get("code")
        text = body.get("text")
        return (
            code if isinstance(code, str) and code else None,
            text if isinstance(text, str) and text else f"HTTP {status}",
        )
    return None, f"HTTP {status}"
