"""Reading the store: a message's status, parts, history and poll target;
row counts."""

from __future__ import annotations

from typing import Any

from ..model import Reason, Status
from . import sql
from .errors import NotTrackedError
from .keys import MessageKey
from .polling import target_from_row
from .records import EventRecord, MessageRecord, PartRecord
from .store import Transaction
from .transitions import Decision

__all__ = ["messages_in", "counts_in"]


def messages_in(tx: Transaction, vendor: str, message_id: str) -> list[MessageRecord]:
    """Every recipient of ``message_id`` (or the messages linked to the poll
    target ``message_id``) with parts, history and poll target; a record
    carrying just the target when nothing came back for it yet. Raises
    :class:`NotTrackedError` when neither is known."""
    d = tx.dialect
    target_row = tx.one(sql.SELECT_TARGET_BY_FETCH_ID, (vendor, message_id))
    target = target_from_row(tx, target_row) if target_row else None
    rows = tx.all(sql.SELECT_MESSAGES_OF, (vendor, message_id, target.id if target else -1))
    records: list[MessageRecord] = []
    for row in rows:
        pk = int(row[0])
        parts = tuple(
            PartRecord(
                index=int(p[0]),
                total=None if p[1] is None else int(p[1]),
                status=Status(p[2]),
                reason=Reason(p[3]) if p[3] else None,
                final=d.bool_out(p[4]),
                status_at=d.ts_out(p[5]),
                received_at=sql.required(d.ts_out(p[6])),
                event_id=int(p[7]),
                ref=p[8],
            )
            for p in tx.all(sql.SELECT_PARTS_OF, (pk,))
        )
        history = tuple(
            EventRecord(
                id=int(e[0]),
                part_index=int(e[1]),
                status=Status(e[2]),
                reason=Reason(e[3]) if e[3] else None,
                vendor_status=e[4],
                vendor_code=e[5],
                status_at=d.ts_out(e[6]),
                received_at=sql.required(d.ts_out(e[7])),
                recorded_at=sql.required(d.ts_out(e[8])),
                channel=e[9],
                applied=d.bool_out(e[10]),
                decision=Decision(e[11]),
                synthetic=d.bool_out(e[12]),
                duplicates=int(e[13]),
                report=d.json_out(e[14]),
            )
            for e in tx.all(sql.SELECT_EVENTS_OF, (pk,))
        )
        own_target = target if target and row[13] == target.id else None
        if own_target is None and row[13] is not None:
            t = tx.one(sql.SELECT_TARGET_BY_ID, (row[13],))
            own_target = target_from_row(tx, t) if t else None
        records.append(
            MessageRecord(
                key=MessageKey(vendor, row[1], row[2]),
                status=Status(row[3]) if row[3] else None,
                reason=Reason(row[4]) if row[4] else None,
                final=d.bool_out(row[5]),
                parts_total=None if row[6] is None else int(row[6]),
                parts_missing=tuple(d.json_out(row[7]) or ()),
                batch_id=row[8],
                client_ref=row[9],
                events=int(row[10]),
                created_at=sql.required(d.ts_out(row[11])),
                updated_at=sql.required(d.ts_out(row[12])),
                parts=parts,
                history=history,
                poll_target=own_target,
            )
        )
    if not records and target is None:
        raise NotTrackedError(vendor, message_id)
    if not records and target is not None:
        records.append(
            MessageRecord(
                key=MessageKey(vendor, message_id, ""),
                status=None,
                reason=None,
                final=False,
                parts_total=None,
                parts_missing=(),
                batch_id=None,
                client_ref=None,
                events=0,
                created_at=target.submitted_at,
                updated_at=target.submitted_at,
                parts=(),
                history=(),
                poll_target=target,
            )
        )
    return records


def counts_in(tx: Transaction) -> dict[str, int]:
    """Row counts (messages, events, duplicates, dead letters, poll targets)."""
    result: dict[str, int] = {}
    for name, statement in sql.COUNTS:
        row: Any = tx.one(statement)
        result[name] = int(row[0]) if row else 0
    return result
