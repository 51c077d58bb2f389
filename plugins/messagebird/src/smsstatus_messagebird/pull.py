"""MessageBird's message resource: ``GET https://rest.messagebird.com/messages/{id}``.

One request per message id, ``Authorization: AccessKey <access key>``. The
answer holds the message and, in ``recipients.items[]``, one entry per
recipient with its own ``status``, ``statusDatetime``, ``statusReason``,
``statusErrorCode``, ``price``, ``mccmnc``, ``messagePartCount``: each becomes
a report (the message id and the recipient identify it together). A 404
(error code 20, "message not found") is a not-found item error; a refused key
(401, code 2) fails the whole fetch, since no id can succeed with it; a
malformed recipient item is an item error and the others still report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from smsstatus.plugin import (
    Channel,
    FetchResult,
    ItemError,
    Operator,
    PayloadError,
    Record,
    StatusReport,
    fetch_each,
    to_e164,
)

from .fields import MAX_LENGTH, MAX_PARTS, money, network, status_time
from .mapping import CODES, code_key, map_code

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["MAX_RECIPIENTS", "fetch", "message_reports"]

#: The most recipient items read from one message (MessageBird sends to at
#: most 50 recipients per message; a longer list is not one of its answers).
MAX_RECIPIENTS = 1000


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    headers = {
        "Authorization": f"AccessKey {credentials.require('access_key')}",
        "Accept": "application/json",
    }

    def request(message_id: str) -> HttpResponse:
        return client.request("GET", f"messages/{quote(message_id, safe='')}", headers=headers)

    def answer(data: Any, response: HttpResponse) -> FetchResult:
        found, failed = message_reports(vendor, data, response.received_at)
        return FetchResult(reports=tuple(found), errors=tuple(failed))

    return fetch_each(vendor, ids, request, answer, error=error_detail, id_name="message id")


def error_detail(body: Any, response: HttpResponse) -> tuple[str | None, str]:
    """MessageBird's error body ``{"errors": [{"code": 20, "description": ..., "parameter": ...}]}``."""
    fallback = f"HTTP {response.status_code}"
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    text = first.get("description")
    return (
        str(code) if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
        text if isinstance(text, str) and text else fallback,
    )


def message_reports(
    vendor: str, data: Any, received_at: datetime
) -> tuple[list[StatusReport], list[ItemError]]:
    """The reports of one message resource: one per recipient item."""
    message = Record(vendor, data)
    message_id = message.ident("id")
    recipients = message.child("recipients")
    items = recipients.array("items", max_items=MAX_RECIPIENTS)
    shared = {
        "client_ref": message.opt_string("reference"),
        "sender": message.opt_string("originator"),
        "submitted_at": status_time(message, "createdDatetime"),
        "datacoding": message.opt_string("datacoding"),
    }
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    envelope = {k: v for k, v in data.items() if k != "recipients"}
    for i, item in enumerate(items):
        try:
            record = Record(vendor, item, f"$.recipients.items[{i}]")
            # raw: the message (without the other recipients) and this recipient's item.
            raw = {"message": envelope, "recipient": item}
            reports.append(
                _recipient_report(
                    record,
                    message_id=message_id,
                    shared=shared,
                    shared_warnings=message.warnings,
                    received_at=received_at,
                    raw=raw,
                )
            )
        except PayloadError as exc:
            errors.append(ItemError(error=exc, raw=item, index=i, key=message_id))
    return reports, errors


def _recipient_report(
    record: Record,
    *,
    message_id: str | None,
    shared: dict[str, Any],
    shared_warnings: Any,
    received_at: datetime,
    raw: dict[str, Any],
) -> StatusReport:
    recipient = record.ident("recipient")  # an integer MSISDN in the resource
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    error_code = record.ident("statusErrorCode", required=False)
    reason_text = record.opt_string("statusReason")
    mapped = map_code(status, error_code, reason_text)
    extra: dict[str, Any] = {}
    operator, country = network(record, "mccmnc", extra)
    if operator is None:
        mcc = record.ident("mcc", required=False)
        mnc = record.ident("mnc", required=False)
        if mcc or mnc:
            operator = Operator(mcc=mcc, mnc=mnc, name=record.opt_string("recipientOperator"))
    country_code = record.opt_string("recipientCountry")
    length = record.integer("messageLength", required=False, strings=True, minimum=0, maximum=MAX_LENGTH)
    if length is not None:
        extra["message_length"] = length
    if shared["datacoding"] is not None:
        extra["datacoding"] = shared["datacoding"]
    if reason_text is not None:
        extra["status_reason"] = reason_text
    price = record.get("price")
    if price is not None and not isinstance(price, dict):
        record.warn("price", "expected an object with amount and currency")
    known = CODES.get(code_key(error_code) or "")
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        client_ref=shared["client_ref"],
        recipient=to_e164(recipient),
        recipient_raw=recipient,
        sender=shared["sender"],
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=error_code,
        vendor_description=known[1] if known else reason_text,
        segments=record.integer(
            "messagePartCount", required=False, strings=True, minimum=1, maximum=MAX_PARTS
        ),
        price=money(record, price.get("amount"), price.get("currency"), "price")
        if isinstance(price, dict)
        else None,
        country=country or (country_code.upper() if country_code and len(country_code) == 2 else None),
        operator=operator,
        submitted_at=shared["submitted_at"],
        status_at=status_time(record, "statusDatetime"),
        received_at=received_at,
        channel=Channel.FETCH,
        extra=extra,
        raw=raw,
        warnings=tuple(shared_warnings) + record.warnings,
    )
