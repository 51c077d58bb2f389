"""Delivery quality over the store: ``smsstatus stats``, ``/api/stats`` and the dashboard.

For the messages **first seen** in a period (``messages.created_at``), per
group (vendor, country, operator or reason):

* how many there are, by their current canonical status;
* the **delivery rate**: delivered over final (``None`` while none is final);
* the **time to final status**, p50 and p95 (nearest rank): from the vendor's
  submission time where a report gives one (``submitted_at``), else from the
  first report (its vendor time, else its receive time), to the report that
  made the message final (same choice of time). Synthetic outcomes are not
  reports and are left out; a negative time (clocks apart) counts as 0;
* **pending past window**: messages whose vendor's usual window (its
  ``PollPolicy.give_up_after``; ``default_window`` for vendors without one)
  ran out during the period, counted from when the message was first seen,
  and that still have no final status.

Everything is aggregated in SQL (one statement per figure, the percentiles
with window functions), the same statements on SQLite and PostgreSQL but for
three small dialect pieces: epoch seconds, JSON fields and ``floor``. Indexes:
``messages_created`` (period) and the partial ``messages_open`` (pending).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import attrs

from ..model import Status
from .store import Store, Transaction

__all__ = [
    "GROUPINGS",
    "Grouping",
    "GroupStats",
    "DeliveryStats",
    "RatePoint",
    "delivery_stats",
    "delivery_rate_series",
    "parse_period",
]

Grouping = Literal["vendor", "country", "operator", "reason"]
GROUPINGS: tuple[Grouping, ...] = ("vendor", "country", "operator", "reason")

_FINAL = tuple(s.value for s in Status if s.final)
_FINAL_LIST = ", ".join(f"'{v}'" for v in _FINAL)

#: Window of vendors that declare no poll policy (the usual SMSC validity period).
DEFAULT_WINDOW = 72 * 3600.0


@attrs.frozen(kw_only=True)
class GroupStats:
    """The figures of one group (``key`` ``None``: the group of messages
    without that value, e.g. no country reported; for the total, ``None``)."""

    key: str | None
    messages: int
    statuses: Mapping[str, int]
    final: int
    delivered: int
    delivery_rate: float | None
    #: Final messages whose time to final status is known.
    timed: int
    p50_seconds: float | None
    p95_seconds: float | None
    pending_past_window: int


@attrs.frozen(kw_only=True)
class DeliveryStats:
    since: datetime
    until: datetime
    by: Grouping
    groups: tuple[GroupStats, ...]
    total: GroupStats


@attrs.frozen(kw_only=True)
class RatePoint:
    """One vendor's messages first seen in one time bucket."""

    vendor: str
    start: datetime
    messages: int
    final: int
    delivered: int

    @property
    def delivery_rate(self) -> float | None:
        return self.delivered / self.final if self.final else None


def parse_period(text: str) -> timedelta:
    """``90s``, ``15m``, ``24h``, ``7d``, ``2w`` (a number and a unit)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    value, unit = text[:-1].strip(), text[-1:].lower()
    if unit not in units or not value.replace(".", "", 1).isdigit():
        raise ValueError(f"expected a number and a unit (s, m, h, d, w), e.g. 24h; got {text!r}")
    seconds = float(value) * units[unit]
    if seconds <= 0:
        raise ValueError(f"the period must be positive, got {text!r}")
    return timedelta(seconds=seconds)


# -- dialect pieces -------------------------------------------------------------


class _Sql:
    """The three things the two backends spell differently."""

    def __init__(self, tx: Transaction) -> None:
        self.sqlite = tx.dialect.name == "sqlite"

    def epoch(self, column: str) -> str:
        # SQLite's date functions work in whole milliseconds.
        if self.sqlite:
            return f"((julianday({column}) - 2440587.5) * 86400.0)"
        return f"EXTRACT(EPOCH FROM {column})"

    def epoch_param(self) -> str:
        return self.epoch("?") if self.sqlite else "EXTRACT(EPOCH FROM CAST(? AS timestamptz))"

    def json_text(self, column: str, *path: str) -> str:
        if self.sqlite:
            return f"json_extract({column}, '$.{'.'.join(path)}')"
        *parents, leaf = path
        return "(" + column + "".join(f"->'{p}'" for p in parents) + f"->>'{leaf}')"

    def json_time(self, column: str, name: str) -> str:
        text = self.json_text(column, name)
        return self.epoch(text) if self.sqlite else f"EXTRACT(EPOCH FROM CAST({text} AS timestamptz))"

    def floor(self, expression: str) -> str:
        # Non-negative here: SQLite's CAST truncates, which is floor.
        return f"CAST({expression} AS INTEGER)" if self.sqlite else f"FLOOR({expression})"

    def group(self, by: Grouping) -> str:
        """The grouping value of message ``m``."""
        if by == "vendor":
            return "m.vendor"
        if by == "reason":
            return "m.reason"
        if by == "country":
            value = self.json_text("g.report", "country")
        else:
            name = self.json_text("g.report", "operator", "name")
            mcc = self.json_text("g.report", "operator", "mcc")
            mnc = self.json_text("g.report", "operator", "mnc")
            value = f"COALESCE({name}, {mcc} || '-' || {mnc}, {mcc})"
        # A message's reports agree on it (MAX: one value, whichever reports say it).
        return f"(SELECT MAX({value}) FROM events g WHERE g.message_pk = m.id AND NOT g.synthetic)"  # noqa: S608


# -- the figures ------------------------------------------------------------------


def delivery_stats(
    store: Store,
    *,
    since: datetime,
    until: datetime,
    by: Grouping = "vendor",
    windows: Mapping[str, float] | None = None,
    default_window: float = DEFAULT_WINDOW,
) -> DeliveryStats:
    """The figures of the messages first seen in ``[since, until)``, grouped
    ``by``; ``windows`` maps a vendor to its usual window in seconds."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    with store.read() as tx:
        q = _Sql(tx)
        d = tx.dialect
        span = (d.ts(since), d.ts(until))
        counts = _counts(tx, q, by, span)
        times = _times(tx, q, by, span)
        overdue = _overdue(
            tx, q, by=by, since=since, until=until, windows=dict(windows or {}), default_window=default_window
        )
    keys = sorted((set(counts) | set(times) | set(overdue)) - {_TOTAL}, key=lambda k: (k is None, k or ""))
    groups = tuple(_group(k, counts.get(k, {}), times.get(k), overdue.get(k, 0)) for k in keys)
    everything: dict[str, int] = {}
    for per_status in counts.values():
        for status, n in per_status.items():
            everything[status] = everything.get(status, 0) + n
    total = _group(None, everything, times.get(_TOTAL), sum(overdue.values()))
    return DeliveryStats(since=since, until=until, by=by, groups=groups, total=total)


_TOTAL = "\x00total"  # cannot be a grouping value: ids and names never hold NUL


def _group(
    key: str | None,
    statuses: Mapping[str, int],
    times: tuple[int, float | None, float | None] | None,
    overdue: int,
) -> GroupStats:
    final = sum(n for s, n in statuses.items() if s in _FINAL)
    delivered = statuses.get(Status.DELIVERED.value, 0)
    timed, p50, p95 = times or (0, None, None)
    return GroupStats(
        key=key,
        messages=sum(statuses.values()),
        statuses=dict(sorted(statuses.items())),
        final=final,
        delivered=delivered,
        delivery_rate=delivered / final if final else None,
        timed=timed,
        p50_seconds=p50,
        p95_seconds=p95,
        pending_past_window=overdue,
    )


def _counts(
    tx: Transaction, q: _Sql, by: Grouping, span: tuple[Any, Any]
) -> dict[str | None, dict[str, int]]:
    rows = tx.all(
        f"SELECT {q.group(by)}, m.status, COUNT(*) FROM messages m"  # noqa: S608 -- fixed pieces
        " WHERE m.created_at >= ? AND m.created_at < ? GROUP BY 1, 2",
        span,
    )
    counts: dict[str | None, dict[str, int]] = {}
    for key, status, n in rows:
        per = counts.setdefault(None if key is None else str(key), {})
        name = str(status) if status else "none"
        per[name] = per.get(name, 0) + int(n)
    return counts


def _times(
    tx: Transaction, q: _Sql, by: Grouping, span: tuple[Any, Any]
) -> dict[str | None, tuple[int, float | None, float | None]]:
    """Nearest-rank p50 and p95 per group and over all, in one statement."""
    event_time = q.epoch("COALESCE(e.status_at, e.received_at)")
    final_time = f"MAX(CASE WHEN e.applied AND e.status IN ({_FINAL_LIST}) THEN {event_time} END)"
    start = f"COALESCE(MIN({q.json_time('e.report', 'submitted_at')}), MIN({event_time}))"
    statement = f"""
WITH d AS (
    SELECT {q.group(by)} AS grp, {final_time} - {start} AS dur
    FROM messages m JOIN events e ON e.message_pk = m.id AND NOT e.synthetic
    WHERE m.created_at >= ? AND m.created_at < ? AND m.final
    GROUP BY m.id
), w AS (
    SELECT grp, CASE WHEN dur < 0 THEN 0.0 ELSE dur END AS dur,
        ROW_NUMBER() OVER (PARTITION BY grp ORDER BY dur) AS rn, COUNT(*) OVER (PARTITION BY grp) AS n,
        ROW_NUMBER() OVER (ORDER BY dur) AS rn_all, COUNT(*) OVER () AS n_all
    FROM d WHERE dur IS NOT NULL
)
SELECT 0, grp, MAX(n), MAX(CASE WHEN rn = (n + 1) / 2 THEN dur END),
    MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN dur END)
FROM w GROUP BY grp
UNION ALL
SELECT 1, NULL, MAX(n_all), MAX(CASE WHEN rn_all = (n_all + 1) / 2 THEN dur END),
    MAX(CASE WHEN rn_all = (95 * n_all + 99) / 100 THEN dur END)
FROM w
"""  # noqa: S608 -- fixed pieces
    result: dict[str | None, tuple[int, float | None, float | None]] = {}
    for total, key, n, p50, p95 in tx.all(statement, span):
        if n is None:
            continue
        name = _TOTAL if total else (None if key is None else str(key))
        result[name] = (int(n), _seconds(p50), _seconds(p95))
    return result


def _seconds(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def _overdue(
    tx: Transaction,
    q: _Sql,
    *,
    by: Grouping,
    since: datetime,
    until: datetime,
    windows: dict[str, float],
    default_window: float,
) -> dict[str | None, int]:
    """Open messages whose window ended in ``[since, until)``: first seen in
    ``[since - window, until - window)`` of their vendor."""
    d = tx.dialect
    clauses: list[str] = []
    params: list[Any] = []
    for vendor, window in sorted(windows.items()):
        clauses.append("(m.vendor = ? AND m.created_at >= ? AND m.created_at < ?)")
        params += [vendor, d.ts(since - timedelta(seconds=window)), d.ts(until - timedelta(seconds=window))]
    others = "m.created_at >= ? AND m.created_at < ?"
    if windows:
        others += f" AND m.vendor NOT IN ({', '.join('?' for _ in windows)})"
    clauses.append(f"({others})")
    params += [
        d.ts(since - timedelta(seconds=default_window)),
        d.ts(until - timedelta(seconds=default_window)),
    ]
    params += sorted(windows)
    rows = tx.all(
        f"SELECT {q.group(by)}, COUNT(*) FROM messages m"  # noqa: S608 -- fixed pieces
        f" WHERE NOT m.final AND ({' OR '.join(clauses)}) GROUP BY 1",
        params,
    )
    return {None if key is None else str(key): int(n) for key, n in rows}


def delivery_rate_series(
    store: Store, *, since: datetime, until: datetime, bucket: timedelta
) -> list[RatePoint]:
    """Per vendor and time bucket (from ``since``), the messages first seen
    then, how many are final and how many delivered: the dashboard's chart."""
    seconds = bucket.total_seconds()
    with store.read() as tx:
        q = _Sql(tx)
        d = tx.dialect
        # Whole milliseconds first: SQLite's epoch is a double (T0 - T0-1h must be 3600, not 3599.9999).
        index = q.floor(f"ROUND({q.epoch('m.created_at')} - {q.epoch_param()}, 3) / ?")
        rows = tx.all(
            f"SELECT m.vendor, {index}, COUNT(*),"  # noqa: S608 -- fixed pieces
            " SUM(CASE WHEN m.final THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN m.status = 'delivered' THEN 1 ELSE 0 END)"
            " FROM messages m WHERE m.created_at >= ? AND m.created_at < ? GROUP BY 1, 2 ORDER BY 2, 1",
            (d.ts(since), seconds, d.ts(since), d.ts(until)),
        )
    return [
        RatePoint(
            vendor=str(vendor),
            start=since + timedelta(seconds=int(i) * seconds),
            messages=int(n),
            final=int(final or 0),
            delivered=int(delivered or 0),
        )
        for vendor, i, n, final, delivered in rows
    ]


def windows_of(policies: Mapping[str, Any]) -> dict[str, float]:
    """Vendor windows from ``{vendor: PollPolicy | None}``."""
    return {v: float(p.give_up_after) for v, p in policies.items() if p is not None}


def as_json(stats: DeliveryStats) -> dict[str, Any]:
    """The figures as JSON data (``smsstatus stats --format json``, ``/api/stats``)."""
    from ..serialize import format_instant

    def group(g: GroupStats) -> dict[str, Any]:
        return {
            "key": g.key,
            "messages": g.messages,
            "statuses": dict(g.statuses),
            "final": g.final,
            "delivered": g.delivered,
            "delivery_rate": None if g.delivery_rate is None else round(g.delivery_rate, 6),
            "time_to_final": {"count": g.timed, "p50_seconds": g.p50_seconds, "p95_seconds": g.p95_seconds},
            "pending_past_window": g.pending_past_window,
        }

    return {
        "since": format_instant(stats.since),
        "until": format_instant(stats.until),
        "by": stats.by,
        "groups": [group(g) for g in stats.groups],
        "total": group(stats.total),
    }


def status_columns(stats: DeliveryStats) -> Sequence[str]:
    """The canonical statuses present, in the enum's order."""
    present = set(stats.total.statuses)
    return [s.value for s in Status if s.value in present] + sorted(present - {s.value for s in Status})
