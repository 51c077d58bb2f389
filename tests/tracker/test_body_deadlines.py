"""The receiver's body deadline without a timer per request
(``smsstatus.server.deadlines``): a stalled body is cut off after
``body_timeout`` (never before), a cancellation that is not the deadline's
still cancels, and a request that was done reading keeps going."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest
import smsstatus
from smsstatus.server.app import Receiver, create_app
from smsstatus.server.config import ReceiverConfig
from smsstatus.server.deadlines import BodyDeadlines
from smsstatus.tracker import Tracker

from .helpers import PushVendor, push_body, push_scope


def _receiver(tracker: Tracker, body_timeout: float) -> Receiver:
    return Receiver(
        smsstatus.Registry(vendors={"acme": PushVendor("acme")}),
        tracker,
        config=ReceiverConfig(body_timeout=body_timeout),
    )


async def _serve(app: Any, chunks: list[bytes], pause: float) -> tuple[list[dict[str, Any]], float]:
    """One push whose body comes in ``chunks``, ``pause`` seconds apart; the
    messages the app sent and how long it took."""
    pending = list(chunks)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if not pending:
            await asyncio.Event().wait()  # only asked again to watch for a disconnect
        chunk = pending.pop(0)
        if len(chunks) - len(pending) > 1:
            await asyncio.sleep(pause)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    started = time.monotonic()
    await app(push_scope(), receive, send)
    return sent, time.monotonic() - started


def test_a_stalled_body_gets_408_after_the_timeout_not_before(tracker: Tracker) -> None:
    receiver = _receiver(tracker, body_timeout=0.4)
    try:
        body = push_body("m1", "sent")
        sent, took = asyncio.run(_serve(create_app(receiver), [body[:5], body[5:]], pause=30))
    finally:
        receiver.close()
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]
    assert 0.4 <= took < 5
    assert tracker.counts()["messages"] == 0


def test_a_slow_body_within_the_timeout_is_stored(tracker: Tracker) -> None:
    receiver = _receiver(tracker, body_timeout=2.0)
    try:
        body = push_body("m1", "sent")
        sent, _ = asyncio.run(_serve(create_app(receiver), [body[:5], body[5:10], body[10:]], pause=0.3))
    finally:
        receiver.close()
    assert sent[0]["status"] == 200
    assert tracker.counts()["messages"] == 1


def test_a_cancellation_that_is_not_the_deadline_still_cancels(tracker: Tracker) -> None:
    receiver = _receiver(tracker, body_timeout=60)
    app = create_app(receiver)

    async def main() -> None:
        serving = asyncio.create_task(_serve(app, [b"{", b"}"], pause=30))
        await asyncio.sleep(0.1)
        serving.cancel()  # the server shutting down, say
        with pytest.raises(asyncio.CancelledError):
            await serving
        assert receiver.body_deadlines().reading() == 0

    try:
        asyncio.run(main())
    finally:
        receiver.close()


def test_a_request_that_read_its_body_despite_the_deadline_is_taken_back(tracker: Tracker) -> None:
    """A server whose ``receive()`` swallows the cancellation and returns
    the body: the push is stored and answered, and the task is not left
    marked as cancelled."""
    receiver = _receiver(tracker, body_timeout=0.2)
    body = push_body("m1", "sent")
    cancelling: list[int] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        with contextlib.suppress(asyncio.CancelledError):  # a server that swallows it
            await asyncio.sleep(5)
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        task = asyncio.current_task()
        assert task is not None
        cancelling.append(task.cancelling())
        sent.append(message)

    try:
        asyncio.run(create_app(receiver)(push_scope(), receive, send))
    finally:
        receiver.close()
    assert sent[0]["status"] == 200
    assert cancelling == [0, 0]
    assert tracker.counts()["messages"] == 1


def test_sweeps_stop_when_nothing_is_reading() -> None:
    async def main() -> None:
        deadlines = BodyDeadlines(asyncio.get_running_loop())
        task = asyncio.current_task()
        assert task is not None
        deadlines.start(task, 0.04)
        deadlines.stop(task)
        await asyncio.sleep(0.05)  # the one sweep scheduled finds nobody
        assert deadlines.reading() == 0
        assert deadlines._sweep_handle is None

    asyncio.run(main())
