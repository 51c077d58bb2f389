"""The webhook endpoint outside Starlette's error middleware
(``ReceiverApp`` dispatches pushes to it directly): a bug before the answer
still gets a 500 and a log line, and a bug after the answer has started
never sends a second one (which would corrupt a keep-alive connection)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
import smsstatus
from smsstatus.server.app import Receiver, create_app
from smsstatus.tracker import Tracker

from .helpers import PushVendor, push_body


def _call(app: Any, body: bytes) -> list[dict[str, Any]]:
    """One push straight through the ASGI app; every message it sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/acme",
        "raw_path": b"/webhooks/acme",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"hooks.test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _receiver(tracker: Tracker) -> Receiver:
    return Receiver(smsstatus.Registry(vendors={"acme": PushVendor("acme")}), tracker)


class _Failing(Exception):
    pass


def test_a_bug_before_the_answer_gets_a_500(
    tracker: Tracker, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = _receiver(tracker)
    app = create_app(receiver)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise _Failing("a bug")

    monkeypatch.setattr(receiver, "push_request", broken)
    try:
        with caplog.at_level(logging.ERROR, logger="smsstatus"):
            sent = _call(app, push_body("m1", "sent"))
    finally:
        receiver.close()
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 500
    assert b'"internal"' in sent[1]["body"]
    assert any("push to acme failed" in r.getMessage() for r in caplog.records)
    assert tracker.counts()["messages"] == 0


def test_a_bug_after_the_answer_started_sends_no_second_answer(
    tracker: Tracker, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = _receiver(tracker)
    app = create_app(receiver)

    class _BrokenObserver:
        """Metrics that fail once the answer is on its way."""

        def push_answered(self, vendor: str, status_code: int) -> None:
            raise _Failing("metrics bug")

    receiver.observer = _BrokenObserver()  # type: ignore[assignment]
    try:
        with caplog.at_level(logging.ERROR, logger="smsstatus"):
            sent = _call(app, push_body("m1", "sent"))
    finally:
        receiver.close()
    # The push was stored and answered once; the bug is logged, not answered.
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200
    assert any("push to acme failed" in r.getMessage() for r in caplog.records)
    assert tracker.counts()["messages"] == 1
