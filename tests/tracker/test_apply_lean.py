"""The lean apply path (``tracker/apply_lean.py``) against the general one.

The general path is the reference: for any sequence of groups, a store
written with the lean path allowed must hold exactly the rows (every column
of messages, parts, events and poll targets, ids included) and give exactly
the outcomes of a store written by the general path alone. The groups mix
what the lean path takes (plain reports of new messages and of messages with
one part) with what it must hand over (multipart and segment reports,
synthetic outcomes, reports without a message id, auto-tracked vendors,
messages stored with several parts), plus duplicates within a group and of
stored events, with the clock moving between groups so that every
``updated_at`` the general path writes shows."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smsstatus import Channel, Part, PollPolicy, Reason, Status, StatusReport
from smsstatus.tracker import SYNTHETIC_EXPIRED, AutoTrack, Outcome, Store, Tracker, open_store, sql
from smsstatus.tracker import apply as apply_module
from smsstatus.tracker.apply_lean import apply_lean

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TRACKED = "tracked"  # a vendor whose pushed messages get a poll target
AUTO_TRACK = {TRACKED: AutoTrack(field="batch_id", policy=PollPolicy(60.0, 30.0, 300.0, 10))}
TABLES = {
    "messages": "id",
    "parts": "message_pk, part_index",
    "events": "id",
    "poll_targets": "id",
}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def plain(mid: str, status: Status, seconds: int | None = None, **fields: Any) -> StatusReport:
    return StatusReport(
        vendor=fields.pop("vendor", "acme"),
        message_id=mid,
        recipient=fields.pop("recipient", "+15550001111"),
        status=status,
        status_at=None if seconds is None else T0 + timedelta(seconds=seconds),
        received_at=T0,
        channel=Channel.PUSH,
        vendor_status=fields.pop("vendor_status", status.value.upper()),
        raw={"id": mid, "status": status.value},
        **fields,
    )


@st.composite
def reports(draw: st.DrawFn) -> StatusReport:
    mid = draw(st.sampled_from(["m1", "m2", "m3", "m4"]))
    status = draw(st.sampled_from(list(Status)))
    seconds = draw(st.one_of(st.none(), st.sampled_from([0, 10, 20])))
    kind = draw(
        st.sampled_from(
            ["plain"] * 8 + ["part", "segment", "synthetic", "no id", "tracked", "other recipient"]
        )
    )
    fields: dict[str, Any] = {
        "batch_id": draw(st.sampled_from([None, "b1", "b2"])),
        "client_ref": draw(st.sampled_from([None, "ref"])),
        "reason": draw(st.sampled_from([None, Reason.UNREACHABLE])),
        "vendor_code": draw(st.sampled_from([None, "7"])),
    }
    if kind == "part":
        total = draw(st.integers(1, 3))
        fields["part"] = Part(draw(st.integers(1, total)), total)
    elif kind == "segment":
        fields["part_ref"] = draw(st.sampled_from(["s1", "s2"]))
        fields["segments"] = 2
    elif kind == "synthetic":
        fields["extra"] = {"synthetic": SYNTHETIC_EXPIRED}
    elif kind == "no id":
        mid = ""
    elif kind == "tracked":
        fields["vendor"] = TRACKED
        fields["batch_id"] = "fetch-1"
    elif kind == "other recipient":
        fields["recipient"] = None
        fields["recipient_raw"] = "raw-7"
    return plain(mid, status, seconds, **fields)


def tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.read() as tx:
        return {name: tx.all(f"SELECT * FROM {name} ORDER BY {order}") for name, order in TABLES.items()}


@contextmanager
def two_trackers() -> Iterator[tuple[Tracker, Tracker, Clock]]:
    clock = Clock()
    with (
        tempfile.TemporaryDirectory(prefix="smsstatus-lean-") as tmp,
        open_store(f"sqlite:///{tmp}/lean.sqlite3") as lean,
        open_store(f"sqlite:///{tmp}/general.sqlite3") as general,
    ):
        yield (
            Tracker(lean, clock=clock, auto_track=AUTO_TRACK),
            Tracker(general, clock=clock, auto_track=AUTO_TRACK),
            clock,
        )


def apply_both(
    lean: Tracker, general: Tracker, group: Sequence[StatusReport]
) -> tuple[tuple[Outcome, ...], tuple[Outcome, ...]]:
    by_lean = lean.apply(group, keep_changes=False, notify=False).outcomes
    with mock.patch.object(apply_module, "apply_lean", return_value=None):
        by_general = general.apply(group, keep_changes=False, notify=False).outcomes
    return by_lean, by_general


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups=st.lists(st.lists(reports(), min_size=1, max_size=8), min_size=1, max_size=4))
def test_the_lean_path_stores_what_the_general_path_stores(groups: list[list[StatusReport]]) -> None:
    with two_trackers() as (lean, general, clock):
        for group in groups:
            clock.now += timedelta(seconds=1)
            by_lean, by_general = apply_both(lean, general, group)
            assert by_lean == by_general
            assert tables(lean.store) == tables(general.store)


def test_plain_groups_take_the_lean_path_and_others_do_not() -> None:
    """The comparison above would pass with a lean path that never ran: here
    the usual groups must take it (new messages, then a message of one part
    with duplicates), and each kind of unusual group must hand over."""
    taken: list[bool] = []

    def spy(*args: Any, **options: Any) -> list[Outcome] | None:
        outcomes = apply_lean(*args, **options)
        taken.append(outcomes is not None)
        return outcomes

    usual = [
        [plain("a", Status.SENT, 0), plain("b", Status.SENT, 0), plain("a", Status.DELIVERED, 10)],
        [plain("b", Status.DELIVERED, 10), plain("a", Status.DELIVERED, 10), plain("b", Status.SENT, 0)],
    ]
    unusual = [
        [plain("a", Status.SENT, 0), plain("m", Status.SENT, 0, part=Part(1, 2))],
        [plain("a", Status.SENT, 0), plain("s", Status.SENT, 0, part_ref="x")],
        [plain("a", Status.SENT, 0), plain("y", Status.EXPIRED, extra={"synthetic": SYNTHETIC_EXPIRED})],
        [plain("a", Status.SENT, 0), plain("", Status.SENT, 0)],
        [plain("a", Status.SENT, 0), plain("t", Status.SENT, 0, vendor=TRACKED, batch_id="f")],
        [plain("m", Status.DELIVERED, 5)],  # plain, but its message has two parts stored
    ]
    with two_trackers() as (lean, _, _), mock.patch.object(apply_module, "apply_lean", spy):
        for group in usual:
            lean.apply(group, keep_changes=False, notify=False)
        assert taken == [True, True]
        taken.clear()
        for group in unusual:
            lean.apply(group, keep_changes=False, notify=False)
        assert taken == [False] * len(unusual)
        taken.clear()
        lean.apply(usual[0], notify=False)  # changes wanted: the general path builds them
        assert taken == []
        (a,) = lean.message("acme", "a")
    assert a.status is Status.DELIVERED and a.final
    # a DELIVERED again in the second group, a SENT again in five unusual
    # groups, both again in the last: 1 + 5 + 2
    assert sum(e.duplicates for e in a.history) == 8
    assert [e.status for e in a.history] == [Status.SENT, Status.DELIVERED]


def test_the_existing_messages_are_found_through_the_unique_index() -> None:
    """Reading the group's messages must stay a search per key, never a scan
    of the whole table (a row-value ``IN`` list is planned as a scan)."""
    with (
        tempfile.TemporaryDirectory(prefix="smsstatus-lean-") as tmp,
        open_store(f"sqlite:///{tmp}/p.sqlite3") as store,
    ):
        statement = sql.rows(sql.SELECT_MESSAGES_BY_KEY, sql.KEY_ROW, 3)
        with store.read() as tx:
            plan = " | ".join(
                str(row[-1]) for row in tx.all("EXPLAIN QUERY PLAN " + statement, ["v", "m", "r"] * 3)
            )
    assert "SEARCH m USING" in plan and "(vendor=? AND message_id=? AND recipient=?)" in plan, plan
    assert "SCAN m" not in plan, plan


def test_stores_that_lock_rows_never_take_the_lean_path(store: Store) -> None:
    """PostgreSQL keeps the general path, whose lock statement takes the rows
    in key order (concurrent writers never deadlock)."""
    with store.write() as tx:
        outcomes = apply_lean(tx, [plain("a", Status.SENT, 0)], T0, {})
    if store.dialect.name == "sqlite":
        assert outcomes is not None and outcomes[0].event_id is not None
    else:
        assert outcomes is None


@pytest.mark.parametrize("total", [None, 1, 0, 99])
def test_a_stored_single_part_total_is_kept(total: int | None) -> None:
    """A part stored with a total a single part can have (none, 1, or one no
    SMS can have, which counts as none) stays a one-part message on the lean
    path, its stored total kept as the general path keeps it."""
    with two_trackers() as (lean, general, clock):
        for tracker in (lean, general):
            with tracker.store.write() as tx:
                tx.run(
                    "INSERT INTO messages (vendor, message_id, recipient, final, events, created_at, updated_at)"
                    " VALUES ('acme', 'a', '+15550001111', 0, 1, 'x', 'x')"
                )
                tx.run(
                    "INSERT INTO events (message_pk, part_index, event_key, status, received_at, recorded_at,"
                    " channel, applied, decision, synthetic, report) VALUES (1, 1, 'k', 'sent', 'x', 'x', 'push',"
                    " 1, 'first', 0, '{}')"
                )
                tx.run(
                    "INSERT INTO parts (message_pk, part_index, part_total, status, final, received_at, event_id,"
                    " updated_at) VALUES (1, 1, ?, 'sent', 0, '2025-03-01T12:00:00.000000Z', 1, 'x')",
                    (total,),
                )
        clock.now += timedelta(seconds=1)
        by_lean, by_general = apply_both(lean, general, [plain("a", Status.DELIVERED, 10)])
        assert by_lean == by_general
        assert tables(lean.store) == tables(general.store)


def test_outcomes_nobody_reads_are_not_built_and_the_rows_are_the_same() -> None:
    groups = [
        [plain("a", Status.SENT, 0), plain("b", Status.SENT, 0), plain("a", Status.DELIVERED, 10)],
        [plain("b", Status.DELIVERED, 10), plain("a", Status.DELIVERED, 10)],
    ]
    with two_trackers() as (lean, general, clock):
        for group in groups:
            clock.now += timedelta(seconds=1)
            assert lean.apply(group, keep_changes=False, keep_outcomes=False, notify=False).outcomes == ()
            with mock.patch.object(apply_module, "apply_lean", return_value=None):
                assert len(general.apply(group, keep_changes=False, notify=False).outcomes) == len(group)
        assert tables(lean.store) == tables(general.store)


def test_an_observer_still_gets_every_outcome() -> None:
    heard: list[tuple[Outcome, ...]] = []

    class Observer:
        def applied(self, reports: Sequence[StatusReport], result: Any) -> None:
            heard.append(result.outcomes)

        def __getattr__(self, name: str) -> Any:
            return lambda *args: None

    with two_trackers() as (lean, _, _):
        lean.observer = Observer()  # type: ignore[assignment]
        lean.apply(
            [plain("a", Status.SENT, 0), plain("a", Status.SENT, 0)], keep_changes=False, keep_outcomes=False
        )
    ((first, again),) = heard
    assert first.decision is not None and first.decision.applied and not first.duplicate
    assert again.duplicate and again.event_id == first.event_id
