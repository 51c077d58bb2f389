"""Issue 10 point 8 (fetch side): every outbound exchange has a total deadline
and a response size limit, as typed errors.

The hostile vendors are real loopback servers: one trickles its answer a byte
at a time (body or headers), one streams a chunked answer forever, one declares
a huge Content-Length. Each serves for at most ``SERVE_FOR`` seconds, far past
the deadlines used here, so a client without a deadline fails the elapsed-time
assertion instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus import HttpClient, HttpLimits, PushRequest, PushResult, RetryPolicy, TransportError, hookimpl
from smsstatus.errors import DeadlineExceededError, ResponseTooLargeError
from smsstatus.http import BodyReader
from smsstatus.registry import PUSH_LIMITS, PUSH_MAX_RESPONSE_BYTES

SERVE_FOR = 20.0
#: Slack for a loaded CI machine: a deadline of D seconds must end well before D + SLACK.
SLACK = 4.0


class _Hostile(socketserver.BaseRequestHandler):
    """Answers according to the request path; stops when the client goes away.

    One request per connection, and a complete answer says so (``Connection:
    close``): without it the client may reuse the pooled connection for its
    next request before the server's close reaches it, and fail on a loaded
    machine with "Server disconnected" (CI run of stop 18).
    """

    stop: threading.Event

    def handle(self) -> None:
        sock: socket.socket = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            data = sock.recv(4096)
            if not data:
                return
            head += data
        path = head.split(b" ", 2)[1].decode()
        self.server.paths.append(path)  # type: ignore[attr-defined]
        ends = time.monotonic() + SERVE_FOR
        try:
            if path.startswith("/trickle-body"):
                sock.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                )
                while time.monotonic() < ends and not self.stop.is_set():
                    sock.sendall(b" ")
                    time.sleep(0.2)
            elif path.startswith("/trickle-headers"):
                sock.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while time.monotonic() < ends and not self.stop.is_set():
                    sock.sendall(b"a")
                    time.sleep(0.2)
            elif path.startswith("/forever"):
                sock.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                )
                chunk = b"x" * 65536
                frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
                while time.monotonic() < ends and not self.stop.is_set():
                    sock.sendall(frame)
            elif path.startswith("/declared-huge"):
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n")
                while time.monotonic() < ends and not self.stop.is_set():
                    sock.sendall(b"y" * 65536)
            elif path.startswith("/busy"):
                body = b'{"error": "busy"}'
                sock.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nConnection: close\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
            else:
                body = b'{"id": "m1", "status": "ok"}'
                sock.sendall(
                    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
                    % (len(body), body)
                )
        except OSError:  # the client hung up: what a deadline or a size limit does
            return


@pytest.fixture
def hostile() -> Iterator[tuple[str, list[str]]]:
    stop = threading.Event()
    handler = type("Handler", (_Hostile,), {"stop": stop})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.paths  # type: ignore[attr-defined]
    stop.set()
    server.shutdown()
    server.server_close()


def _client(make: Any, base: str, **kwargs: Any) -> HttpClient:
    """``make`` is the ``make_http_client`` fixture: the client as fetch and as afetch get it."""
    client: HttpClient = make("acme", base, retry=RetryPolicy(attempts=1), **kwargs)
    return client


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_a_trickling_answer_stops_at_the_deadline(
    hostile: tuple[str, list[str]], path: str, make_http_client: Any
) -> None:
    base, _ = hostile
    started = time.monotonic()
    with (
        pytest.raises(DeadlineExceededError) as info,
        _client(make_http_client, base, limits=HttpLimits(timeout=1.5)) as client,
    ):
        client.request("GET", path)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5 + SLACK, elapsed
    error = info.value
    assert isinstance(error, TransportError) and error.exit_code == 4
    assert error.vendor == "acme" and error.timeout == 1.5 and "1.5" in str(error)


def test_an_endless_chunked_answer_stops_at_the_size_limit(
    hostile: tuple[str, list[str]], make_http_client: Any
) -> None:
    base, _ = hostile
    started = time.monotonic()
    limits = HttpLimits(timeout=SERVE_FOR, max_response_bytes=1_000_000)
    with (
        pytest.raises(ResponseTooLargeError) as info,
        _client(make_http_client, base, limits=limits) as client,
    ):
        client.request("GET", "/forever")
    assert time.monotonic() - started < SLACK
    assert info.value.limit == 1_000_000 and info.value.http_status == 200
    assert "1000000" in str(info.value)


def test_an_endless_answer_without_a_size_limit_stops_at_the_deadline(
    hostile: tuple[str, list[str]], make_http_client: Any
) -> None:
    base, _ = hostile
    started = time.monotonic()
    limits = HttpLimits(timeout=1.5, max_response_bytes=10**12)
    with pytest.raises(DeadlineExceededError), _client(make_http_client, base, limits=limits) as client:
        client.request("GET", "/forever")
    assert time.monotonic() - started < 1.5 + SLACK


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    hostile: tuple[str, list[str]], make_http_client: Any
) -> None:
    base, _ = hostile
    with (
        pytest.raises(ResponseTooLargeError),
        _client(make_http_client, base, limits=HttpLimits(max_response_bytes=1000)) as client,
    ):
        client.request("GET", "/declared-huge")


def test_retries_and_backoff_fit_in_the_deadline(
    hostile: tuple[str, list[str]], make_http_client: Any
) -> None:
    """``timeout`` is the whole exchange: a retry whose wait would end past the
    deadline is not made, and the last answer is returned."""
    base, paths = hostile
    started = time.monotonic()
    with make_http_client(
        "acme", base, retry=RetryPolicy(attempts=10), limits=HttpLimits(timeout=3)
    ) as client:
        response = client.request("GET", "/busy")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < 3 + SLACK, elapsed
    assert len(paths) == 2  # at 0 s and after the 2 s Retry-After; a third would end past 3 s


def test_a_normal_answer_is_unaffected(hostile: tuple[str, list[str]], make_http_client: Any) -> None:
    base, _ = hostile
    with _client(make_http_client, base, limits=HttpLimits(timeout=5, max_response_bytes=1000)) as client:
        response = client.request("GET", "/ok")
    assert response.status_code == 200 and response.json() == {"id": "m1", "status": "ok"}


def test_limits_apply_to_injected_transports_too() -> None:
    """Offline transports (replay, mocks) stream through the same reader."""

    def endless() -> Iterator[bytes]:
        while True:
            yield b"z" * 10_000

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=endless()))
    client = HttpClient(
        "acme", "https://api.acme.invalid", transport=transport, limits=HttpLimits(max_response_bytes=50_000)
    )
    with pytest.raises(ResponseTooLargeError):
        client.request("GET", "x")


def test_body_reader_is_sans_io() -> None:
    """The reader async clients share: fed chunks, it enforces the size limit
    and the deadline without doing any I/O itself."""
    now = [0.0]
    limits = HttpLimits(timeout=10, max_response_bytes=10)
    deadline = limits.deadline(clock=lambda: now[0])
    reader = BodyReader("acme", limits, deadline, http_status=200, declared_length=None)
    reader.feed(b"12345")
    reader.feed(b"67890")
    assert reader.content() == b"1234567890"
    with pytest.raises(ResponseTooLargeError):
        reader.feed(b"!")
    late = BodyReader("acme", limits, deadline, http_status=200, declared_length=None)
    now[0] = 10.5
    with pytest.raises(DeadlineExceededError):
        late.feed(b"1")
    with pytest.raises(ResponseTooLargeError):
        BodyReader("acme", limits, limits.deadline(), http_status=200, declared_length=11)


def test_cli_timeout_bounds_the_whole_fetch(hostile: tuple[str, list[str]]) -> None:
    """The issue's repro: ``smsstatus fetch ... --timeout 3`` against a 1-byte/s
    answer ran past 40 s. It now ends with one error line and exit 4."""
    base, _ = hostile
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    environ["SMSSTATUS_D7_API_TOKEN"] = "t0ken-value"
    started = time.monotonic()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "smsstatus.cli",
            "fetch",
            "d7",
            "req-1",
            "--base-url",
            base + "/trickle-body",
            "--timeout",
            "3",
        ],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert out.returncode == 4, out.stderr
    assert elapsed < 3 + SLACK + 2, elapsed  # + interpreter start-up
    (line,) = out.stderr.splitlines()
    assert "deadline" in line and "t0ken-value" not in line


def test_environment_proxies_are_still_honoured(
    hostile: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deadline-bound transport keeps what httpx did by default: an
    ``HTTP_PROXY`` from the environment carries the call (NO_PROXY permitting)."""
    base, paths = hostile
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", base)
    with _client(HttpClient, "http://api.acme.invalid") as client:
        assert client.request("GET", "/ok").json() == {"id": "m1", "status": "ok"}
    assert paths == ["http://api.acme.invalid/ok"]  # the absolute form a forward proxy receives
    monkeypatch.setenv("NO_PROXY", "api.acme.invalid")
    with (
        pytest.raises(TransportError),
        _client(HttpClient, "http://api.acme.invalid", limits=HttpLimits(timeout=3)) as client,
    ):
        client.request("GET", "/ok")


# -- the push path: parse_push's client (e.g. a signing certificate fetch) ---


@pytest.fixture
def key_fetching(fake_vendor_cls: Any) -> Any:
    """A vendor whose parse_push downloads a key from the push's ``key_url``
    (as AWS SNS's certificate check does) with the host's push client."""

    class KeyFetching(fake_vendor_cls):  # type: ignore[misc,valid-type]
        def __init__(self) -> None:
            super().__init__("acme")
            self.limits: list[HttpLimits] = []

        @hookimpl
        def parse_push(
            self, vendor: str, request: PushRequest, credentials: smsstatus.Credentials, client: HttpClient
        ) -> PushResult:
            self.limits.append(client.limits)
            client.request("GET", json.loads(request.body)["key_url"])
            result: PushResult = super().parse_push(vendor, request, credentials)
            return result

    return KeyFetching()


def _push_from(base: str, path: str) -> PushRequest:
    body = {"id": "m1", "status": "ok", "key_url": base + path}
    return PushRequest.build(body=json.dumps(body), content_type="application/json")


def test_the_push_client_has_a_deadline_and_a_size_limit_by_default(
    hostile: tuple[str, list[str]], key_fetching: Any
) -> None:
    base, _ = hostile
    registry = smsstatus.Registry(vendors={"acme": key_fetching})
    result = registry.parse_push("acme", _push_from(base, "/ok"))
    assert [r.message_id for r in result.reports] == ["m1"]
    # 10 s total (SNS waits 15 s for the answer), 1 MiB (a certificate is a few KiB)
    assert key_fetching.limits == [HttpLimits(timeout=10.0, max_response_bytes=1024 * 1024)]
    assert key_fetching.limits == [PUSH_LIMITS]
    started = time.monotonic()
    with pytest.raises(ResponseTooLargeError) as info:
        registry.parse_push("acme", _push_from(base, "/forever"))
    assert time.monotonic() - started < SLACK
    assert info.value.limit == PUSH_MAX_RESPONSE_BYTES and info.value.vendor == "acme"
    with pytest.raises(ResponseTooLargeError):
        registry.parse_push("acme", _push_from(base, "/declared-huge"))
    registry.close()


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_a_trickling_answer_on_the_push_path_stops_at_the_deadline(
    hostile: tuple[str, list[str]], key_fetching: Any, path: str
) -> None:
    base, paths = hostile
    registry = smsstatus.Registry(vendors={"acme": key_fetching}, push_limits=HttpLimits(timeout=1.5))
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError) as info:
        registry.parse_push("acme", _push_from(base, path))
    assert time.monotonic() - started < 1.5 + SLACK
    assert info.value.timeout == 1.5 and info.value.vendor == "acme"
    assert paths == [path]  # no retry on the push path: the vendor retries the push
    registry.close()


def test_push_limits_reach_loaded_registries(key_fetching: Any) -> None:
    limits = HttpLimits(timeout=2, max_response_bytes=4096)
    registry = smsstatus.load(environ={"SMSSTATUS_VENDORS": "none"}, push_limits=limits)
    registry.add_vendor("acme", key_fetching)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"k" * 5000))
    registry.use_push_transport(transport)
    with pytest.raises(ResponseTooLargeError) as info:
        registry.parse_push("acme", _push_from("https://keys.acme.invalid", "/key"))
    assert key_fetching.limits == [limits] and info.value.limit == 4096
