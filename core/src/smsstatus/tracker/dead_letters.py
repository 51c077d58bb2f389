"""Dead letters: pushes (or the failed items of a batch push) kept for replay,
within limits (:class:`~smsstatus.tracker.DeadLetterLimits`): a rejected
push keeps a bounded prefix of its body, each quota (authenticated pushes,
everything else) caps the count and bytes, old letters expire, and whatever
the limits drop is counted in ``dead_letter_drops``.

Every function works inside a transaction the caller holds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from . import sql
from .records import DeadLetter, DeadLetterDrop, DeadLetterLimits, DeadLetterRecord
from .store import Transaction

__all__ = ["insert_in", "select_in", "mark_in", "expire_in", "drops_in", "size_of"]


def size_of(letter: DeadLetter) -> int:
    """Bytes a letter costs in the store (what the quotas count)."""
    items = len(json.dumps([dict(i) for i in letter.items], default=str)) if letter.items else 0
    headers = sum(len(n) + len(v) for n, v in letter.headers)
    return (
        len(letter.body)
        + len(letter.replay_copy or b"")
        + len(letter.url)
        + len(letter.error)
        + headers
        + items
    )


def _bounded(letter: DeadLetter, limits: DeadLetterLimits) -> tuple[DeadLetter, int]:
    """A rejected push keeps at most ``body_prefix_bytes`` of its body (and
    then cannot be replayed); returns the letter and the bytes cut."""
    if letter.kind != "request" or len(letter.body) <= limits.body_prefix_bytes:
        return letter, 0
    cut = len(letter.body) - limits.body_prefix_bytes
    return (
        attrs.evolve(
            letter, body=letter.body[: limits.body_prefix_bytes], body_complete=False, replay_copy=None
        ),
        cut,
    )


def insert_in(tx: Transaction, letter: DeadLetter, now: datetime, limits: DeadLetterLimits) -> int | None:
    """Store ``letter`` (state ``pending``); its id, or ``None`` when its
    quota is full (the drop is counted)."""
    d = tx.dialect
    letter, cut = _bounded(letter, limits)
    if cut:
        count_drop_in(tx, letter.vendor, "truncated", letters=0, size=cut, now=now)
    size = size_of(letter)
    usage = (
        sql.DEAD_LETTER_USAGE_AUTHENTICATED
        if letter.authentication == "passed"
        else sql.DEAD_LETTER_USAGE_OTHERS
    )
    row = tx.one(usage)
    letters, used = (int(row[0]), int(row[1])) if row else (0, 0)
    if letters + 1 > limits.max_letters or used + size > limits.max_bytes:
        count_drop_in(tx, letter.vendor, "quota", letters=1, size=size, now=now)
        return None
    row = tx.one(
        sql.INSERT_DEAD_LETTER,
        (
            letter.vendor,
            letter.kind,
            letter.error_type,
            letter.error,
            d.json([dict(i) for i in letter.items] if letter.items is not None else None),
            letter.method,
            letter.url,
            d.json([list(pair) for pair in letter.headers]),
            letter.body,
            letter.body_complete,
            letter.remote_addr,
            d.ts(letter.received_at),
            d.ts(now),
            letter.authentication,
            letter.replay_copy,
            size,
        ),
    )
    assert row is not None
    return int(row[0])


def count_drop_in(
    tx: Transaction, vendor: str, reason: str, *, letters: int, size: int, now: datetime
) -> None:
    tx.run(sql.COUNT_DROP, (vendor, reason, letters, size, tx.dialect.ts(now)))


def expire_in(tx: Transaction, now: datetime, limits: DeadLetterLimits) -> int:
    """Delete letters older than the retention time (counted as ``expired``);
    how many were deleted."""
    d = tx.dialect
    cutoff = d.ts(now - timedelta(days=limits.retention_days))
    expired = 0
    for vendor, letters, size in tx.all(sql.COUNT_EXPIRED_DEAD_LETTERS, (cutoff,)):
        count_drop_in(tx, vendor, "expired", letters=int(letters), size=int(size), now=now)
        expired += int(letters)
    if expired:
        tx.run(sql.DELETE_EXPIRED_DEAD_LETTERS, (cutoff,))
    return expired


def drops_in(tx: Transaction) -> list[DeadLetterDrop]:
    d = tx.dialect
    return [
        DeadLetterDrop(
            vendor=r[0], reason=r[1], letters=int(r[2]), bytes=int(r[3]), last_at=sql.required(d.ts_out(r[4]))
        )
        for r in tx.all(sql.SELECT_DROPS)
    ]


def select_in(
    tx: Transaction,
    *,
    state: str | None,
    vendor: str | None,
    ids: Sequence[int] | None,
    limit: int,
) -> list[DeadLetterRecord]:
    d = tx.dialect
    clauses: list[str] = []
    params: list[Any] = []
    if state is not None:
        clauses.append("state = ?")
        params.append(state)
    if vendor is not None:
        clauses.append("vendor = ?")
        params.append(vendor)
    if ids:
        clauses.append(f"id IN ({', '.join('?' for _ in ids)})")
        params.extend(ids)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    params.append(limit)
    statement = f"SELECT {sql.DEAD_LETTER_COLUMNS} FROM dead_letters{where} ORDER BY id LIMIT ?"  # noqa: S608
    return [
        DeadLetterRecord(
            id=int(r[0]),
            vendor=r[1],
            kind=r[2],
            state=r[3],
            error_type=r[4],
            error=r[5],
            items=tuple(d.json_out(r[6])) if r[6] is not None else None,
            method=r[7],
            url=r[8],
            headers=tuple((str(n), str(v)) for n, v in d.json_out(r[9])),
            body=bytes(r[10]),
            body_complete=d.bool_out(r[11]),
            remote_addr=r[12],
            received_at=sql.required(d.ts_out(r[13])),
            created_at=sql.required(d.ts_out(r[14])),
            attempts=int(r[15]),
            last_attempt_at=d.ts_out(r[16]),
            last_error=r[17],
            replayed_at=d.ts_out(r[18]),
            authentication=r[19],
            replay_copy=None if r[20] is None else bytes(r[20]),
            size=int(r[21]),
        )
        for r in tx.all(statement, params)
    ]


def mark_in(tx: Transaction, letter_id: int, *, replayed: bool, error: str | None, now: datetime) -> None:
    """Count one replay attempt: ``replayed``, or still ``pending`` with its error."""
    d = tx.dialect
    tx.run(
        sql.MARK_DEAD_LETTER,
        ("replayed" if replayed else "pending", d.ts(now), error, d.ts(now) if replayed else None, letter_id),
    )
