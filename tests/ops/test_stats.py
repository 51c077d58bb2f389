"""Delivery statistics over the store, on SQLite and PostgreSQL.

Every expected figure below is worked out by hand from the reports applied
(see each message's comment), never copied from the output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from smsstatus import Channel, Operator, Status, StatusReport
from smsstatus.tracker import Store, Tracker
from smsstatus.tracker.stats import delivery_rate_series, delivery_stats, parse_period

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def report(
    vendor: str,
    message_id: str,
    status: Status,
    *,
    received: float,
    status_at: float | None = None,
    submitted: float | None = None,
    country: str | None = None,
    operator: Operator | None = None,
) -> StatusReport:
    return StatusReport(
        vendor=vendor,
        message_id=message_id,
        status=status,
        status_at=None if status_at is None else at(status_at),
        submitted_at=None if submitted is None else at(submitted),
        received_at=at(received),
        country=country,
        operator=operator,
        channel=Channel.PUSH,
        raw={},
    )


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def fill(store: Store) -> None:
    clock = Clock()
    tracker = Tracker(store, clock=clock)

    def apply(seconds: float, *reports: StatusReport) -> None:
        clock.now = at(seconds)
        tracker.apply(list(reports))

    # a1: first report at vendor time T0, delivered at vendor time T0+10: 10 s.
    apply(0, report("acme", "a1", Status.ACCEPTED, received=0, status_at=0))
    apply(11, report("acme", "a1", Status.DELIVERED, received=11, status_at=10))
    # a2: submitted at T0-20 (the vendor says so), delivered at T0+30: 50 s from submission.
    apply(1, report("acme", "a2", Status.SENT, received=1, status_at=5, submitted=-20))
    apply(31, report("acme", "a2", Status.DELIVERED, received=31, status_at=30, submitted=-20))
    # a3: its only report is final: 0 s.
    apply(41, report("acme", "a3", Status.UNDELIVERED, received=41, status_at=40))
    # a4: accepted at T0+2 and nothing since: open.
    apply(2, report("acme", "a4", Status.ACCEPTED, received=2))
    # b1: no vendor times, accepted received at T0+3, delivered received at T0+103: 100 s.
    kpn = Operator(mcc="204", mnc="08", name="KPN")
    apply(3, report("beta", "b1", Status.ACCEPTED, received=3, country="NL", operator=kpn))
    apply(103, report("beta", "b1", Status.DELIVERED, received=103, country="NL", operator=kpn))
    # b1's delivered sent again (a retry): a duplicate, changes nothing.
    apply(104, report("beta", "b1", Status.DELIVERED, received=103, country="NL", operator=kpn))
    # b2: rejected at once: 0 s; the operator known only by MCC/MNC.
    apply(
        4,
        report(
            "beta", "b2", Status.REJECTED, received=4, country="DE", operator=Operator(mcc="262", mnc="01")
        ),
    )
    # b3: first seen before the period: in no figure.
    apply(-7200, report("beta", "b3", Status.ACCEPTED, received=-7200))


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    return store


PERIOD = {"since": at(-3600), "until": at(400)}


def test_by_vendor(filled: Store) -> None:
    stats = delivery_stats(filled, by="vendor", windows={"acme": 300.0}, default_window=3600.0, **PERIOD)
    acme, beta = stats.groups
    assert acme.key == "acme" and beta.key == "beta"
    assert acme.messages == 4 and dict(acme.statuses) == {"accepted": 1, "delivered": 2, "undelivered": 1}
    assert (acme.final, acme.delivered) == (3, 2)
    assert acme.delivery_rate == pytest.approx(2 / 3)
    # acme durations 10, 50, 0 -> sorted 0, 10, 50: p50 rank ceil(1.5)=2, p95 rank ceil(2.85)=3.
    assert (acme.timed, acme.p50_seconds, acme.p95_seconds) == (3, 10.0, 50.0)
    # a4 was first seen at T0+2, acme's window is 300 s: it ran out at T0+302, inside the period.
    assert acme.pending_past_window == 1
    assert beta.messages == 2 and dict(beta.statuses) == {"delivered": 1, "rejected": 1}
    assert beta.delivery_rate == pytest.approx(0.5)
    # beta durations 100, 0 -> p50 rank 1 = 0, p95 rank 2 = 100.
    assert (beta.timed, beta.p50_seconds, beta.p95_seconds) == (2, 0.0, 100.0)
    total = stats.total
    assert (total.messages, total.final, total.delivered) == (6, 5, 3)
    assert total.delivery_rate == pytest.approx(0.6)
    # all: 0, 0, 10, 50, 100 -> p50 rank 3 = 10, p95 rank ceil(4.75) = 5 = 100.
    assert (total.timed, total.p50_seconds, total.p95_seconds) == (5, 10.0, 100.0)


def test_pending_past_window_counts_windows_that_ran_out_in_the_period(filled: Store) -> None:
    # b3 (beta, first seen at T0-7200, still accepted) with a 1 h window ran out at T0-3600:
    # inside [T0-3600, T0+400), so it counts though b3 itself was first seen before the period.
    stats = delivery_stats(filled, by="vendor", windows={"acme": 300.0}, default_window=3600.0, **PERIOD)
    assert {g.key: g.pending_past_window for g in stats.groups} == {"acme": 1, "beta": 1}
    # A period that ends before a4's window (T0+302) ran out counts only b3.
    early = delivery_stats(
        filled, by="vendor", windows={"acme": 300.0}, default_window=3600.0, since=at(-3600), until=at(300)
    )
    assert {g.key: g.pending_past_window for g in early.groups if g.pending_past_window} == {"beta": 1}


def test_by_country_and_operator(filled: Store) -> None:
    by_country = delivery_stats(filled, by="country", **PERIOD)
    assert [(g.key, g.messages, g.delivered, g.final) for g in by_country.groups] == [
        ("DE", 1, 0, 1),
        ("NL", 1, 1, 1),
        (None, 4, 2, 3),
    ]
    by_operator = delivery_stats(filled, by="operator", **PERIOD)
    assert [(g.key, g.messages) for g in by_operator.groups] == [("262-01", 1), ("KPN", 1), (None, 4)]


def test_by_reason(filled: Store) -> None:
    stats = delivery_stats(filled, by="reason", **PERIOD)
    # The reports carry no reason: every message is in the group without one.
    assert [(g.key, g.messages) for g in stats.groups] == [(None, 6)]


def test_empty_period(filled: Store) -> None:
    stats = delivery_stats(filled, since=at(10_000), until=at(20_000))
    assert stats.groups == ()
    assert (stats.total.messages, stats.total.delivery_rate, stats.total.p50_seconds) == (0, None, None)


def test_rate_series(filled: Store) -> None:
    points = delivery_rate_series(filled, since=at(-3600), until=at(400), bucket=timedelta(hours=1))
    # Every message of the period was first seen in [T0, T0+104]: bucket 1 (T0 .. T0+1h).
    assert [(p.vendor, p.start, p.messages, p.final, p.delivered) for p in points] == [
        ("acme", T0, 4, 3, 2),
        ("beta", T0, 2, 2, 1),
    ]


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("24h", 86400), ("7d", 604800)])
def test_parse_period(text: str, seconds: int) -> None:
    assert parse_period(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "24", "h", "-1h", "0h", "1y"])
def test_parse_period_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="period|unit"):
        parse_period(text)
