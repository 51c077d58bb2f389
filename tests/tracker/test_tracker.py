"""The tracker on both stores: dedupe, ordering, history, multipart, listeners."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smsstatus import Channel, Part, Reason, Status, StatusReport
from smsstatus.tracker import (
    Decision,
    NotTrackedError,
    StatusChange,
    Store,
    Tracker,
    event_key,
    message_key,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def report(
    status: Status,
    at: datetime | None = None,
    *,
    mid: str = "m1",
    vendor: str = "acme",
    recipient: str | None = "+15550001111",
    part: Part | None = None,
    received: datetime | None = None,
    **kwargs: Any,
) -> StatusReport:
    return StatusReport(
        vendor=vendor,
        message_id=mid,
        recipient=recipient,
        status=status,
        status_at=at,
        part=part,
        received_at=received or T0,
        channel=Channel.PUSH,
        vendor_status=kwargs.pop("vendor_status", status.value.upper()),
        raw={"status": status.value},
        **kwargs,
    )


def current(tracker: Tracker, mid: str = "m1", vendor: str = "acme") -> Status | None:
    (record,) = tracker.message(vendor, mid)
    return record.status


# -- event keys ----------------------------------------------------------------


def test_event_key_is_the_event_not_the_message() -> None:
    sent = report(Status.SENT, T0)
    assert event_key(sent) == event_key(report(Status.SENT, T0, received=T0 + timedelta(hours=1)))
    assert event_key(sent) == event_key(report(Status.SENT, T0, notified_at=T0 + timedelta(seconds=3)))
    different = [
        report(Status.DELIVERED, T0),
        report(Status.SENT, T0 + timedelta(seconds=1)),
        report(Status.SENT, T0, vendor_status="ENROUTE"),
        report(Status.SENT, T0, vendor_code="7"),
        report(Status.SENT, T0, part=Part(2, 2)),
        report(Status.SENT, T0, recipient="+15550002222"),
        report(Status.SENT, T0, mid="m2"),
        report(Status.SENT, T0, extra={"event_id": "evt-1"}),
    ]
    keys = {event_key(r) for r in different}
    assert len(keys) == len(different)
    assert event_key(sent) not in keys


def test_message_key_uses_raw_recipient_when_not_e164() -> None:
    r = report(Status.SENT, recipient=None, recipient_raw="0086139")
    key = message_key(r)
    assert key is not None and key.recipient == "0086139"
    assert message_key(report(Status.SENT, mid=None)) is None  # type: ignore[arg-type]


# -- applying ------------------------------------------------------------------


def test_duplicates_counted_not_stored_twice(tracker: Tracker) -> None:
    result = tracker.apply([report(Status.SENT, T0), report(Status.SENT, T0)])
    assert [o.duplicate for o in result.outcomes] == [False, True]
    again = tracker.apply([report(Status.SENT, T0, received=T0 + timedelta(minutes=1))])
    assert again.duplicates == 1 and again.applied == 0
    (record,) = tracker.message("acme", "m1")
    assert len(record.history) == 1
    assert record.history[0].duplicates == 2


def test_later_status_is_not_a_duplicate(tracker: Tracker) -> None:
    tracker.apply([report(Status.SENT, T0)])
    result = tracker.apply([report(Status.DELIVERED, T0 + timedelta(seconds=30))])
    assert result.applied == 1 and result.duplicates == 0
    assert current(tracker) is Status.DELIVERED


def test_late_report_kept_in_history_not_applied(tracker: Tracker) -> None:
    tracker.apply([report(Status.DELIVERED, T0 + timedelta(seconds=30))])
    result = tracker.apply([report(Status.SENT, T0)])
    assert result.outcomes[0].decision is Decision.FINAL_REGRESSION
    (record,) = tracker.message("acme", "m1")
    assert record.status is Status.DELIVERED and record.final
    assert [(e.status, e.applied, e.decision) for e in record.history] == [
        (Status.DELIVERED, True, Decision.FIRST),
        (Status.SENT, False, Decision.FINAL_REGRESSION),
    ]


def test_reordered_non_final_by_vendor_time(tracker: Tracker) -> None:
    tracker.apply([report(Status.SENT, T0 + timedelta(seconds=10))])
    result = tracker.apply([report(Status.ACCEPTED, T0)])
    assert result.outcomes[0].decision is Decision.OLDER_EVENT
    assert current(tracker) is Status.SENT


def test_expired_gives_way_to_carrier_verdict_but_delivered_stays(tracker: Tracker) -> None:
    tracker.apply([report(Status.EXPIRED, T0, reason=Reason.EXPIRED)])
    tracker.apply([report(Status.DELIVERED, T0 + timedelta(minutes=1))])
    assert current(tracker) is Status.DELIVERED
    result = tracker.apply([report(Status.UNDELIVERED, T0 + timedelta(minutes=2), reason=Reason.UNREACHABLE)])
    assert result.outcomes[0].decision is Decision.FINAL_CONFLICT
    (record,) = tracker.message("acme", "m1")
    assert record.status is Status.DELIVERED and record.reason is None


def test_history_keeps_vendor_and_receive_time_and_report(tracker: Tracker) -> None:
    received = T0 + timedelta(seconds=7)
    tracker.apply([report(Status.SENT, T0, received=received, batch_id="b1", client_ref="ref-9")])
    (record,) = tracker.message("acme", "m1")
    (event,) = record.history
    assert event.status_at == T0 and event.received_at == received
    assert event.channel == "push" and event.vendor_status == "SENT"
    assert event.report["raw"] == {"status": "sent"} and event.report["status"] == "sent"
    assert record.batch_id == "b1" and record.client_ref == "ref-9"
    assert record.key.recipient == "+15550001111"


def test_reports_without_message_id_are_not_tracked(tracker: Tracker) -> None:
    result = tracker.apply([report(Status.SENT, mid=None), report(Status.SENT)])  # type: ignore[arg-type]
    assert [o.tracked for o in result.outcomes] == [False, True]
    assert tracker.counts()["events"] == 1


def test_unknown_message(tracker: Tracker) -> None:
    with pytest.raises(NotTrackedError) as info:
        tracker.message("acme", "nope")
    assert info.value.exit_code == 2


def test_multipart_message_level_status(tracker: Tracker) -> None:
    tracker.apply([report(Status.DELIVERED, T0, part=Part(1, 3))])
    (record,) = tracker.message("acme", "m1")
    assert record.status is Status.ACCEPTED  # parts 2 and 3 not reported yet
    assert record.parts_total == 3 and record.parts_missing == (2, 3)
    tracker.apply([report(Status.DELIVERED, T0, part=Part(2, 3)), report(Status.SENT, T0, part=Part(3, 3))])
    assert current(tracker) is Status.SENT
    tracker.apply([report(Status.DELIVERED, T0 + timedelta(seconds=5), part=Part(3, 3))])
    (record,) = tracker.message("acme", "m1")
    assert record.status is Status.DELIVERED and record.final and record.parts_missing == ()
    assert [p.status for p in record.parts] == [Status.DELIVERED] * 3


def test_multipart_one_failed_part_fails_the_message(tracker: Tracker) -> None:
    tracker.apply(
        [
            report(Status.DELIVERED, T0, part=Part(1, 2)),
            report(Status.UNDELIVERED, T0, part=Part(2, 2), reason=Reason.UNREACHABLE),
        ]
    )
    (record,) = tracker.message("acme", "m1")
    assert record.status is Status.UNDELIVERED and record.reason is Reason.UNREACHABLE and record.final


def test_listener_told_of_applied_changes_after_commit(store: Store) -> None:
    seen: list[tuple[Status | None, Status, Status, int]] = []

    def listener(change: StatusChange) -> None:
        # The change is committed: a fresh read transaction sees it.
        with store.read() as tx:
            row = tx.one("SELECT applied FROM events WHERE id = ?", (change.event_id,))
        assert row is not None
        seen.append((change.previous, change.status, change.message_status, change.part_index))

    tracker = Tracker(store, on_change=listener)
    tracker.apply([report(Status.SENT, T0)])
    tracker.apply([report(Status.SENT, T0)])  # duplicate: nothing
    tracker.apply([report(Status.SENT, T0 + timedelta(seconds=1))])  # refresh: same status, no change
    tracker.apply([report(Status.ACCEPTED, T0 - timedelta(seconds=1))])  # older: history only
    tracker.apply([report(Status.DELIVERED, T0 + timedelta(seconds=2))])
    assert seen == [
        (None, Status.SENT, Status.SENT, 1),
        (Status.SENT, Status.DELIVERED, Status.DELIVERED, 1),
    ]


def test_failing_listener_does_not_fail_apply(store: Store) -> None:
    calls: list[StatusChange] = []

    def broken(_change: StatusChange) -> None:
        raise RuntimeError("listener bug")

    tracker = Tracker(store, on_change=broken)
    tracker.add_listener(calls.append)
    result = tracker.apply([report(Status.SENT, T0)])
    assert result.applied == 1 and len(calls) == 1
    assert current(tracker) is Status.SENT


# -- order independence ------------------------------------------------------------

# One message's events: (status, seconds after T0). The expected outcome is
# reasoned from the table: the single final report wins, whatever the order.
EVENTS = [
    (Status.ACCEPTED, 0),
    (Status.SENT, 10),
    (Status.DELIVERED, 20),
    (Status.UNKNOWN, 15),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(EVENTS))), dups=st.lists(st.integers(0, 3), max_size=4))
def test_any_order_with_duplicates_ends_the_same(tracker: Tracker, order: list[int], dups: list[int]) -> None:
    mid = f"perm-{uuid.uuid4().hex}"
    sequence = [EVENTS[i] for i in order] + [EVENTS[i] for i in dups]
    for status, seconds in sequence:
        tracker.apply([report(status, T0 + timedelta(seconds=seconds), mid=mid)])
    (record,) = tracker.message("acme", mid)
    assert record.status is Status.DELIVERED and record.final
    assert len(record.history) == len(EVENTS)
    assert sum(e.duplicates for e in record.history) == len(dups)
    assert sum(1 for e in record.history if e.applied and e.status is Status.DELIVERED) == 1


def test_concurrent_writers_lose_nothing(store: Store) -> None:
    """Threads apply shuffled events of many messages, with duplicates; every
    message ends in its final status, every distinct event stored once."""
    tracker = Tracker(store)
    messages = 40
    work: list[StatusReport] = []
    expected: dict[str, Status] = {}
    for n in range(messages):
        mid = f"c{n}"
        final = Status.DELIVERED if n % 3 else Status.UNDELIVERED
        expected[mid] = final
        events = [
            report(Status.ACCEPTED, T0, mid=mid),
            report(Status.SENT, T0 + timedelta(seconds=5), mid=mid),
            report(final, T0 + timedelta(seconds=9), mid=mid),
        ]
        work += [*events, events[n % 3]]  # one duplicate each
    random.Random(7).shuffle(work)
    chunks = [work[i::4] for i in range(4)]
    errors: list[BaseException] = []

    def run(chunk: list[StatusReport]) -> None:
        try:
            for i in range(0, len(chunk), 3):
                tracker.apply(chunk[i : i + 3])
        except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    counts = tracker.counts()
    assert counts["messages"] == messages
    assert counts["events"] == messages * 3
    assert counts["duplicates"] == messages
    for mid, final in expected.items():
        assert current(tracker, mid) is final


# -- results the caller does not read -------------------------------------------


def _history(tracker: Tracker) -> list[tuple[Any, ...]]:
    with tracker.store.read() as tx:
        rows = tx.all("SELECT part_index, status, applied, decision, duplicates FROM events ORDER BY id")
        rows += tx.all("SELECT status, final, events FROM messages ORDER BY id")
    return rows


def test_keep_changes_false_builds_no_changes_and_stores_the_same(new_db: Any) -> None:
    from smsstatus.tracker import open_store

    sequence = [
        [report(Status.SENT, T0), report(Status.SENT, T0, mid="m2")],
        [report(Status.SENT, T0), report(Status.DELIVERED, T0 + timedelta(seconds=2))],
        [report(Status.ACCEPTED, T0 - timedelta(seconds=1)), report(Status.UNDELIVERED, T0, mid="m2")],
    ]
    results = {}
    for keep in (True, False):
        with open_store(new_db()) as store:
            tracker = Tracker(store)
            results[keep] = [tracker.apply(batch, keep_changes=keep) for batch in sequence]
            results[keep].append(_history(tracker))  # type: ignore[arg-type]
    kept, dropped = results[True], results[False]
    assert sum(len(r.changes) for r in kept[:-1]) == 4
    assert all(r.changes == () for r in dropped[:-1])
    assert [r.outcomes for r in dropped[:-1]] == [r.outcomes for r in kept[:-1]]
    assert dropped[-1] == kept[-1]


def test_keep_changes_false_still_tells_listeners_and_queues_callbacks(store: Store) -> None:
    from smsstatus.tracker.outbox import Outbox, OutboxLimits

    seen: list[Status] = []
    tracker = Tracker(store, on_change=lambda change: seen.append(change.status), outbox=OutboxLimits())
    tracker.apply([report(Status.SENT, T0)], keep_changes=False)
    tracker.apply([report(Status.DELIVERED, T0 + timedelta(seconds=1))], keep_changes=False, notify=False)
    assert seen == [Status.SENT]  # notified by apply itself; not the second time (notify=False)
    assert Outbox(store).summary().pending == 2
