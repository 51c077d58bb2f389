"""Twilio's Message resource: ``GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json``.

One request per message SID (the API fetches one resource at a time), with
HTTP Basic authentication: the Account SID and Auth Token, or an API key's SID
and secret. Per-id problems (404, other 4xx and 5xx after the host's retries,
a malformed answer) become item errors so the other ids still report; a
refused credential (401/403) fails the whole fetch, since no id can succeed
with it.

The resource carries what a callback does not: ``price`` (a negative decimal
string, the amount charged, null until Twilio knows it) with ``price_unit``,
``num_segments``, ``error_message``, and RFC 2822 times
(``Thu, 30 Jul 2015 20:12:31 +0000``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    CredentialsError,
    FetchResult,
    Money,
    Record,
    StatusReport,
    fetch_each,
    kind_of,
    to_e164,
)

from .mapping import map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, HttpResponse

__all__ = ["PATH", "fetch", "basic_auth", "message_report", "rfc2822"]

PATH = "2010-04-01/Accounts/{account}/Messages/{sid}.json"


def basic_auth(credentials: Credentials) -> tuple[str, str]:
    """The Account SID (for the path) and the ``Authorization`` header: an API
    key when one is configured, else the Account SID and Auth Token."""
    account = credentials.require("account_sid")
    key_sid = credentials.optional("api_key_sid")
    key_secret = credentials.optional("api_key_secret")
    if key_sid or key_secret:
        if not (key_sid and key_secret):
            missing = "api_key_secret" if key_sid else "api_key_sid"
            raise CredentialsError(
                credentials.vendor, missing, "is required with the other half of the API key"
            )
        user, password = key_sid, key_secret
    else:
        user, password = account, credentials.require("auth_token")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return account, f"Basic {token}"


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    account, authorization = basic_auth(credentials)
    headers = {"Authorization": authorization, "Accept": "application/json"}

    def request(sid: str) -> HttpResponse:
        path = PATH.format(account=quote(account, safe=""), sid=quote(sid, safe=""))
        return client.request("GET", path, headers=headers)

    def answer(data: Any, response: HttpResponse) -> StatusReport:
        return message_report(Record(vendor, data), response.received_at)

    return fetch_each(vendor, ids, request, answer, error=error_detail, id_name="message SID")


def error_detail(body: Any, response: HttpResponse) -> tuple[str | None, str]:
    """Twilio's error body ``{"code": 20404, "message": ..., "more_info": ..., "status": 404}``."""
    fallback = f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return None, fallback
    code = body.get("code")
    message = body.get("message")
    return (
        str(code) if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
        message if isinstance(message, str) and message else fallback,
    )


def message_report(record: Record, received_at: datetime) -> StatusReport:
    """One Message resource to a report."""
    message_id = record.ident("sid")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    code = record.ident("error_code", required=False)
    mapped = map_value(status, code)
    recipient_raw = record.opt_string("to")
    extra: dict[str, Any] = {}
    for name in ("account_sid", "messaging_service_sid", "direction"):
        value = record.opt_string(name)
        if value is not None:
            extra[name] = value
    sent = _time(record)("date_sent")
    if sent is not None:
        extra["date_sent"] = sent.isoformat().replace("+00:00", "Z")
    segments = _segments(record)("num_segments")
    # Optional fields are read leniently (smsstatus.plugin.Record): an
    # unreadable one is None with a warning, and only the sid and the status
    # may reject the record.
    sender = record.opt_string("from")
    description = record.opt_string("error_message")
    price = _price(record)("price")
    submitted_at = _time(record)("date_created")
    status_at = _time(record)("date_updated")
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=sender,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=code,
        vendor_description=description,
        segments=segments,
        price=price,
        submitted_at=submitted_at,
        status_at=status_at,
        received_at=received_at,
        channel=Channel.FETCH,
        extra=extra,
        raw=dict(record.data),
        warnings=record.warnings,
    )


def _segments(record: Record) -> Callable[[str], int | None]:
    def read(name: str) -> int | None:
        return record.integer(name, required=False, strings=True, minimum=0, maximum=MAX_PARTS)

    return read


def _time(record: Record) -> Callable[[str], datetime | None]:
    def read(name: str) -> datetime | None:
        return record.time(name, rfc2822, required=False)

    return read


def _price(record: Record) -> Callable[[str], Money | None]:
    def read(name: str) -> Money | None:
        amount = record.decimal(name, required=False)
        if amount is None:
            return None
        unit = record.get("price_unit")
        currency = unit.strip().upper() if isinstance(unit, str) else None
        if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            currency = None
        # Twilio reports a charge as a negative amount; the canonical price is what it cost.
        return Money(abs(amount), currency)

    return read


def rfc2822(value: object) -> datetime:
    """An RFC 2822 date (``Thu, 30 Jul 2015 20:12:31 +0000``) to UTC; the
    ``-0000`` "no zone information" offset is read as UTC."""
    import email.utils  # only when fetching: ~20 ms of imports

    if not isinstance(value, str):
        raise ValueError(f"expected an RFC 2822 date string, got {kind_of(value)}")
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"{value!r} is not an RFC 2822 date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
