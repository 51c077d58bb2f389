"""Status callbacks: the outbox is written with the change, delivered at
least once, signed, retried with backoff, bounded."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from smsstatus import Status, to_json_data
from smsstatus.server.callbacks import CallbackLoop, CallbackSender, signature, verify
from smsstatus.server.config import CallbacksConfig
from smsstatus.tracker import Store, Tracker
from smsstatus.tracker.outbox import Outbox, OutboxLimits

from .callback_receiver import callback_receiver
from .test_operator_access import make_server
from .test_stats import Clock, report

SECRET = "callback-secret-0123456789"


def config(url: str, **changes: Any) -> CallbacksConfig:
    settings: dict[str, Any] = {"timeout": 2.0, "backoff": 10.0, "max_backoff": 80.0, **changes}
    return CallbacksConfig(url=url, secret=SECRET, **settings)


class Seen:
    """A CallbackObserver that remembers what it was told."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self.given_up = 0
        self.pending: list[int] = []

    def callback_attempted(self, outcome: str, seconds: float) -> None:
        self.attempts.append(outcome)

    def callbacks_given_up(self, count: int) -> None:
        self.given_up += count

    def outbox_pending(self, count: int, oldest_age: float) -> None:
        self.pending.append(count)


def test_signature_is_hmac_sha256_of_time_dot_body() -> None:
    body = b'{"status":"delivered"}'
    # The documented scheme, spelled out: HMAC-SHA256(secret, "<t>.<body>"), hex.
    expected = hmac.new(SECRET.encode(), b"1733050000." + body, hashlib.sha256).hexdigest()
    assert signature(SECRET, body, 1733050000) == f"t=1733050000,v1={expected}"
    header = signature(SECRET, body, 1733050000)
    assert verify(SECRET, body, header, now=1733050100)
    assert not verify(SECRET, body + b" ", header, now=1733050100)  # body changed
    assert not verify("another-secret-0123456789", body, header, now=1733050100)
    assert not verify(SECRET, body, header, now=1733050000 + 301)  # stale: a replayed request
    assert not verify(SECRET, body, "t=abc,v1=00", now=1733050000)


def make_tracker(store: Store, clock: Clock, limits: OutboxLimits | None = None) -> Tracker:
    return Tracker(store, clock=clock, outbox=limits or OutboxLimits())


def changes_in_store(tracker: Tracker, vendor: str, ids: list[str]) -> dict[int, dict[str, Any]]:
    """Every applied status change the store holds, by event id, as the history records it."""
    found = {}
    for message_id in ids:
        for record in tracker.message(vendor, message_id):
            for event in record.history:
                if event.applied:
                    found[event.id] = dict(event.report)
    return found


def test_every_change_is_queued_with_its_transaction(store: Store) -> None:
    clock = Clock()
    tracker = make_tracker(store, clock)
    result = tracker.apply(
        [report("acme", "m-1", Status.SENT, received=0), report("acme", "m-1", Status.DELIVERED, received=1)]
    )
    rows = Outbox(store).rows(state="pending", newest_first=False)
    assert [r.event_id for r in rows] == [c.event_id for c in result.changes]
    # The body is the public serialiser's JSON of the change, nothing else.
    assert [json.loads(r.body) for r in rows] == [to_json_data(c) for c in result.changes]

    def fail(_tx: Any) -> None:
        raise RuntimeError("the transaction fails after the apply")

    with pytest.raises(RuntimeError):
        tracker.apply([report("acme", "m-2", Status.SENT, received=2)], also=fail)
    assert len(Outbox(store).rows(state="pending")) == 2  # nothing of the rolled-back change


def test_delivered_signed_in_order_after_the_url_was_down(store: Store) -> None:
    clock = Clock()
    tracker = make_tracker(store, clock)
    with callback_receiver() as app:
        port, url = app.port, app.url
    # The URL refuses connections (the application is down).
    seen = Seen()
    loop = CallbackLoop(store, config(url), owner="w1", observer=seen, clock=clock, rng=lambda: 0.5)
    tracker.apply([report("acme", "m-1", Status.SENT, received=0)])
    tracker.apply(
        [
            report("acme", "m-1", Status.DELIVERED, received=1),
            report("acme", "m-2", Status.REJECTED, received=1),
        ]
    )
    stats = loop.run_once()
    assert (stats.claimed, stats.delivered, stats.failed) == (3, 0, 1)
    assert seen.attempts == ["error"]  # the first failed: the rest of the round waited
    rows = Outbox(store).rows(state="pending", newest_first=False)
    # Retried after backoff 10 s with equal jitter at rng 0.5: 5 + 0.5 * 5 = 7.5 s.
    assert [r.next_attempt_at for r in rows] == [clock.now + timedelta(seconds=7.5)] * 3
    assert all(r.last_error and "ConnectError" in r.last_error and SECRET not in r.last_error for r in rows)
    assert loop.run_once().claimed == 0  # not due yet
    clock.now += timedelta(seconds=8)
    with callback_receiver(port) as app:
        stats = loop.run_once()
        assert (stats.claimed, stats.delivered) == (3, 3)
        received = list(app.received)
    assert Outbox(store).rows(state="pending") == []
    assert seen.pending[-1] == 0
    stored = changes_in_store(tracker, "acme", ["m-1", "m-2"])
    assert [int(r.headers["smsstatus-event-id"]) for r in received] == sorted(stored)
    for item in received:
        now = time.time()
        assert verify(SECRET, item.body, item.headers["smsstatus-signature"], now=now)
        change = json.loads(item.body)
        assert change["report"] == stored[change["event_id"]]  # exactly as stored
        assert item.headers["content-type"] == "application/json"


def test_a_refused_change_waits_alone(store: Store) -> None:
    clock = Clock()
    tracker = make_tracker(store, clock)
    tracker.apply([report("acme", f"m-{i}", Status.SENT, received=i) for i in range(3)])
    with callback_receiver() as app:
        app.answer = 400  # the application refuses them (a bug of its own)
        loop = CallbackLoop(store, config(app.url), owner="w1", clock=clock, rng=lambda: 1.0)
        stats = loop.run_once()
    assert (stats.claimed, stats.delivered, stats.failed) == (3, 0, 3)  # each tried: not "down"
    rows = Outbox(store).rows(state="pending", newest_first=False)
    assert all(r.attempts == 1 and r.last_error == "HTTP 400" for r in rows)
    # Backoff doubles per attempt, capped: 10, 20, 40, 80, 80 (rng 1.0: the full ceiling).
    assert [loop.backoff(n) for n in (1, 2, 3, 4, 5)] == [10.0, 20.0, 40.0, 80.0, 80.0]


def test_given_up_after_the_deadline_and_kept_for_the_dashboard(store: Store) -> None:
    clock = Clock()
    tracker = make_tracker(store, clock, OutboxLimits(give_up_after=3600))
    tracker.apply([report("acme", "m-1", Status.SENT, received=0)])
    clock.now += timedelta(hours=2)
    seen = Seen()
    loop = CallbackLoop(
        store, config("http://127.0.0.1:9/never", give_up_after=3600), owner="w1", observer=seen, clock=clock
    )
    assert loop.run_once().claimed == 0
    assert seen.given_up == 1
    summary = Outbox(store).summary()
    assert (summary.pending, summary.failed) == (0, 1)
    assert [(d.reason, d.changes) for d in summary.drops] == [("deadline", 1)]


def test_outbox_is_bounded(store: Store) -> None:
    clock = Clock()
    tracker = make_tracker(store, clock, OutboxLimits(max_pending=2))
    dropped: list[int] = []

    class Observer:
        def __getattr__(self, name: str) -> Any:
            return lambda *a, **k: None

        def callbacks_dropped(self, reason: str, changes: int) -> None:
            dropped.append(changes)

    tracker.observer = Observer()  # type: ignore[assignment]
    tracker.apply([report("acme", f"m-{i}", Status.SENT, received=i) for i in range(5)])
    summary = Outbox(store).summary()
    assert summary.pending == 2
    assert [(d.reason, d.changes) for d in summary.drops] == [("outbox_full", 3)]
    assert dropped == [3]
    # The changes themselves are stored all the same.
    assert tracker.counts()["messages"] == 5


def test_a_slow_or_huge_answer_is_cut(store: Store) -> None:
    clock = Clock()
    tracker = make_tracker(store, clock)
    tracker.apply([report("acme", "m-1", Status.SENT, received=0)])
    with callback_receiver() as app:
        app.answer_body = b"x" * 10_000
        app.trickle = 0.01  # 100 s to send it all
        sender = CallbackSender(config(app.url, timeout=1.5, max_response_bytes=1000))
        started = time.monotonic()
        attempt = sender.post(Outbox(store).rows(state="pending")[0])
        elapsed = time.monotonic() - started
        sender.close()
    assert attempt.outcome == "delivered"  # a 200 is a delivery; its body is not needed
    assert elapsed < 3.0


def test_serve_delivers_callbacks(db_url: str) -> None:
    """build_server wires it: [callbacks] configured, changes applied through
    the receiver are posted by the loop the app's lifespan runs."""
    from starlette.testclient import TestClient

    from tests.tracker.helpers import push_body

    from .test_operator_access import PSWD

    with callback_receiver() as app:
        built = make_server(db_url, callbacks={"url": app.url, "secret": SECRET})
        try:
            assert built.app is not None and built.callbacks is not None
            with TestClient(built.app) as client:
                answer = client.post("/webhooks/acme", content=push_body("m-1", "ok", pswd=PSWD))
                assert answer.status_code == 200
                deadline = time.monotonic() + 20
                while not app.received and time.monotonic() < deadline:
                    time.sleep(0.05)
        finally:
            built.close()
        assert len(app.received) == 1
        body = json.loads(app.received[0].body)
        assert (body["status"], body["key"]["message_id"]) == ("delivered", "m-1")
