"""``smsstatus stats``: delivery quality over the store (``docs/operations.md``)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from typing import Any

import click

from ..cli import _guard, _table
from ..tracker.stats import (
    DEFAULT_WINDOW,
    GROUPINGS,
    DeliveryStats,
    GroupStats,
    as_json,
    delivery_stats,
    parse_period,
    status_columns,
    windows_of,
)
from .build import open_configured_store
from .cli import CONFIG, DB

__all__ = ["stats", "printable", "stats_rows", "compute"]


def printable(text: str) -> str:
    """Control characters escaped (a vendor's operator name reaches the terminal)."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def compute(
    store: Any, registry: Any, *, since: str, by: str, default_window: float = DEFAULT_WINDOW
) -> DeliveryStats:
    """The figures for ``--since``/``--by`` as the command and ``/api/stats`` read them."""
    period = parse_period(since)
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    until = datetime.now(UTC)
    windows = windows_of({v: registry.info(v).poll for v in registry.vendors})
    return delivery_stats(
        store, since=until - period, until=until, by=by, windows=windows, default_window=default_window
    )


def stats_rows(stats: DeliveryStats) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per group and a total, with the columns of the table and CSV."""
    # "delivered" has its own column already.
    statuses = [s for s in status_columns(stats) if s != "delivered"]
    columns = [stats.by, "messages", "final", "delivered", "rate", "p50_s", "p95_s", "past_window", *statuses]

    def row(g: GroupStats, key: str) -> dict[str, Any]:
        return {
            stats.by: key,
            "messages": g.messages,
            "final": g.final,
            "delivered": g.delivered,
            "rate": None if g.delivery_rate is None else f"{g.delivery_rate:.3f}",
            "p50_s": g.p50_seconds,
            "p95_s": g.p95_seconds,
            "past_window": g.pending_past_window,
            **{s: g.statuses.get(s, 0) for s in statuses},
        }

    rows = [row(g, "-" if g.key is None else g.key) for g in stats.groups]
    rows.append(row(stats.total, "(all)"))
    return rows, columns


def _csv_cell(value: Any) -> Any:
    # A spreadsheet runs a cell starting with these as a formula (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and value != "-":
        return "'" + value
    return value


@click.command()
@DB
@CONFIG
@click.option(
    "--since", default="24h", show_default=True, help="The period: messages first seen this long ago."
)
@click.option("--by", type=click.Choice(GROUPINGS), default="vendor", show_default=True, help="Group by.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.option(
    "--default-window",
    default="72h",
    show_default=True,
    help="Usual window of vendors that declare no poll policy (for pending past window).",
)
@_guard
def stats(  # noqa: PLR0917 -- click passes options positionally
    db: str | None, config_path: str | None, since: str, by: str, fmt: str, default_window: str
) -> None:
    """Delivery quality: messages by status, delivery rate, time to final status, pending past window."""
    from ..registry import load

    try:
        window = parse_period(default_window).total_seconds()
        parse_period(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    store = open_configured_store(db, config_path)
    try:
        figures = compute(store, load(), since=since, by=by, default_window=window)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(as_json(figures), ensure_ascii=False, indent=2))
        return
    rows, columns = stats_rows(figures)
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell("" if row[c] is None else row[c]) for c in columns])
        return
    _table([{k: printable(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows], columns)
