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

from .helpers import PushVendor, push_body, push_scope


def _call(app: Any, body: bytes) -> list[dict[str, Any]]:
    """One push straight through the ASGI app; every message it sent."""
    scope = push_scope()
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


def _push_logging_errors(receiver: Receiver, caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """One push through the receiver's app: the messages sent, exactly one
    answer, and the bug logged."""
    try:
        with caplog.at_level(logging.ERROR, logger="smsstatus"):
            sent = _call(create_app(receiver), push_body("m1", "sent"))
    finally:
        receiver.close()
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert any("push to acme failed" in r.getMessage() for r in caplog.records)
    return sent


def test_a_bug_before_the_answer_gets_a_500(
    tracker: Tracker, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = _receiver(tracker)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise _Failing("a bug")

    monkeypatch.setattr(receiver, "push_request", broken)
    sent = _push_logging_errors(receiver, caplog)
    assert sent[0]["status"] == 500
    assert b'"internal"' in sent[1]["body"]
    assert tracker.counts()["messages"] == 0


def test_a_bug_after_the_answer_started_sends_no_second_answer(
    tracker: Tracker, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = _receiver(tracker)

    class _BrokenObserver:
        """Metrics that fail once the answer is on its way."""

        def push_answered(self, vendor: str, status_code: int) -> None:
            raise _Failing("metrics bug")

    receiver.observer = _BrokenObserver()  # type: ignore[assignment]
    sent = _push_logging_errors(receiver, caplog)
    assert sent[0]["status"] == 200  # stored and answered once; the bug logged, not answered
    assert tracker.counts()["messages"] == 1
