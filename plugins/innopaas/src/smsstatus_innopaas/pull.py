"""InnoPaaS's status-report pull (``drain``): ``POST /pull/report``.

Source: https://docs.innopaas.com/reference/pull-status-report (vendor-facts
2.4). The request is JSON ``{"account", "password", "count"}`` (``count`` at most
100) to the node the account lives on (Singapore ``http://intapi.sgap.253.com``,
Shanghai ``https://intapi.253.com``); the answer is ``{"result": [...], "code":
0, "error": ""}`` (the envelope of the sibling MO pull page; assumed the same).
InnoPaaS **deletes what a pull returns**, keeps reports 72 hours, and enables
the pull only on request.

One call makes exactly one request, so the host stores a batch before it asks
for the next; ``more`` is true when the batch was full. Records are read like
pushes (the same fields; times as ``yyMMddHHmmss`` Beijing time or epoch
milliseconds) and come back as ``fetch`` reports. A 200 answer whose body cannot
be read has consumed its reports anyway: its body comes back raw as an item
error, for the dead letters. The account password goes in the request body:
it never appears in an error, and errors never echo the request.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs
from smsstatus.plugin import Channel, DrainResult, ItemError, PayloadError, Record, StatusReport, VendorError

from .push import build_report

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient

__all__ = ["PATH", "COUNT", "drain_reports"]

PATH = "pull/report"
#: InnoPaaS's maximum per pull.
COUNT = 100

# Answer codes that refuse the account itself (InnoPaaS's API response codes).
_ACCOUNT_CODES = {"101": "account does not exist", "102": "incorrect password", "116": "account disabled"}


def drain_reports(vendor: str, credentials: Credentials, client: HttpClient) -> DrainResult:
    body = {
        "account": credentials.require("account"),
        "password": credentials.require("password"),
        "count": COUNT,
    }
    response = client.request("POST", PATH, json=body, headers={"Accept": "application/json"})
    if response.status_code != 200:
        raise VendorError(vendor, "unexpected HTTP status", http_status=response.status_code)
    try:
        data: Any = json.loads(response.content)
        envelope = Record(vendor, data)
    except (ValueError, RecursionError, PayloadError) as exc:
        # Whatever this answer carried is gone from InnoPaaS: keep the body.
        error = exc if isinstance(exc, PayloadError) else PayloadError(vendor, "$", "body is not valid JSON")
        return DrainResult(reports=(), errors=(ItemError(error=error, raw=response.text),), more=False)
    code = envelope.get("code")
    if code not in (None, 0, "0"):
        text = str(code)
        message = envelope.get("error")
        reason = _ACCOUNT_CODES.get(text) or (
            message if isinstance(message, str) and message else "pull refused"
        )
        raise VendorError(vendor, reason, http_status=200, vendor_code=text)
    try:
        items = envelope.array("result")
    except PayloadError as exc:
        return DrainResult(reports=(), errors=(ItemError(error=exc, raw=data),), more=False)
    # More records than asked for are kept all the same: they are gone from InnoPaaS.
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, item in enumerate(items):
        try:
            report = build_report(Record(vendor, item, f"$.result[{index}]"), response.received_at)
        except PayloadError as exc:
            key = item.get("msgid") if isinstance(item, dict) and isinstance(item.get("msgid"), str) else None
            errors.append(ItemError(error=exc, raw=item, index=index, key=key))
            continue
        reports.append(attrs.evolve(report, channel=Channel.FETCH))
    return DrainResult(reports=tuple(reports), errors=tuple(errors), more=len(items) >= COUNT)
