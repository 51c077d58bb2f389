"""Issue 10 point 9: dead letters cannot fill the disk. A rejected push keeps a
bounded prefix of its body, each quota caps count and bytes, old letters
expire, and every drop is counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import smsstatus
from smsstatus import PushRequest
from smsstatus.server.app import Receiver
from smsstatus.server.config import parse_config
from smsstatus.tracker import DeadLetterLimits, Tracker, open_store

from .helpers import Clock, PushVendor, push_body

SECRET = "pa55-word-secret"
MIB = 1024 * 1024


def _request(body: bytes) -> PushRequest:
    return PushRequest(
        method="POST",
        url="https://hooks.example.com/webhooks/acme",
        headers=[("content-type", "application/json")],
        body=body,
        received_at=datetime(2025, 6, 10, 9, 0, tzinfo=UTC),
    )


def _receiver(tracker: Tracker) -> Receiver:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    return Receiver(registry, tracker, credentials={"acme": {"pswd": SECRET}})


def _db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def test_wrong_password_megabyte_pushes_add_a_bounded_amount(tmp_path: Path) -> None:
    """The attack of the issue: 100 wrong-password 1 MiB pushes added 115 MB.
    With the default limits each keeps a 64 KiB prefix: the store grows by
    what the limits allow, not by what was sent."""
    path = tmp_path / "s.sqlite3"
    with open_store(f"sqlite:///{path}") as store:
        tracker = Tracker(store)
        receiver = _receiver(tracker)
        before = _db_bytes(path)
        pad = "x" * (MIB - 100)
        try:
            for _ in range(100):
                (answer,) = receiver.handle_many(
                    [("acme", _request(push_body("m1", "ok", pswd="guess", pad=pad)))]
                )
                assert answer.status_code == 401
        finally:
            receiver.close()
        letters = tracker.dead_letters(limit=1000)
        assert len(letters) == 100
        assert all(
            len(d.body) == 64 * 1024 and not d.body_complete and d.replay_copy is None for d in letters
        )
        (truncated,) = tracker.dead_letter_drops()
        assert (truncated.reason, truncated.letters) == ("truncated", 0)
        assert truncated.bytes >= 100 * (MIB - 64 * 1024 - 200)
        with store.write() as tx:  # fold the WAL into the file before measuring
            tx.one("SELECT 1")
        store.close()
    with open_store(f"sqlite:///{path}") as store, store.read() as tx:
        tx.one("PRAGMA wal_checkpoint(TRUNCATE)")
    assert _db_bytes(path) - before < 12 * MIB  # 100 x 64 KiB and change, not 100 MiB


def test_quotas_drop_and_count_and_keep_authenticated_letters(tracker: Tracker) -> None:
    tracker.dead_letter_limits = DeadLetterLimits(max_letters=5, max_bytes=MIB, body_prefix_bytes=1024)
    receiver = _receiver(tracker)
    try:
        for _ in range(8):  # unauthenticated: 5 kept, 3 dropped
            receiver.handle_many([("acme", _request(push_body("m1", "ok", pswd="guess")))])
        batch = (
            b'{"pswd": "%s", "items": [{"id": "a", "status": "ok"}, {"id": "b", "status": 7}]}'
            % SECRET.encode()
        )
        answers = receiver.handle_many([("acme", _request(batch))])  # authenticated: its own quota
    finally:
        receiver.close()
    assert answers[0].status_code == 200 and answers[0].dead_letter_id is not None
    letters = tracker.dead_letters(limit=100)
    assert [d.authentication for d in letters] == ["failed"] * 5 + ["passed"]
    drops = {(d.vendor, d.reason): d for d in tracker.dead_letter_drops()}
    assert drops[("acme", "quota")].letters == 3
    # A dropped letter still gets its answer, without a dead letter id.
    receiver = _receiver(tracker)
    try:
        (answer,) = receiver.handle_many([("acme", _request(push_body("m1", "ok", pswd="guess")))])
    finally:
        receiver.close()
    assert answer.status_code == 401 and answer.dead_letter_id is None


def test_letters_expire_after_the_retention_time(store: smsstatus.tracker.Store) -> None:
    clock = Clock()
    tracker = Tracker(store, clock=clock, dead_letter_limits=DeadLetterLimits(retention_days=2))
    receiver = _receiver(tracker)
    try:
        receiver.handle_many([("acme", _request(push_body("m1", "ok", pswd="guess")))])
        clock.advance(timedelta(days=1).total_seconds())
        receiver.handle_many([("acme", _request(push_body("m2", "ok", pswd="guess")))])
        clock.advance(timedelta(days=1, minutes=5).total_seconds())
        receiver.handle_many([("acme", _request(push_body("m3", "ok", pswd="guess")))])
    finally:
        receiver.close()
    assert len(tracker.dead_letters()) == 2  # the first expired when the third arrived
    expired = [d for d in tracker.dead_letter_drops() if d.reason == "expired"]
    assert [(d.vendor, d.letters) for d in expired] == [("acme", 1)]
    clock.advance(timedelta(days=3).total_seconds())
    assert tracker.expire_dead_letters() == 2 and tracker.dead_letters() == []


def test_limits_are_configurable() -> None:
    config = parse_config(
        {
            "dead_letters": {
                "body_prefix_bytes": 4096,
                "max_letters": 50,
                "max_bytes": MIB,
                "retention_days": 7,
            }
        }
    )
    assert config.dead_letters == DeadLetterLimits(
        body_prefix_bytes=4096, max_letters=50, max_bytes=MIB, retention_days=7.0
    )
