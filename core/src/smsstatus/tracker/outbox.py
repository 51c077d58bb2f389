"""The durable outbox of status callbacks (``docs/operations.md``, "Status callbacks").

Every applied status change is written here as the JSON the application
receives (``smsstatus.to_json_data`` of the
:class:`~smsstatus.tracker.StatusChange`), **in the transaction that applies
it**: a change is in the store if and only if its callback is queued. The
delivery loop (:mod:`smsstatus.server.callbacks`) claims due rows with a lease,
posts them, deletes the delivered ones and reschedules the others with
backoff, so every change is delivered at least once across crashes and
restarts.

Bounded: at most ``max_pending`` rows wait (the count is checked at most every
few seconds, so it may be passed by what arrives in between); past it a
change is not queued and is counted as dropped (``outbox_full``). A row still
undelivered ``give_up_after`` seconds after it was queued is given up
(``failed``, counted as ``deadline``); the newest ``failed_kept`` failed rows are
kept for the dashboard, older ones deleted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from . import sql
from .records import StatusChange
from .store import Store, Transaction

__all__ = [
    "OutboxLimits",
    "OutboxGate",
    "OutboxRow",
    "OutboxSummary",
    "CallbackDrop",
    "Outbox",
    "body_of",
    "enqueue_in",
]

#: How often the tracker counts the waiting rows against ``max_pending``.
_RECOUNT_EVERY = timedelta(seconds=5)


@attrs.frozen(kw_only=True)
class OutboxLimits:
    """How much the outbox holds and for how long."""

    max_pending: int = 100_000
    give_up_after: float = 3 * 24 * 3600.0
    failed_kept: int = 1000


@attrs.define
class OutboxGate:
    """A process's estimate of the waiting rows (recounted every few seconds)."""

    pending: int = 0
    next_count: datetime | None = None


@attrs.frozen(kw_only=True)
class OutboxRow:
    id: int
    event_id: int
    vendor: str
    message_id: str
    body: bytes
    state: str
    created_at: datetime
    next_attempt_at: datetime
    attempts: int
    last_attempt_at: datetime | None
    last_error: str | None


@attrs.frozen(kw_only=True)
class CallbackDrop:
    reason: str
    changes: int
    last_at: datetime


@attrs.frozen(kw_only=True)
class OutboxSummary:
    pending: int
    failed: int
    oldest_pending: datetime | None
    drops: tuple[CallbackDrop, ...]


def body_of(change: StatusChange) -> bytes:
    """The callback body: the canonical JSON of ``change``, compact UTF-8."""
    from ..jsondata import to_json_data

    return json.dumps(to_json_data(change), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_INSERT = """
INSERT INTO callback_outbox (event_id, vendor, message_id, body, state, created_at, next_attempt_at, attempts)
VALUES {rows}
"""
_ROW = "(?, ?, ?, ?, 'pending', ?, ?, 0)"
_COUNT_PENDING = "SELECT COUNT(*) FROM callback_outbox WHERE state = 'pending'"
_COUNT_DROP = """
INSERT INTO callback_drops (reason, changes, last_at) VALUES (?, ?, ?)
ON CONFLICT (reason) DO UPDATE SET changes = callback_drops.changes + excluded.changes,
    last_at = excluded.last_at
"""
_COLUMNS = (
    "id, event_id, vendor, message_id, body, state, created_at, next_attempt_at, attempts,"
    " last_attempt_at, last_error"
)
_CLAIM = f"""
UPDATE callback_outbox SET lease_owner = ?, lease_until = ?
WHERE id IN (
    SELECT id FROM callback_outbox
    WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
    ORDER BY next_attempt_at, id
    LIMIT ?{{lock}}
)
RETURNING {_COLUMNS}
"""  # noqa: S608 -- fixed column list


def enqueue_in(
    tx: Transaction, changes: Sequence[StatusChange], now: datetime, limits: OutboxLimits, gate: OutboxGate
) -> int:
    """Queue ``changes`` inside ``tx``; how many did not fit (counted as
    ``outbox_full`` drops)."""
    if not changes:
        return 0
    d = tx.dialect
    if gate.next_count is None or now >= gate.next_count or gate.pending + len(changes) > limits.max_pending:
        row = tx.one(_COUNT_PENDING)
        gate.pending = int(row[0]) if row else 0
        gate.next_count = now + _RECOUNT_EVERY
    room = max(0, limits.max_pending - gate.pending)
    queued, dropped = changes[:room], len(changes) - min(room, len(changes))
    now_ts = d.ts(now)
    for chunk in sql.chunks(queued):
        params: list[Any] = []
        for change in chunk:
            params += [
                change.event_id,
                change.key.vendor,
                change.key.message_id,
                body_of(change),
                now_ts,
                now_ts,
            ]
        tx.run(sql.rows(_INSERT, _ROW, len(chunk)), params)
    gate.pending += len(queued)
    if dropped:
        tx.run(_COUNT_DROP, ("outbox_full", dropped, now_ts))
    return dropped


def _row(d: Any, r: Sequence[Any]) -> OutboxRow:
    return OutboxRow(
        id=int(r[0]),
        event_id=int(r[1]),
        vendor=str(r[2]),
        message_id=str(r[3]),
        body=bytes(r[4]),
        state=str(r[5]),
        created_at=sql.required(d.ts_out(r[6])),
        next_attempt_at=sql.required(d.ts_out(r[7])),
        attempts=int(r[8]),
        last_attempt_at=d.ts_out(r[9]),
        last_error=r[10],
    )


class Outbox:
    """The delivery side of the outbox: claim, settle, summarise."""

    def __init__(self, store: Store, limits: OutboxLimits | None = None) -> None:
        self.store = store
        self.limits = limits or OutboxLimits()

    def claim(
        self, owner: str, *, limit: int, lease: timedelta, now: datetime
    ) -> tuple[list[OutboxRow], int]:
        """Lease up to ``limit`` due rows, oldest first (``FOR UPDATE SKIP
        LOCKED`` on PostgreSQL), after giving up the rows past their deadline;
        the rows, and how many were given up."""
        with self.store.write() as tx:
            d = tx.dialect
            given_up = self._give_up_expired_in(tx, now)
            statement = _CLAIM.format(lock=d.skip_locked)
            rows = tx.all(statement, (owner, d.ts(now + lease), d.ts(now), d.ts(now), limit))
        return sorted((_row(d, r) for r in rows), key=lambda row: row.id), given_up

    def _give_up_expired_in(self, tx: Transaction, now: datetime) -> int:
        d = tx.dialect
        cutoff = d.ts(now - timedelta(seconds=self.limits.give_up_after))
        given_up = tx.run(
            "UPDATE callback_outbox SET state = 'failed', lease_owner = NULL, lease_until = NULL,"
            " last_error = COALESCE(last_error, 'never attempted') || ' (gave up: deadline passed)'"
            " WHERE state = 'pending' AND created_at < ?",
            (cutoff,),
        )
        if given_up > 0:
            tx.run(_COUNT_DROP, ("deadline", given_up, d.ts(now)))
            self._trim_failed_in(tx)
        return max(given_up, 0)

    def _trim_failed_in(self, tx: Transaction) -> None:
        tx.run(
            "DELETE FROM callback_outbox WHERE state = 'failed' AND id < COALESCE(("
            " SELECT MIN(id) FROM (SELECT id FROM callback_outbox WHERE state = 'failed'"
            " ORDER BY id DESC LIMIT ?) AS newest), 0)",
            (self.limits.failed_kept,),
        )

    def delivered(self, ids: Sequence[int], owner: str) -> None:
        """Delivered rows leave the outbox."""
        if not ids:
            return
        with self.store.write() as tx:
            for chunk in sql.chunks(list(ids)):
                tx.run(
                    sql.marks(
                        "DELETE FROM callback_outbox WHERE lease_owner = ? AND id IN ({marks})", len(chunk)
                    ),
                    [owner, *chunk],
                )

    def retry(
        self, rows: Sequence[OutboxRow], owner: str, *, next_at: Sequence[datetime], error: str, now: datetime
    ) -> None:
        """Release ``rows`` with one more attempt counted, due again at ``next_at[i]``."""
        if not rows:
            return
        with self.store.write() as tx:
            d = tx.dialect
            for row, due in zip(rows, next_at, strict=True):
                tx.run(
                    "UPDATE callback_outbox SET attempts = attempts + 1, last_attempt_at = ?, last_error = ?,"
                    " next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
                    (d.ts(now), error, d.ts(due), row.id, owner),
                )

    def release(self, rows: Sequence[OutboxRow], owner: str) -> None:
        """Give ``rows`` back unattempted (the loop is stopping)."""
        if not rows:
            return
        with self.store.write() as tx:
            for chunk in sql.chunks([r.id for r in rows]):
                tx.run(
                    sql.marks(
                        "UPDATE callback_outbox SET lease_owner = NULL, lease_until = NULL"
                        " WHERE lease_owner = ? AND id IN ({marks})",
                        len(chunk),
                    ),
                    [owner, *chunk],
                )

    def summary(self) -> OutboxSummary:
        with self.store.read() as tx:
            d = tx.dialect
            row = tx.one(
                "SELECT COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0),"
                " COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0),"
                " MIN(CASE WHEN state = 'pending' THEN created_at END) FROM callback_outbox"
            )
            drops = tuple(
                CallbackDrop(reason=r[0], changes=int(r[1]), last_at=sql.required(d.ts_out(r[2])))
                for r in tx.all("SELECT reason, changes, last_at FROM callback_drops ORDER BY reason")
            )
        pending, failed, oldest = (int(row[0]), int(row[1]), d.ts_out(row[2])) if row else (0, 0, None)
        return OutboxSummary(pending=pending, failed=failed, oldest_pending=oldest, drops=drops)

    def rows(self, *, state: str, limit: int = 100, newest_first: bool = True) -> list[OutboxRow]:
        order = "DESC" if newest_first else "ASC"
        with self.store.read() as tx:
            d = tx.dialect
            found = tx.all(
                f"SELECT {_COLUMNS} FROM callback_outbox WHERE state = ? ORDER BY id {order} LIMIT ?",  # noqa: S608
                (state, limit),
            )
        return [_row(d, r) for r in found]
