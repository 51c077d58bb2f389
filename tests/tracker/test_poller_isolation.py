"""Issue 10 point 8, the poller's side: one stuck vendor never freezes polling
for the others (each vendor is polled on its own thread)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import smsstatus
from smsstatus import Credentials, PollPolicy
from smsstatus.server.poller import Poller, VendorPoll
from smsstatus.tracker import NotTrackedError, Store, Tracker

from .helpers import Vendor

DUE_NOW = PollPolicy(first_after=1.0, interval=30.0, give_up_after=600.0, batch_limit=2)


def test_one_stuck_vendor_never_freezes_the_others(store: Store) -> None:
    release = threading.Event()

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.host == "slow.invalid":
            release.wait(30)  # a vendor that never answers (until the test ends)
            return httpx.Response(503, json={"error": "down"})
        ids = request.url.params["ids"].split(",")
        return httpx.Response(200, json={"items": [{"id": i, "status": "ok"} for i in ids], "missing": []})

    registry = smsstatus.Registry(
        vendors={"slow": Vendor("slow", policy=DUE_NOW), "fast": Vendor("fast", policy=DUE_NOW)}
    )
    tracker = Tracker(store)
    past = datetime.now(UTC) - timedelta(seconds=120)
    tracker.track("slow", "s-1", DUE_NOW, submitted_at=past)
    tracker.track("fast", "f-1", DUE_NOW, submitted_at=past)
    vendors = [
        VendorPoll(
            vendor=name,
            policy=DUE_NOW,
            credentials=Credentials(name, {"api_key": "k-123"}),
            base_url=f"https://{name}.invalid",
        )
        for name in ("slow", "fast")  # the stuck one first
    ]
    poller = Poller(
        registry,
        tracker,
        vendors,
        tick=0.05,
        fetch_options={"transport": httpx.MockTransport(api), "sleep": lambda _s: None},
    )
    poller.start()
    try:
        deadline = time.monotonic() + 10
        record = None
        while time.monotonic() < deadline:
            try:
                (record,) = tracker.message("fast", "f-1")
            except NotTrackedError:
                record = None
            if record is not None and record.status is smsstatus.Status.DELIVERED:
                break
            time.sleep(0.05)
        assert record is not None and record.status is smsstatus.Status.DELIVERED
    finally:
        release.set()
        poller.stop(timeout=5)
