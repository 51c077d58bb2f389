"""Test vendor plugins for the conformance kit: one good vendor, and the same
vendor with one deliberate flaw at a time.

``Vendor(vendor_id, root, **flaws)`` is a push+fetch vendor ("CFK") whose
fixtures and schemas live under ``root`` (``root/fixtures``, ``root/schemas``);
the tests copy this package's fixtures there with the vendor id replaced.

Push: ``POST`` JSON ``{"id", "to", "status", "code"?, "at"?, "price"?}`` (``price``
a decimal string in EUR), webhook token in ``X-Token`` (credential ``token``)
and, when ``signing_key`` is configured, ``X-Signature: hex(HMAC-SHA256(key,
body))``; reply ``{"ok": true}``.
Fetch: ``GET /messages/<id>`` with ``X-Key`` (credential ``api_key``); the
answer is the push body, ``cost`` a JSON number in EUR; 404 = not found.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from smsstatus import (
    AuthenticationError,
    Capability,
    Channel,
    Credentials,
    CredentialSpec,
    DocumentedStatus,
    FetchResult,
    HttpClient,
    ItemError,
    MappedStatus,
    MappingKind,
    Money,
    NotFoundError,
    PayloadError,
    PollPolicy,
    PushReply,
    PushRequest,
    PushResult,
    Reason,
    Status,
    StatusReport,
    VendorError,
    VendorInfo,
    check_credential,
    hookimpl,
    secret_equals,
)
from smsstatus.fields import Record, decode_json_object, strip_fields
from smsstatus.phone import to_e164
from smsstatus.times import parse_rfc3339

HERE = Path(__file__).resolve().parent
log = logging.getLogger("cfk_plugins")

TABLE = {
    "QUEUED": MappedStatus(Status.ACCEPTED),
    "SENT": MappedStatus(Status.SENT),
    "DELIVERED": MappedStatus(Status.DELIVERED),
    "FAILED": MappedStatus(Status.UNDELIVERED, Reason.UNREACHABLE),
    "EXPIRED": MappedStatus(Status.EXPIRED, Reason.EXPIRED),
    "REJECTED": MappedStatus(Status.REJECTED, Reason.BLOCKED),
}
UNMAPPED = MappedStatus(Status.UNKNOWN, mapping=MappingKind.UNMAPPED)


class Vendor:
    """The CFK vendor. Flaws: ``bad_map`` (DELIVERED maps to sent), ``bad_row``
    (the same, in the table the declared statuses are built from too),
    ``crash`` (a bare AttributeError on a non-object JSON body), ``leak`` (logs
    the webhook token), ``network`` (fetch opens its own connection),
    ``no_auth`` (never checks the webhook token), ``float_money`` (amounts through a float, six places),
    ``batch_limit_50`` (declares 50 ids per call, fetches one),
    ``oracle`` (a wrong signature's error tells the right one),
    ``extra_header`` (fetch also sends the key in a header nobody recorded),
    ``naive_time`` (times shifted to UTC without guarding the datetime range)."""

    def __init__(self, vendor_id: str, root: str | Path, **flaws: bool) -> None:
        self.vendor_id = vendor_id
        self.root = Path(root)
        self.flaws = flaws
        table = dict(TABLE)
        if flaws.get("bad_map") or flaws.get("bad_row"):
            table["DELIVERED"] = MappedStatus(Status.SENT)
        self.table = table
        self.declared = table if flaws.get("bad_row") else TABLE

    @hookimpl
    def vendor_info(self) -> VendorInfo:
        return VendorInfo(
            id=self.vendor_id,
            display_name="CFK Test Vendor",
            capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
            statuses=tuple(DocumentedStatus(k, v) for k, v in self.declared.items()),
            credentials=(
                CredentialSpec("token", "push", "Webhook token sent in X-Token"),
                CredentialSpec("signing_key", "push", "Key of the X-Signature HMAC (optional)"),
                CredentialSpec("api_key", "fetch", "API key sent in X-Key", required=True),
            ),
            schemas=self.root / "schemas",
            fixtures=self.root / "fixtures",
            default_base_url="https://api.cfk.invalid",
            docs_url="https://cfk.invalid/docs",
            poll=PollPolicy(
                first_after=5,
                interval=30,
                give_up_after=3600,
                batch_limit=50 if self.flaws.get("batch_limit_50") else 1,
            ),
        )

    @hookimpl
    def map_status(self, status: str) -> MappedStatus:
        return self.table.get(status.strip().upper(), UNMAPPED)

    def _report(self, vendor: str, record: Record, channel: Channel, received_at: datetime) -> StatusReport:
        status = record.string("status")
        mapped = self.map_status(status)
        recipient = record.opt_string("to")
        return StatusReport(
            vendor=vendor,
            message_id=record.ident("id"),
            recipient=to_e164(recipient),
            recipient_raw=recipient,
            status=mapped.status,
            mapping=mapped.mapping,
            reason=mapped.reason,
            vendor_status=status,
            vendor_code=record.opt_string("code"),
            status_at=record.time(
                "at", _shifted if self.flaws.get("naive_time") else parse_rfc3339, required=False
            ),
            price=self._price(record),
            received_at=received_at,
            channel=channel,
            raw=dict(record.data),
        )

    def _price(self, record: Record) -> Money | None:
        name = "price" if record.has("price") else "cost"
        if self.flaws.get("float_money") and record.get(name) is not None:
            return Money(Decimal(f"{float(record.get(name)):f}"), "EUR")
        amount = record.decimal(name, required=False)
        return None if amount is None else Money(amount, "EUR")

    def _check_signature(self, vendor: str, request: PushRequest, key: str | None) -> None:
        if not key:
            return
        expected = hmac.new(key.encode(), request.body, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Signature") or ""
        if not secret_equals(expected, given.lower()):
            detail = f" (expected {expected})" if self.flaws.get("oracle") else ""
            raise AuthenticationError(vendor, "signing_key", f"signature does not match{detail}")

    @hookimpl
    def parse_push(self, vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
        token = request.headers.get("X-Token")
        if self.flaws.get("leak"):
            log.debug("push for %s with token %s", vendor, token)
        if not self.flaws.get("no_auth"):
            check_credential(vendor, "token", credentials.optional("token"), token)
        self._check_signature(vendor, request, credentials.optional("signing_key"))
        if self.flaws.get("crash"):
            import json

            try:
                data: Any = json.loads(request.body)
            except ValueError:
                raise PayloadError(vendor, "$", "not JSON") from None
            data.get("id")  # AttributeError on a JSON array: the deliberate crash
        else:
            data = decode_json_object(vendor, request.body)
        report = self._report(
            vendor, Record(vendor, strip_fields(data, ())), Channel.PUSH, request.received_at
        )
        return PushResult(reports=(report,), reply=PushReply.json({"ok": True}))

    @hookimpl
    def fetch(
        self, vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient
    ) -> FetchResult:
        key = credentials.require("api_key")
        if self.flaws.get("network"):
            import contextlib
            import urllib.request

            with contextlib.suppress(OSError):
                urllib.request.urlopen("https://api.cfk.invalid/ping", timeout=1)
        reports: list[StatusReport] = []
        errors: list[ItemError] = []
        for index, message_id in enumerate(ids):
            headers = {"X-Key": key}
            if self.flaws.get("extra_header"):
                headers["X-Debug-Key"] = key
            response = client.request("GET", f"/messages/{message_id}", headers=headers)
            if response.status_code == 404:
                errors.append(
                    ItemError(
                        error=NotFoundError(vendor, "unknown message", http_status=404),
                        raw={"id": message_id},
                        index=index,
                        key=message_id,
                    )
                )
                continue
            if response.status_code != 200:
                raise VendorError(vendor, "status query failed", http_status=response.status_code)
            try:
                data = response.json()
            except ValueError:
                raise PayloadError(vendor, "$", "response is not JSON") from None
            reports.append(self._report(vendor, Record(vendor, data), Channel.FETCH, response.received_at))
        return FetchResult(reports=tuple(reports), errors=tuple(errors))


def _shifted(value: Any) -> datetime:
    """fromisoformat then astimezone: OverflowError for year 1 at +01:00."""
    return datetime.fromisoformat(str(value)).astimezone(UTC)


class MisspelledHook:
    """Cannot load: a hook name nobody specified."""

    @hookimpl
    def vendor_info(self) -> VendorInfo:
        return VendorInfo(
            id="cfkmisspelled",
            display_name="Misspelled",
            capabilities=frozenset(),
            statuses=(DocumentedStatus("OK", MappedStatus(Status.DELIVERED)),),
        )

    @hookimpl
    def map_stauts(self, status: str) -> MappedStatus:
        return UNMAPPED
