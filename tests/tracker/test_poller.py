"""The poller on both stores: schedule, batching, leases, synthetic outcomes,
commit before acknowledge."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus import Credentials, PushRequest, Reason, Status
from smsstatus.server.poller import Poller, VendorPoll
from smsstatus.tracker import SYNTHETIC_EXPIRED, AutoTrack, Decision, Store, Tracker

from .helpers import POLICY, Clock, Vendor

STATE: dict[str, str] = {}


def vendor_api(request: httpx.Request) -> httpx.Response:
    """The fake vendor API: answers from ``STATE`` (id -> status)."""
    if STATE.get("__down__"):
        return httpx.Response(503, json={"error": "down"})
    ids = request.url.params["ids"].split(",")
    items = [{"id": i, "status": STATE[i], "batch": "b-" + i} for i in ids if i in STATE]
    return httpx.Response(200, json={"items": items, "missing": [i for i in ids if i not in STATE]})


@pytest.fixture(autouse=True)
def _reset_state() -> None:
    STATE.clear()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def vendor() -> Vendor:
    return Vendor("acme")


@pytest.fixture
def registry(vendor: Vendor) -> smsstatus.Registry:
    return smsstatus.Registry(vendors={"acme": vendor})


def make_poller(registry: smsstatus.Registry, tracker: Tracker, clock: Clock, **kwargs: Any) -> Poller:
    vp = VendorPoll(vendor="acme", policy=POLICY, credentials=Credentials("acme", {"api_key": "k-123"}))
    return Poller(
        registry,
        tracker,
        [vp],
        clock=clock,
        fetch_options={"transport": httpx.MockTransport(vendor_api), "sleep": lambda _s: None},
        **kwargs,
    )


def status_of(tracker: Tracker, mid: str) -> Status | None:
    (record,) = tracker.message("acme", mid)
    return record.status


def test_schedule_batching_and_settling(
    store: Store, registry: smsstatus.Registry, vendor: Vendor, clock: Clock
) -> None:
    tracker = Tracker(store, clock=clock)
    for mid in ("a", "b", "c"):
        tracker.track("acme", mid, POLICY)
    STATE.update({"a": "ok", "b": "sent", "c": "queued"})
    poller = make_poller(registry, tracker, clock)

    clock.advance(59)
    assert poller.run_once().fetched == 0 and vendor.fetched == []
    clock.advance(1)  # first_after = 60 s
    stats = poller.run_once()
    assert stats.fetched == 3 and stats.reports == 3
    assert sorted(len(ids) for ids in vendor.fetched) == [1, 2]  # batch_limit = 2
    assert status_of(tracker, "a") is Status.DELIVERED
    assert status_of(tracker, "b") is Status.SENT
    targets = {t.fetch_id: t for t in tracker.targets("acme")}
    assert targets["a"].state == "settled" and targets["a"].polls == 1
    assert targets["b"].state == "active" and targets["b"].next_poll_at == clock.now + timedelta(seconds=30)
    assert targets["b"].lease_owner is None

    vendor.fetched.clear()
    clock.advance(29)
    assert poller.run_once().fetched == 0
    STATE["b"] = "fail"
    clock.advance(1)
    poller.run_once()
    assert sorted(i for ids in vendor.fetched for i in ids) == ["b", "c"]  # a is settled: not polled
    (record,) = tracker.message("acme", "b")
    assert record.status is Status.UNDELIVERED and record.reason is Reason.UNREACHABLE
    assert record.poll_target is not None and record.poll_target.state == "settled"
    assert [e.channel for e in record.history] == ["fetch", "fetch"]


def test_window_passes_synthetic_outcome(store: Store, registry: smsstatus.Registry, clock: Clock) -> None:
    tracker = Tracker(store, clock=clock)
    tracker.track("acme", "slow", POLICY)
    tracker.track("acme", "ghost", POLICY)  # the vendor never knows this one
    STATE["slow"] = "sent"
    poller = make_poller(registry, tracker, clock)
    for _ in range(12):  # every 30 s up to the 300 s window
        clock.advance(30)
        poller.run_once()
    targets = {t.fetch_id: t for t in tracker.targets("acme")}
    assert targets["slow"].state == "expired" and targets["ghost"].state == "expired"
    assert targets["ghost"].last_error is not None and "no such id" in targets["ghost"].last_error

    (slow,) = tracker.message("acme", "slow")
    assert slow.status is Status.UNKNOWN and not slow.final and slow.reason is Reason.UNKNOWN
    last = slow.history[-1]
    assert last.synthetic and last.decision is Decision.WINDOW_EXPIRED and last.applied
    assert last.report["extra"]["synthetic"] == SYNTHETIC_EXPIRED
    assert last.report["extra"]["last_status"] == "sent"
    assert last.report["mapping"] == "vendor_default" and last.report["raw"] == {}
    assert last.vendor_status is None and last.status_at is None

    (ghost,) = tracker.message("acme", "ghost")
    assert ghost.status is Status.UNKNOWN and ghost.history[-1].synthetic
    assert ghost.poll_target is not None and ghost.poll_target.state == "expired"

    # A real report after the window still applies (unknown is not final).
    STATE["slow"] = "ok"
    clock.advance(30)
    assert poller.run_once().claimed == 0  # no more polling
    tracker.apply([_push_report("slow", Status.DELIVERED, clock)])
    assert status_of(tracker, "slow") is Status.DELIVERED


def _push_report(mid: str, status: Status, clock: Clock) -> smsstatus.StatusReport:
    return smsstatus.StatusReport(
        vendor="acme",
        message_id=mid,
        status=status,
        received_at=clock.now,
        channel=smsstatus.Channel.PUSH,
        raw={},
    )


def test_push_settles_before_poll_and_auto_track(
    store: Store, registry: smsstatus.Registry, vendor: Vendor, clock: Clock
) -> None:
    tracker = Tracker(store, clock=clock, auto_track={"acme": AutoTrack(field="batch_id", policy=POLICY)})

    def push(body: dict[str, Any]) -> None:
        request = PushRequest.build(
            body=json.dumps(body), content_type="application/json", received_at=clock.now
        )
        tracker.apply(registry.parse_push("acme", request).reports)

    push({"id": "m1", "batch": "B1", "status": "sent"})  # non-final: B1 is tracked
    push({"id": "m2", "batch": "B2", "status": "ok"})  # final at once: nothing to poll
    assert [t.fetch_id for t in tracker.targets("acme")] == ["B1"]
    push({"id": "m1", "batch": "B1", "status": "ok"})  # settled by a push before the first poll
    poller = make_poller(registry, tracker, clock)
    clock.advance(60)
    stats = poller.run_once()
    assert stats.settled_by_push == 1 and vendor.fetched == []
    assert tracker.targets("acme")[0].state == "settled"


def test_fetch_failure_keeps_polling_with_error(
    store: Store, registry: smsstatus.Registry, clock: Clock
) -> None:
    tracker = Tracker(store, clock=clock)
    tracker.track("acme", "x", POLICY)
    STATE.update({"x": "sent", "__down__": "1"})
    poller = make_poller(registry, tracker, clock)
    clock.advance(60)
    stats = poller.run_once()
    assert stats.failed == 1
    (target,) = tracker.targets("acme")
    assert target.state == "active" and target.polls == 1 and target.lease_owner is None
    assert target.last_error is not None and "503" in target.last_error
    assert target.next_poll_at == clock.now + timedelta(seconds=30)
    del STATE["__down__"]
    clock.advance(30)
    poller.run_once()
    assert status_of(tracker, "x") is Status.SENT
    assert tracker.targets("acme")[0].last_error is None


def test_acknowledge_runs_after_commit(store: Store, registry: smsstatus.Registry, clock: Clock) -> None:
    tracker = Tracker(store, clock=clock)
    tracker.track("acme", "a", POLICY)
    STATE["a"] = "ok"
    seen: list[int] = []

    def acknowledge(vendor: str, result: smsstatus.FetchResult) -> None:
        # Another connection sees the reports: they were committed first.
        other = Tracker(store)
        seen.append(other.counts()["events"])
        assert [r.message_id for r in result.reports] == ["a"]

    poller = make_poller(registry, tracker, clock, acknowledge={"acme": acknowledge})
    clock.advance(60)
    poller.run_once()
    assert seen == [1]


def test_two_pollers_never_claim_the_same_target(store: Store, clock: Clock) -> None:
    tracker = Tracker(store, clock=clock)
    for n in range(60):
        tracker.track("acme", f"t{n}", POLICY)
    clock.advance(60)
    claimed: dict[str, list[str]] = {"p1": [], "p2": []}
    barrier = threading.Barrier(2)

    def claim(owner: str) -> None:
        barrier.wait()
        while True:
            got = tracker.claim("acme", owner, limit=2, lease=timedelta(minutes=5))
            if not got:
                return
            claimed[owner] += [t.fetch_id for t in got]

    threads = [threading.Thread(target=claim, args=(o,)) for o in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not set(claimed["p1"]) & set(claimed["p2"])
    assert len(claimed["p1"]) + len(claimed["p2"]) == 60
    # Leased: nobody gets them again until the lease ends...
    assert tracker.claim("acme", "p3", limit=100, lease=timedelta(minutes=5)) == []
    # ...after which a crashed poller's targets are taken over.
    clock.advance(301)
    assert len(tracker.claim("acme", "p3", limit=100, lease=timedelta(minutes=5))) == 60
