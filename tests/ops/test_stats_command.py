"""``smsstatus stats`` over a store: JSON, CSV and table give the same figures."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from smsstatus.cli import main
from smsstatus.tracker import Store, Tracker

from .test_stats import Clock, Status, at, report


def run(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["stats", "--db", db_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def fill_recent(store: Store) -> None:
    """Reports received just now, so that they fall in --since 24h."""
    from datetime import UTC, datetime

    clock = Clock()
    clock.now = datetime.now(UTC)
    tracker = Tracker(store, clock=clock)
    base = (clock.now - at(0)).total_seconds()
    tracker.apply([report("d7", "x1", Status.SENT, received=base - 30)])
    tracker.apply([report("d7", "x1", Status.DELIVERED, received=base - 10)])  # 20 s
    tracker.apply(
        [report("d7", "x2", Status.UNDELIVERED, received=base - 5, operator=None, country="AE")]
    )  # 0 s
    tracker.apply([report("d7", "x3", Status.ACCEPTED, received=base)])


def test_stats_json_csv_table(store: Store, db_url: str) -> None:
    fill_recent(store)
    data = json.loads(run(db_url, "--format", "json"))
    (d7,) = data["groups"]
    assert d7["key"] == "d7" and d7["messages"] == 3
    assert d7["statuses"] == {"accepted": 1, "delivered": 1, "undelivered": 1}
    assert (d7["final"], d7["delivered"], d7["delivery_rate"]) == (2, 1, 0.5)
    # durations 20 and 0: p50 rank 1 = 0, p95 rank 2 = 20.
    assert d7["time_to_final"] == {"count": 2, "p50_seconds": 0.0, "p95_seconds": 20.0}
    assert data["total"]["messages"] == 3 and data["by"] == "vendor"

    rows = list(csv.DictReader(io.StringIO(run(db_url, "--format", "csv", "--by", "country"))))
    assert [(r["country"], r["messages"], r["delivered"], r["final"]) for r in rows] == [
        ("AE", "1", "0", "1"),
        ("-", "2", "1", "1"),
        ("(all)", "3", "1", "2"),
    ]
    table = run(db_url).splitlines()
    assert table[0].split()[:5] == ["VENDOR", "MESSAGES", "FINAL", "DELIVERED", "RATE"]
    assert table[1].split()[:5] == ["d7", "3", "2", "1", "0.500"]


def test_stats_refuses_a_bad_period(db_url: str) -> None:
    result = CliRunner().invoke(main, ["stats", "--db", db_url, "--since", "yesterday"])
    assert result.exit_code == 2 and "unit" in result.output
