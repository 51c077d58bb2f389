"""Shared test doubles: small vendor plugins written against the public contract."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus import (
    Capability,
    Channel,
    CredentialSpec,
    DocumentedStatus,
    FetchResult,
    HttpClient,
    MappedStatus,
    MappingKind,
    PushReply,
    PushResult,
    Status,
    StatusReport,
    VendorInfo,
    hookimpl,
)
from smsstatus.fields import Record, decode_json_object, strip_fields

_TABLE = {
    "ok": MappedStatus(Status.DELIVERED),
    "fail": MappedStatus(Status.UNDELIVERED, smsstatus.Reason.UNREACHABLE),
    "?": MappedStatus(Status.UNKNOWN),
}


class FakeVendor:
    """A push+fetch vendor whose push body is ``{"id": ..., "status": ..., "token": ...}``.

    Records every hook call in ``calls`` so tests can see which implementation ran.
    """

    def __init__(self, vendor_id: str = "acme", resources: Any = None) -> None:
        self.vendor_id = vendor_id
        self.calls: list[str] = []
        self.resources = resources  # a directory holding schemas/ and fixtures/

    @hookimpl
    def vendor_info(self) -> VendorInfo:
        return VendorInfo(
            id=self.vendor_id,
            display_name=self.vendor_id.title(),
            capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
            statuses=tuple(DocumentedStatus(k, v) for k, v in _TABLE.items()),
            credentials=(
                CredentialSpec("token", "push", "webhook token"),
                CredentialSpec("api_key", "fetch", "API key", required=True),
            ),
            default_base_url="https://api.acme.invalid",
            secret_fields=("token",),
            schemas=self.resources / "schemas" if self.resources else None,
            fixtures=self.resources / "fixtures" if self.resources else None,
        )

    @hookimpl
    def map_status(self, status: str) -> MappedStatus:
        self.calls.append(f"map_status:{status}")
        return _TABLE.get(status, MappedStatus(Status.UNKNOWN, mapping=MappingKind.UNMAPPED))

    @hookimpl
    def parse_push(
        self, vendor: str, request: smsstatus.PushRequest, credentials: smsstatus.Credentials
    ) -> PushResult:
        self.calls.append("parse_push")
        data = decode_json_object(vendor, request.body)
        record = Record(vendor, data)
        smsstatus.check_credential(vendor, "token", credentials.optional("token"), record.opt_string("token"))
        status = record.string("status")
        mapped = self.map_status(status)
        report = StatusReport(
            vendor=vendor,
            message_id=record.ident("id"),
            status=mapped.status,
            mapping=mapped.mapping,
            reason=mapped.reason,
            vendor_status=status,
            channel=Channel.PUSH,
            received_at=request.received_at,
            raw=strip_fields(data, ("token",)),
        )
        return PushResult(reports=(report,), reply=PushReply.json({"ok": True}))

    @hookimpl
    def fetch(
        self,
        vendor: str,
        ids: Sequence[str],
        credentials: smsstatus.Credentials,
        client: smsstatus.HttpClient,
    ) -> FetchResult:
        self.calls.append("fetch")
        key = credentials.require("api_key")
        reports = []
        for message_id in ids:
            response = client.request("GET", f"/status/{message_id}", headers={"X-Key": key})
            data = Record(vendor, json.loads(response.content))
            mapped = self.map_status(data.string("status"))
            reports.append(
                StatusReport(
                    vendor=vendor,
                    message_id=message_id,
                    status=mapped.status,
                    channel=Channel.FETCH,
                    received_at=response.received_at,
                    raw=dict(data.data),
                )
            )
        return FetchResult(reports=tuple(reports))


class CountingWrapper:
    """A cross-cutting plugin: sees every vendor's calls."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    @hookimpl(wrapper=True)
    def parse_push(self, vendor: str) -> Any:
        self.seen.append(("parse_push", vendor))
        return (yield)

    @hookimpl(wrapper=True)
    def map_status(self, vendor: str) -> Any:
        self.seen.append(("map_status", vendor))
        return (yield)


@pytest.fixture
def fake_vendor_cls() -> type[FakeVendor]:
    return FakeVendor


@pytest.fixture
def counting_wrapper_cls() -> type[CountingWrapper]:
    return CountingWrapper


@pytest.fixture
def acme() -> FakeVendor:
    return FakeVendor("acme")


@pytest.fixture
def registry(acme: FakeVendor) -> smsstatus.Registry:
    return smsstatus.Registry(vendors={"acme": acme})


def _push(body: dict[str, Any], **kwargs: Any) -> smsstatus.PushRequest:
    return smsstatus.PushRequest.build(body=json.dumps(body), content_type="application/json", **kwargs)


@pytest.fixture
def push() -> Any:
    """Build a JSON push request: ``push({"id": "1", "status": "ok"})``."""
    return _push


#: A fake vendor API: (path, Authorization header) -> (HTTP status, JSON body).
Route = Callable[[str, str | None], tuple[int, Any]]


@pytest.fixture
def loopback_api() -> Iterator[Callable[[Route], str]]:
    """Start JSON APIs on 127.0.0.1 (random ports) answering GETs with ``route``;
    returns their base URL. Stopped when the test ends."""
    servers: list[HTTPServer] = []

    def start(route: Route) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                code, body = route(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(params=["fetch", "afetch"])
def make_http_client(request: pytest.FixtureRequest) -> Iterator[Callable[..., HttpClient]]:
    """Makes the HttpClient a plugin's ``fetch`` is handed: as ``Registry.fetch``
    makes it, or as ``Registry.afetch`` does (its requests sent by an
    ``httpx.AsyncClient`` on an event loop in another thread, through
    ``smsstatus.aio.AsyncBridgeTransport``). Tests taking it run both ways."""
    if request.param == "fetch":
        yield HttpClient
        return
    import asyncio

    from smsstatus.aio import AsyncBridgeTransport

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-event-loop", daemon=True)
    thread.start()
    clients: list[httpx.AsyncClient] = []

    def make(vendor: str, base_url: str | None, *, transport: Any = None, **options: Any) -> HttpClient:
        # The tests' transports (httpx.MockTransport, ReplayTransport) serve async clients too.
        client = httpx.AsyncClient(transport=transport, trust_env=False)
        clients.append(client)
        return HttpClient(vendor, base_url, transport=AsyncBridgeTransport(client, loop), **options)

    yield make
    for client in clients:
        asyncio.run_coroutine_threadsafe(client.aclose(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()
