"""Dead letters: pushes (or the failed items of a batch push) kept for replay.

Every function works inside a transaction the caller holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from . import sql
from .records import DeadLetter, DeadLetterRecord
from .store import Transaction

__all__ = ["insert_in", "select_in", "mark_in"]


def insert_in(tx: Transaction, letter: DeadLetter, now: datetime) -> int:
    """Store ``letter`` (state ``pending``); its id."""
    d = tx.dialect
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
        ),
    )
    assert row is not None
    return int(row[0])


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
