"""Issue 10 point 3: a vendor answer that echoes the request never carries a
secret out of the process.

Each fake vendor below answers with an error that quotes what it was sent (its
Authorization header, query string or signature), as some real APIs do on 400.
The bundled plugins put that text in their errors; the host must scrub it, in
every spelling, before the error reaches the caller, the CLI, the poller's
``last_error``, ``smsstatus status`` or a log line. The spellings checked here
are written out independently of the scrubber.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
import smsstatus
from smsstatus import PollPolicy, VendorError
from smsstatus.server.poller import Poller, VendorPoll
from smsstatus.tracker import Tracker, open_store

D7_TOKEN = "d7-T0ken/with+odd=chars"
CONTACTA_TOKEN = "c0ntacta/T0KEN+x=y"
USPEEDO = {"access_key_id": "AKID-public", "access_key_secret": "usp33do-Secret/+=", "account_id": "42"}


def spellings(secret: str) -> list[str]:
    """Raw, percent-encoded both ways, JSON-escaped (PHP's json_encode also escapes '/')."""
    json_escaped = json.dumps(secret)[1:-1]
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json_escaped,
        json_escaped.replace("/", "\\/"),
    ]


class Echo:
    """A vendor API that answers every request with ``answer(request)`` and
    remembers the credential-bearing headers it was sent."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.sent: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        for name in ("authorization", "x-signature"):
            if name in request.headers:
                value = request.headers[name]
                self.sent.append(value)
                scheme, _, payload = value.partition(" ")
                if scheme == "Basic":
                    self.sent.append(payload)
        return self.answer(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def assert_clean(self, text: str, secret: str) -> None:
        assert self.sent, "the fake vendor saw no credential header"
        for value in [*spellings(secret), *self.sent]:
            assert value not in text, f"{value!r} leaked into {text!r}"


def _echo_everything(request: httpx.Request) -> str:
    headers = "; ".join(f"{k}: {v}" for k, v in request.headers.items())
    return f"bad request {request.method} {request.url} headers {headers}"


def d7_echo(request: httpx.Request) -> httpx.Response:
    # The request's headers quoted as JSON, as a PHP backend writes it
    # (json_encode escapes every '/'), inside the error message.
    quoted = json.dumps(dict(request.headers)).replace("/", "\\/")
    detail = {"code": "UNAUTHORIZED", "message": f"rejected request {quoted}"}
    return httpx.Response(401, json={"detail": detail})


def d7_echo_per_id(request: httpx.Request) -> httpx.Response:
    return httpx.Response(400, json={"detail": _echo_everything(request)})


def contacta_echo(request: httpx.Request) -> httpx.Response:
    # "auth" in the text: the plugin classifies it as a rejected key (whole fetch).
    return httpx.Response(
        400, json={"status": False, "description": "auth failed: " + _echo_everything(request)}
    )


def uspeedo_echo(request: httpx.Request) -> httpx.Response:
    message = f"signature {request.headers['X-Signature']} does not verify; " + _echo_everything(request)
    return httpx.Response(200, json={"RetCode": 171, "Message": message})


CASES = [
    ("d7", {"api_token": D7_TOKEN}, D7_TOKEN, d7_echo, "req-1"),
    ("contacta", {"token": CONTACTA_TOKEN}, CONTACTA_TOKEN, contacta_echo, "m-1"),
    ("uspeedo", USPEEDO, USPEEDO["access_key_secret"], uspeedo_echo, "session-1"),
]


def _text_of(error: BaseException) -> str:
    return f"{error} {error!r} {error.args!r} {vars(error)!r}"


@pytest.mark.parametrize(("vendor", "creds", "secret", "answer", "fetch_id"), CASES)
def test_whole_fetch_errors_are_scrubbed(
    vendor: str, creds: dict[str, str], secret: str, answer: Any, fetch_id: str
) -> None:
    echo = Echo(answer)
    with pytest.raises(VendorError) as info:
        smsstatus.load().fetch(vendor, [fetch_id], creds, transport=echo.transport(), sleep=lambda _s: None)
    echo.assert_clean(_text_of(info.value), secret)
    assert "***" in str(info.value)  # scrubbed, not dropped: the rest of the vendor's text stays


def test_item_errors_are_scrubbed() -> None:
    echo = Echo(d7_echo_per_id)
    result = smsstatus.load().fetch(
        "d7", ["req-1", "req-2"], {"api_token": D7_TOKEN}, transport=echo.transport()
    )
    assert len(result.errors) == 2
    for item in result.errors:
        echo.assert_clean(_text_of(item.error) + json.dumps(item.raw), D7_TOKEN)


def test_httpx_and_smsstatus_log_lines_are_scrubbed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs each request URL (Contacta's carries the token in its query);
    the poller logs a failed fetch's error (here the echoed Basic header)."""
    store = open_store(f"sqlite:///{tmp_path / 'track.sqlite3'}")
    tracker = Tracker(store)
    tracker.track(
        "contacta", "m-1", PollPolicy(first_after=0, interval=60, give_up_after=3600, batch_limit=1)
    )
    registry = smsstatus.load()
    poll = VendorPoll(
        vendor="contacta",
        policy=registry.info("contacta").poll,  # type: ignore[arg-type]
        credentials=registry.credentials("contacta", {"token": CONTACTA_TOKEN}),
    )
    echo = Echo(contacta_echo)
    caplog.set_level(logging.DEBUG)
    poller = Poller(
        registry, tracker, [poll], fetch_options={"transport": echo.transport(), "sleep": lambda _s: None}
    )
    assert poller.run_once().failed == 1
    store.close()
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("HTTP Request: GET") for m in messages)  # httpx's line
    assert any("fetch from contacta failed" in m for m in messages)  # the poller's
    echo.assert_clean("\n".join(messages), CONTACTA_TOKEN)


def test_poll_target_last_error_and_status_are_scrubbed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The poller keeps the error of a failed fetch on the target; ``smsstatus
    status`` prints it. Neither may show the token the vendor echoed."""
    db = f"sqlite:///{tmp_path / 'track.sqlite3'}"
    store = open_store(db)
    tracker = Tracker(store)
    tracker.track("d7", "req-1", PollPolicy(first_after=0, interval=60, give_up_after=3600, batch_limit=1))
    echo = Echo(d7_echo_per_id)
    registry = smsstatus.load()
    poll = VendorPoll(
        vendor="d7",
        policy=registry.info("d7").poll,  # type: ignore[arg-type]
        credentials=registry.credentials("d7", {"api_token": D7_TOKEN}),
    )
    caplog.set_level(logging.DEBUG)
    poller = Poller(
        registry, tracker, [poll], fetch_options={"transport": echo.transport(), "sleep": lambda _s: None}
    )
    assert poller.run_once().fetched == 1
    (record,) = tracker.message("d7", "req-1")
    assert record.poll_target is not None and record.poll_target.last_error
    echo.assert_clean(record.poll_target.last_error, D7_TOKEN)
    echo.assert_clean("\n".join(r.getMessage() for r in caplog.records), D7_TOKEN)
    store.close()

    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    for fmt in ("table", "json"):
        out = subprocess.run(
            [sys.executable, "-m", "smsstatus.cli", "status", "d7", "req-1", "--db", db, "--format", fmt],
            capture_output=True,
            text=True,
            env=environ,
            timeout=60,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        assert "bad request GET" in out.stdout
        echo.assert_clean(out.stdout + out.stderr, D7_TOKEN)


def test_cli_error_line_is_scrubbed(loopback_api: Any) -> None:
    seen: list[str] = []

    def route(path: str, authorization: str | None) -> tuple[int, Any]:
        seen.append(authorization or "")
        return 400, {
            "status": False,
            "description": f"auth failed for {path} with Authorization: {authorization}",
        }

    base = loopback_api(route)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    out = subprocess.run(
        [sys.executable, "-m", "smsstatus.cli", "fetch", "contacta", "m-1", "--base-url", base],
        capture_output=True,
        text=True,
        env={**environ, "SMSSTATUS_CONTACTA_TOKEN": CONTACTA_TOKEN},
        timeout=60,
        check=False,
    )
    assert out.returncode == 4
    (line,) = out.stderr.splitlines()
    assert seen and seen[0].startswith("Basic ")
    for value in [*spellings(CONTACTA_TOKEN), seen[0], seen[0].removeprefix("Basic ")]:
        assert value not in line
    assert base64.b64decode(seen[0].removeprefix("Basic ")).endswith(CONTACTA_TOKEN.encode())
