"""Group commit on the event loop (SQLite without an fsync per commit): the
loop stores a group itself when the store is free, and never waits for it:
a write lock held by another process or thread sends the group to a writer
thread while the loop keeps serving."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus import Status, StatusReport
from smsstatus.server.app import Receiver, create_app
from smsstatus.tracker import ApplyResult, Tracker, open_store

from .helpers import PushVendor, push_body


class ThreadRecordingTracker(Tracker):
    """Remembers which thread stored each call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.threads: list[str] = []

    def apply(self, reports: Sequence[StatusReport], **options: Any) -> ApplyResult:
        result = super().apply(reports, **options)
        self.threads.append(threading.current_thread().name)
        return result


async def _push_while_locked(app: Any, release: Any) -> tuple[httpx.Response, float, httpx.Response]:
    """Post one push while the store's write lock is held elsewhere; time
    ten short sleeps of the loop meanwhile; then release the lock."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hooks.test") as client:
        push = asyncio.create_task(
            client.post(
                "/webhooks/acme",
                content=push_body("m1", "sent"),
                headers={"content-type": "application/json"},
            )
        )
        started = time.monotonic()
        for _ in range(10):
            await asyncio.sleep(0.02)
        slept = time.monotonic() - started
        assert not push.done(), "stored while another writer held the lock"
        health = await client.get("/healthz")  # WAL: reading works meanwhile
        release()
        return await asyncio.wait_for(push, 20), slept, health


@pytest.mark.parametrize("holder", ["process", "thread"])
def test_the_loop_never_waits_for_the_store(tmp_path: Path, holder: str) -> None:
    path = tmp_path / "s.sqlite3"
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    with open_store(f"sqlite:///{path}?busy_timeout=5000") as store:
        assert store.inline_writes
        tracker = ThreadRecordingTracker(store)
        receiver = Receiver(registry, tracker)
        if holder == "process":
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")

            def release() -> None:
                other.execute("COMMIT")
                other.close()

        else:
            holding, done = threading.Event(), threading.Event()

            def hold() -> None:
                with store.write():
                    holding.set()
                    done.wait(20)

            worker = threading.Thread(target=hold)
            worker.start()
            assert holding.wait(5)

            def release() -> None:
                done.set()
                worker.join(5)

        try:
            response, slept, health = asyncio.run(_push_while_locked(create_app(receiver), release))
        finally:
            receiver.close()
        assert response.status_code == 200, response.text
        # The store's busy timeout is 5 s: a loop that waited for the lock
        # would have slept that long.
        assert health.status_code == 200 and slept < 2.0, slept
        assert tracker.threads == ["smsstatus-writer-0"]
        assert Tracker(store).message("acme", "m1")[0].status is Status.SENT


def test_a_free_store_is_written_by_the_loop_in_one_group(tmp_path: Path) -> None:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})

    async def burst(app: Any) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hooks.test") as client:
            return list(
                await asyncio.gather(
                    *(
                        client.post(
                            "/webhooks/acme",
                            content=push_body(f"m{n}", "sent"),
                            headers={"content-type": "application/json"},
                        )
                        for n in range(20)
                    )
                )
            )

    with open_store(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:
        tracker = ThreadRecordingTracker(store)
        receiver = Receiver(registry, tracker)
        try:
            answers = asyncio.run(burst(create_app(receiver)))
        finally:
            receiver.close()
    assert [a.status_code for a in answers] == [200] * 20
    # The loop's own thread stored them, together (not one commit per push).
    assert set(tracker.threads) == {threading.main_thread().name}
    assert len(tracker.threads) < 20


def test_stores_that_wait_for_io_keep_writer_threads(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 's.sqlite3'}?synchronous=full") as store:
        assert not store.inline_writes  # an fsync per commit: never on the loop
