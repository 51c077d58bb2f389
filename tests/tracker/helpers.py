"""Small vendor plugins for the tracker tests, written against the public contract."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import smsstatus
from smsstatus import (
    Capability,
    Channel,
    CredentialSpec,
    DocumentedStatus,
    FetchResult,
    ItemError,
    MappedStatus,
    MappingKind,
    NotAStatusError,
    NotFoundError,
    PollPolicy,
    PushReply,
    PushResult,
    Reason,
    Status,
    StatusReport,
    VendorInfo,
    hookimpl,
)
from smsstatus.fields import Record, decode_json_object, strip_fields

TABLE = {
    "queued": MappedStatus(Status.ACCEPTED),
    "sent": MappedStatus(Status.SENT),
    "ok": MappedStatus(Status.DELIVERED),
    "fail": MappedStatus(Status.UNDELIVERED, Reason.UNREACHABLE),
}

POLICY = PollPolicy(first_after=60.0, interval=30.0, give_up_after=300.0, batch_limit=2)


class Clock:
    """A settable clock shared by tracker and poller."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _map(status: str) -> MappedStatus:
    return TABLE.get(status, MappedStatus(Status.UNKNOWN, mapping=MappingKind.UNMAPPED))


class PushVendor:
    """Push: JSON ``{"id", "status", "batch"?, "at"?, "pswd"?}`` or a batch
    ``{"items": [...]}``. Fetch: ``GET /status?ids=a,b`` answering
    ``{"items": [{"id", "status"}], "missing": [ids]}``.

    ``broken`` makes parse_push raise a PayloadError (a "plugin bug" fixed by
    clearing it), for replay tests."""

    fetch_enabled = False

    def __init__(self, vendor_id: str = "acme", *, policy: PollPolicy = POLICY) -> None:
        self.vendor_id = vendor_id
        self.policy = policy
        self.broken = False
        self.fetched: list[list[str]] = []
        self.seen_urls: list[str] = []
        self.seen_remote: list[str | None] = []

    @hookimpl
    def vendor_info(self) -> VendorInfo:
        caps = {Capability.PUSH} | ({Capability.FETCH} if self.fetch_enabled else set())
        return VendorInfo(
            id=self.vendor_id,
            display_name=self.vendor_id.title(),
            capabilities=frozenset(caps),
            statuses=tuple(DocumentedStatus(k, v) for k, v in TABLE.items()),
            credentials=(
                CredentialSpec("pswd", "push", "webhook password"),
                CredentialSpec("api_key", "fetch", "API key", required=True),
            ),
            default_base_url="https://api.acme.invalid",
            poll=self.policy if self.fetch_enabled else None,
            fetch_key="batch_id" if self.fetch_enabled else None,
            secret_fields=("pswd",),
        )

    @hookimpl
    def map_status(self, status: str) -> MappedStatus:
        return _map(status)

    def _report(self, record: Record, received_at: datetime, channel: Channel) -> StatusReport:
        status = record.string("status")
        mapped = _map(status)
        at = record.opt_string("at")
        return StatusReport(
            vendor=record.vendor,
            message_id=record.opt_string("id"),
            batch_id=record.opt_string("batch"),
            status=mapped.status,
            reason=mapped.reason,
            mapping=mapped.mapping,
            vendor_status=status,
            status_at=datetime.fromisoformat(at) if at else None,
            received_at=received_at,
            channel=channel,
            raw=strip_fields(dict(record.data), ("pswd",)),
        )

    @hookimpl
    def parse_push(
        self, vendor: str, request: smsstatus.PushRequest, credentials: smsstatus.Credentials
    ) -> PushResult:
        self.seen_urls.append(request.url)
        self.seen_remote.append(request.remote_addr)
        if self.broken:
            raise smsstatus.PayloadError(vendor, "$.status", "plugin bug: cannot read this yet")
        data = decode_json_object(vendor, request.body)
        record = Record(vendor, data)
        smsstatus.check_credential(vendor, "pswd", credentials.optional("pswd"), record.opt_string("pswd"))
        reply = PushReply.json({"code": 0, "message": "ok"})
        if "items" not in data:
            return PushResult(reports=(self._report(record, request.received_at, Channel.PUSH),), reply=reply)
        reports, errors = [], []
        for index, item in enumerate(record.array("items")):
            if isinstance(item, dict) and "inbound" in item:
                not_status = NotAStatusError(vendor, f"$.items[{index}].inbound", "an inbound message")
                errors.append(ItemError(error=not_status, raw=item, index=index))
                continue
            try:
                reports.append(
                    self._report(Record(vendor, item, f"$.items[{index}]"), request.received_at, Channel.PUSH)
                )
            except smsstatus.PayloadError as exc:
                errors.append(
                    ItemError(
                        error=exc,
                        raw=strip_fields(item, ("pswd",)) if isinstance(item, dict) else item,
                        index=index,
                    )
                )
        return PushResult(reports=tuple(reports), reply=reply, errors=tuple(errors))


class Vendor(PushVendor):
    """:class:`PushVendor` plus fetch."""

    fetch_enabled = True

    @hookimpl
    def fetch(
        self,
        vendor: str,
        ids: Sequence[str],
        credentials: smsstatus.Credentials,
        client: smsstatus.HttpClient,
    ) -> FetchResult:
        key = credentials.require("api_key")
        self.fetched.append(list(ids))
        response = client.request("GET", "/status", params={"ids": ",".join(ids)}, headers={"X-Key": key})
        if response.status_code != 200:
            raise smsstatus.VendorError(vendor, "vendor down", http_status=response.status_code)
        data = Record(vendor, json.loads(response.content))
        reports = [
            self._report(Record(vendor, item, f"$.items[{i}]"), response.received_at, Channel.FETCH)
            for i, item in enumerate(data.array("items"))
        ]
        errors = [
            ItemError(error=NotFoundError(vendor, "no such id", http_status=404), raw=None, key=missing)
            for missing in data.data.get("missing", [])
        ]
        return FetchResult(reports=tuple(reports), errors=tuple(errors))


def push_body(mid: str | None, status: str, **extra: object) -> bytes:
    body: dict[str, object] = {"status": status, **extra}
    if mid is not None:
        body["id"] = mid
    return json.dumps(body).encode()


def push_scope(vendor: str = "acme") -> dict[str, object]:
    """The ASGI scope of one JSON POST to ``/webhooks/{vendor}``, for tests
    that call the receiver's ASGI app directly and watch every message."""
    path = f"/webhooks/{vendor}"
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"hooks.test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
