"""Infobip's two pulls, both ``Authorization: App <api_key>`` on the account's
base URL:

* **fetch** ``GET /sms/1/logs?messageId=<id>``: the message logs (last 48 h),
  read without consuming anything; one request per id.
* **drain** ``GET /sms/1/reports?limit=<n>``: delivery reports not yet
  collected. Infobip returns each report **once** (the read deletes it), so a
  drain makes exactly one request per call and the host stores the batch
  before it asks again. A 200 answer whose body cannot be read has consumed
  its reports anyway: the body comes back as an item error, raw, for the
  dead letters. ``more`` is true when the batch was full.

Errors: 401/403 refuse the key itself and fail the whole call; other answers
fail only their id (fetch) or the call (drain, where nothing was consumed).
Infobip's error body is ``{"requestError": {"serviceException": {"messageId",
"text"}}}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from smsstatus.plugin import (
    Channel,
    DrainResult,
    FetchResult,
    ItemError,
    NotFoundError,
    PayloadError,
    StatusReport,
    VendorError,
)

from .reports import report_items, results

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["LOGS_PATH", "REPORTS_PATH", "DRAIN_LIMIT", "fetch_ids", "drain_reports", "error_detail"]

LOGS_PATH = "sms/1/logs"
REPORTS_PATH = "sms/1/reports"
#: Reports per drain request (Infobip allows up to 1000; a smaller batch keeps
#: what a crash between the vendor's answer and the store's commit can lose small).
DRAIN_LIMIT = 100

_AUTH_FAILURES = frozenset({401, 403})


def _headers(credentials: Credentials) -> dict[str, str]:
    return {"Authorization": f"App {credentials.require('api_key')}", "Accept": "application/json"}


def error_detail(response: HttpResponse) -> tuple[str | None, str]:
    """Infobip's ``(messageId, text)`` from an error answer."""
    fallback = f"HTTP {response.status_code}"
    try:
        body: Any = json.loads(response.content)
    except (ValueError, RecursionError):
        return None, fallback
    exception = body.get("requestError") if isinstance(body, dict) else None
    exception = exception.get("serviceException") if isinstance(exception, dict) else None
    if not isinstance(exception, dict):
        return None, fallback
    code, text = exception.get("messageId"), exception.get("text")
    return (
        code if isinstance(code, str) and code else None,
        text if isinstance(text, str) and text else fallback,
    )


def _refused(vendor: str, response: HttpResponse) -> VendorError:
    code, text = error_detail(response)
    cls = NotFoundError if response.status_code == 404 else VendorError
    return cls(vendor, text, http_status=response.status_code, vendor_code=code)


def _split(items: Any) -> tuple[list[StatusReport], list[ItemError]]:
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for item in items:
        (errors if isinstance(item, ItemError) else reports).append(item)
    return reports, errors


def fetch_ids(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    headers = _headers(credentials)
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, message_id in enumerate(ids):
        if not message_id.strip():
            empty = PayloadError(vendor, f"ids[{index}]", "message id must not be empty")
            errors.append(ItemError(error=empty, raw=message_id, index=index, key=None))
            continue
        response = client.request("GET", LOGS_PATH, params=[("messageId", message_id)], headers=headers)
        if response.status_code in _AUTH_FAILURES:
            raise _refused(vendor, response)
        if response.status_code != 200:
            errors.append(
                ItemError(error=_refused(vendor, response), raw=response.text, index=index, key=message_id)
            )
            continue
        try:
            items = results(vendor, response.json())
        except (ValueError, RecursionError, PayloadError) as exc:
            error = (
                exc if isinstance(exc, PayloadError) else PayloadError(vendor, "$", "body is not valid JSON")
            )
            errors.append(ItemError(error=error, raw=response.text, index=index, key=message_id))
            continue
        mine = [item for item in items if not isinstance(item, dict) or item.get("messageId") == message_id]
        if not mine:
            missing = NotFoundError(
                vendor, "no log for this message id (Infobip keeps logs 48 hours)", http_status=200
            )
            errors.append(ItemError(error=missing, raw=None, index=index, key=message_id))
            continue
        good, bad = _split(report_items(vendor, mine, response.received_at, Channel.FETCH))
        reports += good
        errors += [ItemError(error=e.error, raw=e.raw, index=index, key=message_id) for e in bad]
    return FetchResult(reports=tuple(reports), errors=tuple(errors))


def drain_reports(vendor: str, credentials: Credentials, client: HttpClient) -> DrainResult:
    response = client.request(
        "GET", REPORTS_PATH, params=[("limit", str(DRAIN_LIMIT))], headers=_headers(credentials)
    )
    if response.status_code != 200:
        raise _refused(vendor, response)
    try:
        items = results(vendor, response.json())
    except (ValueError, RecursionError, PayloadError) as exc:
        # The reports this answer carried are gone from Infobip: keep the body.
        error = exc if isinstance(exc, PayloadError) else PayloadError(vendor, "$", "body is not valid JSON")
        return DrainResult(reports=(), errors=(ItemError(error=error, raw=response.text),), more=False)
    reports, errors = _split(report_items(vendor, items, response.received_at, Channel.FETCH))
    return DrainResult(reports=tuple(reports), errors=tuple(errors), more=len(items) >= DRAIN_LIMIT)
