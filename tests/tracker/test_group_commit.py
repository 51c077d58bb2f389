"""The receiver's group commit on the event loop (SQLite without an fsync a
commit): pushes read in the same loop iteration, or in the next poll of the
sockets, are stored in one transaction, each answered only after it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import smsstatus
from smsstatus import PushRequest
from smsstatus.server.app import Receiver
from smsstatus.tracker import Tracker

INSTALLED = smsstatus.load()

pytestmark = pytest.mark.skipif("d7" not in INSTALLED.vendors, reason="the D7 plugin is not installed")


def _push(index: int) -> PushRequest:
    body = {
        "request_id": "req-1",
        "msg_id": f"m-{index}",
        "recipient": "+971501234567",
        "status": "delivered",
    }
    return PushRequest.build(
        url="http://hooks.example.com/webhooks/d7", body=json.dumps(body), content_type="application/json"
    )


def _count_groups(receiver: Receiver) -> list[int]:
    """Wrap the receiver's on-loop store attempt to record each group's size."""
    sizes: list[int] = []
    original = receiver.try_store_many

    def recording(prepared: Any) -> Any:
        sizes.append(len(prepared))
        return original(prepared)

    receiver.try_store_many = recording  # type: ignore[method-assign]
    return sizes


def test_pushes_of_the_next_poll_join_the_group(tracker: Tracker) -> None:
    if not tracker.store.inline_writes:
        pytest.skip("groups are stored on the event loop only where a write costs only CPU (SQLite)")
    receiver = Receiver(INSTALLED, tracker, vendors=["d7"])
    sizes = _count_groups(receiver)

    async def arrive() -> list[int]:
        loop = asyncio.get_running_loop()
        first = [receiver._batcher.submit("d7", _push(i), loop) for i in range(3)]
        # One loop iteration later, as requests the next poll reads would be.
        await asyncio.sleep(0)
        later = [receiver._batcher.submit("d7", _push(i), loop) for i in range(3, 5)]
        answers = await asyncio.gather(*first, *later)
        return [a.status_code for a in answers]

    try:
        codes = asyncio.run(arrive())
    finally:
        receiver.close()
    assert codes == [200] * 5
    assert sizes == [5]  # one transaction for both arrivals (it was [3, 2] when stored a poll earlier)
    assert tracker.counts()["messages"] == 5


def test_a_lone_push_is_stored_and_answered(tracker: Tracker) -> None:
    receiver = Receiver(INSTALLED, tracker, vendors=["d7"])

    async def one() -> int:
        answer = await receiver._batcher.submit("d7", _push(1), asyncio.get_running_loop())
        return answer.status_code

    try:
        assert asyncio.run(one()) == 200
    finally:
        receiver.close()
    assert tracker.counts()["messages"] == 1
