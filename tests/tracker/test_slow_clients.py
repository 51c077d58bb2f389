"""Issue 10 point 10: slow connections. Senders that send part of a body and
stall are answered 408 and disconnected after ``body_timeout``; connections
beyond ``limit_concurrency`` get 503; a normal push goes through meanwhile.
Runs the real uvicorn server on a loopback port with the settings
``smsstatus serve`` uses."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import smsstatus
import uvicorn
from smsstatus.server.app import Receiver, create_app
from smsstatus.server.build import uvicorn_options
from smsstatus.server.config import ReceiverConfig
from smsstatus.tracker import Tracker, open_store

from .helpers import PushVendor, push_body


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving(tmp_path: Path, config: ReceiverConfig, http: dict[str, str] | None = None) -> Iterator[int]:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    with open_store(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:
        receiver = Receiver(registry, Tracker(store), config=config)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(receiver),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                **{**uvicorn_options(config), **(http or {})},
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started
        try:
            yield port
        finally:
            server.should_exit = True
            thread.join(10)


def _stall(port: int, declared: int = 1_000_000, sent: int = 64 * 1024) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (
        f"POST /webhooks/acme HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    conn.sendall(head.encode() + b"x" * sent)
    return conn


def _answer(conn: socket.socket) -> tuple[bytes, bool]:
    """The status line the server sent, and whether it then closed."""
    data = b""
    closed = False
    try:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                closed = True
                break
            data += chunk
    except TimeoutError:
        pass
    except ConnectionResetError:
        closed = True
    return data.split(b"\r\n", 1)[0], closed


def test_stalled_senders_are_cut_off_and_others_still_served(tmp_path: Path) -> None:
    config = ReceiverConfig(body_timeout=1.0, limit_concurrency=50)
    with _serving(tmp_path, config) as port:
        started = time.monotonic()
        stalled = [_stall(port) for _ in range(20)]
        try:
            response = httpx.post(
                f"http://127.0.0.1:{port}/webhooks/acme",
                content=push_body("m1", "sent"),
                headers={"content-type": "application/json"},
                timeout=5,
            )
            assert response.status_code == 200
            for conn in stalled:
                conn.settimeout(max(0.1, started + 6 - time.monotonic()))
            answers = [_answer(conn) for conn in stalled]
        finally:
            for conn in stalled:
                conn.close()
        assert time.monotonic() - started < 8
    assert all(status.startswith(b"HTTP/1.1 408") and closed for status, closed in answers), answers


def test_connections_beyond_the_limit_get_503(tmp_path: Path) -> None:
    """limit_concurrency bounds what stalled senders can hold: past it, new
    requests are answered 503 at once instead of waiting with a body."""
    config = ReceiverConfig(body_timeout=5.0, limit_concurrency=10)
    with _serving(tmp_path, config) as port:
        stalled = []
        try:
            for _ in range(16):
                stalled.append(_stall(port))
                time.sleep(0.02)
            until = time.monotonic() + 1.5  # well before the body timeout
            statuses = []
            for conn in stalled:
                conn.settimeout(max(0.05, until - time.monotonic()))
                statuses.append(_answer(conn)[0])
        finally:
            for conn in stalled:
                conn.close()
    refused = [s for s in statuses if s.startswith(b"HTTP/1.1 503")]
    waiting = [s for s in statuses if s == b""]
    assert len(refused) >= 6 and len(waiting) >= 8, statuses


@pytest.mark.parametrize(
    ("implementation", "size", "chunk"),
    [
        ("serve", 64 * 1024, None),
        ("serve", 64 * 1024, 1024),
        ("serve", 1024 * 1024, 64 * 1024),
        # h11 bounds what it buffers of an incomplete head: a head that
        # arrives in one read is only bounded by the read size.
        ("h11", 64 * 1024, 1024),
    ],
)
def test_oversized_headers_are_refused(
    tmp_path: Path, implementation: str, size: int, chunk: int | None
) -> None:
    """A valid push behind a request head over ``max_header_bytes`` is
    refused (not stored, connection closed), whether the head arrives in one
    piece or trickles in, with the HTTP implementation serve picks (httptools
    when installed, which uvicorn does not bound) and with uvicorn's h11."""
    config = ReceiverConfig(max_header_bytes=16 * 1024)
    http = {"http": "h11"} if implementation == "h11" else None
    body = push_body("m1", "sent")
    head = (
        b"POST /webhooks/acme HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nX-Pad: " + b"a" * size + b"\r\n\r\n"
    )
    with _serving(tmp_path, config, http) as port:
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        with contextlib.suppress(OSError):  # the server may close while we still send
            if chunk is None:
                conn.sendall(head + body)
            else:
                for start in range(0, len(head), chunk):
                    conn.sendall(head[start : start + chunk])
                conn.sendall(body)
        status, closed = _answer(conn)
        conn.close()
        # The same push with a normal head is accepted (the refusal is the head's size).
        normal = httpx.post(
            f"http://127.0.0.1:{port}/webhooks/acme",
            content=body,
            headers={"content-type": "application/json"},
        )
    assert status.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431")) or (status == b"" and closed), status
    assert closed
    assert normal.status_code == 200
