"""The lean apply path: the receiver's usual group, stored with fewer
statements and without the general path's per-report objects.

A receiver's group commit is nearly always the same shape: plain reports
(a message id, no part number or segment, not synthetic) of vendors nobody
auto-tracks, about messages that are new or hold one part. For that group,
on a store whose write transaction holds the whole store (SQLite), this
path writes exactly the rows :func:`~smsstatus.tracker.apply.apply_in`'s
general path writes, with the same ids, in fewer steps:

* the messages that exist are *read* (no lock statement is needed: nobody
  else can write until the transaction ends), and each new message is
  inserted once, fully formed; the general path inserts a bare row to lock
  it and rewrites it at the end (two writes of the row and of its indexes,
  about a tenth of a push's instructions);
* a message of one part keeps that part's state as it is decided, without
  the multipart bookkeeping.

Anything else returns ``None`` before anything is written, and the caller
runs the general path, which is the reference (tests/tracker/test_apply_lean.py
holds the two to the same rows and outcomes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..model import Reason, Status, StatusReport
from . import sql
from .errors import StoreError
from .jsontext import report_text
from .keys import MessageKey, event_key_for, plausible_total
from .records import AutoTrack, Outcome
from .store import Dialect, Row, Transaction
from .transitions import APPLIED_VALUES, FINAL_VALUES, STATUS_OF, Decision, decide

__all__ = ["apply_lean", "event_row", "state_rows"]

#: (vendor, message id, recipient): a MessageKey's fields
_Ident = tuple[str, str, str]


class _Message:
    """One message of the group: its row (``pk``, ``None`` until a new one is
    inserted) and its one part as decided so far (``status``, ``status_at``:
    what :func:`decide` reads, so this record is passed to it as the part's
    state instead of a :class:`Current` built for every report)."""

    __slots__ = (
        "applied_by",
        "batch_id",
        "client_ref",
        "events",
        "found",
        "has_part",
        "ident",
        "pk",
        "reason",
        "status",
        "status_at",
        "total",
    )

    def __init__(self, ident: _Ident) -> None:
        self.ident = ident
        self.pk: int | None = None
        #: Whether its row existed before this call (else it is inserted).
        self.found = False
        #: Whether the message has its part yet; until then ``status`` is
        #: only a placeholder, never read.
        self.has_part = False
        self.status = Status.UNKNOWN
        self.status_at: datetime | None = None
        self.reason: Reason | None = None
        #: The part's stored total (``None``, 1, or a number no SMS can have).
        self.total: int | None = None
        #: The event of this call that set the part (its key and report).
        self.applied_by: tuple[str, StatusReport] | None = None
        self.events = 0
        self.batch_id: str | None = None
        self.client_ref: str | None = None


def event_row(  # noqa: PLR0917 -- one row of INSERT_EVENTS, in its column order
    d: Dialect,
    pk: int,
    part_index: int,
    event_key: str,
    report: StatusReport,
    decision: Decision,
    synthetic: bool,
    now_ts: Any,
    stamps: dict[str, tuple[Any, Any]],
) -> list[Any]:
    """The parameters of one event row (``sql.EVENT_ROW``); its two times as
    stored go into ``stamps`` (its part's row takes the same)."""
    reason = report.reason
    status_ts, received_ts = stamps[event_key] = (d.ts(report.status_at), d.ts(report.received_at))
    return [
        pk,
        part_index,
        event_key,
        report.status._value_,
        reason._value_ if reason is not None else None,
        report.vendor_status,
        report.vendor_code,
        status_ts,
        received_ts,
        now_ts,
        report.channel._value_,
        d.true if decision._value_ in APPLIED_VALUES else d.false,
        decision._value_,
        d.true if synthetic else d.false,
        d.json_text(report_text(report)),
    ]


def state_rows(tx: Transaction, keys_of: Mapping[int, Mapping[str, None]]) -> Iterator[Row]:
    """The rows of :func:`sql.state_query` for the messages ``keys_of`` names
    (message pk: the call's event keys of that message): ``(0, pk, part
    index, total, status, reason, status_at, received_at, part_ref)`` for each
    stored part, ``(1, ..., event key, ...)`` for each key stored already."""
    for pks, keys in sql.state_chunks(keys_of):
        size = sql.size_for(max(len(pks), len(keys)))
        padded_pks = sql.padded(pks, size)
        yield from tx.all(sql.state_query(size), [*padded_pks, *padded_pks, *sql.padded(keys, size)])


def apply_lean(
    tx: Transaction,
    reports: Sequence[StatusReport],
    now: datetime,
    auto_track: Mapping[str, AutoTrack],
    *,
    outcomes_wanted: bool = True,
) -> list[Outcome] | None:
    """Apply ``reports`` as the general path would, or return ``None`` (nothing
    written) when the group is not one this path takes. With
    ``outcomes_wanted=False`` the returned list is empty (the receiver reads
    none: an :class:`Outcome` and its :class:`MessageKey` cost more to build
    than the rest of a report's decision)."""
    d = tx.dialect
    if not d.serialized_writes:
        return None
    # Every report plain: what the general path would key and decide as part 1.
    messages: dict[_Ident, _Message] = {}
    items: list[tuple[StatusReport, _Message, str]] = []
    for report in reports:
        message_id = report.message_id
        if (
            not message_id
            or report.part is not None
            or report.part_ref is not None
            or report.vendor in auto_track
            or report.extra.get("synthetic")
        ):
            return None
        ident = (report.vendor, message_id, report.recipient or report.recipient_raw or "")
        msg = messages.get(ident)
        if msg is None:
            msg = messages[ident] = _Message(ident)
        items.append((report, msg, event_key_for(report, ident[1], ident[2], 1)))

    # The messages that exist, and the state of those that had events.
    ordered = sorted(messages)
    keys_of: dict[int, dict[str, None]] = {}
    for chunk in sql.chunks(ordered):
        params = [value for ident in chunk for value in ident]
        for pk, vendor, message_id, recipient, events in tx.all(
            sql.rows(sql.SELECT_MESSAGES_BY_KEY, sql.KEY_ROW, len(chunk)), params
        ):
            msg = messages[vendor, message_id, recipient]
            msg.pk = int(pk)
            msg.found = True
            if events:
                keys_of[msg.pk] = {}
    known: set[str] = set()
    if keys_of:
        for _, msg, ekey in items:
            if msg.pk in keys_of:
                keys_of[msg.pk][ekey] = None
        by_pk = {msg.pk: msg for msg in messages.values() if msg.pk is not None}
        for row in state_rows(tx, keys_of):
            if row[0]:
                known.add(str(row[4]))
                continue
            _, pk, index, total, status, reason, status_at, _, ref = row
            total = None if total is None else int(total)
            if int(index) != 1 or ref is not None or plausible_total(total) not in (None, 1):
                return None  # a multipart message: the general path combines its parts
            msg = by_pk[int(pk)]
            msg.has_part = True
            msg.status = STATUS_OF.get(status) or Status(status)
            msg.status_at = d.ts_out(status_at)
            msg.reason = Reason(reason) if reason else None
            msg.total = total

    # Decide, in report order, against the part as it evolves.
    duplicates: dict[str, tuple[_Message, int]] = {}
    new_events: list[tuple[StatusReport, _Message, str, Decision]] = []
    for report, msg, ekey in items:
        if ekey in known:
            duplicates[ekey] = (msg, duplicates[ekey][1] + 1 if ekey in duplicates else 1)
            continue
        known.add(ekey)
        decision = decide(msg if msg.has_part else None, report.status, report.status_at)
        new_events.append((report, msg, ekey, decision))
        msg.events += 1
        msg.batch_id = report.batch_id or msg.batch_id
        msg.client_ref = report.client_ref or msg.client_ref
        if decision._value_ in APPLIED_VALUES:
            msg.has_part = True
            msg.status = report.status
            msg.status_at = report.status_at
            msg.reason = report.reason
            msg.applied_by = (ekey, report)

    # New messages, fully formed, in key order (the ids the general path's
    # lock statement gives them); existing ones are written at the end.
    now_ts = d.ts(now)
    true, false = d.true, d.false
    no_parts_missing = d.json([])
    new_rows: list[Any] = []
    for ident in ordered:
        msg = messages[ident]
        if not msg.found:
            new_rows.append(_message_row(msg, now_ts, true, false, no_parts_missing))
    for chunk in sql.chunks(new_rows):
        statement = sql.rows(sql.INSERT_MESSAGES, sql.MESSAGE_ROW, len(chunk))
        for pk, vendor, message_id, recipient in tx.all(statement, [v for row in chunk for v in row]):
            messages[vendor, message_id, recipient].pk = int(pk)

    # The events, then the duplicates counted.
    event_ids: dict[str, int] = {}
    stamps: dict[str, tuple[Any, Any]] = {}
    for events in sql.chunks(new_events):
        params = []
        for report, msg, ekey, decision in events:
            params += event_row(d, _pk(msg), 1, ekey, report, decision, False, now_ts, stamps)
        for row in tx.all(sql.rows(sql.INSERT_EVENTS, sql.EVENT_ROW, len(events)), params):
            event_ids[str(row[1])] = int(row[0])
    for ekey, (msg, count) in duplicates.items():
        counted = tx.one(sql.COUNT_DUPLICATE, (count, _pk(msg), ekey))
        if counted is not None:
            event_ids.setdefault(ekey, int(counted[0]))
    # Checked before the outcomes below index event_ids by these keys (a
    # StoreError, not a KeyError); it cannot happen while the store is held.
    for _, _, ekey, _ in new_events:
        if ekey not in event_ids:
            raise StoreError(d.name, f"event {ekey} was neither inserted nor found")
    outcomes: list[Outcome] = []
    if outcomes_wanted:
        keys: dict[_Ident, MessageKey] = {}
        decisions: dict[str, Decision | None] = {ekey: decision for _, _, ekey, decision in new_events}
        for index, (_, msg, ekey) in enumerate(items):
            key = keys.get(msg.ident) or keys.setdefault(msg.ident, MessageKey(*msg.ident))
            first = decisions.pop(ekey, None)  # the first report with the key is the new event
            if first is None:
                outcomes.append(Outcome(index=index, key=key, event_id=event_ids.get(ekey), duplicate=True))
            else:
                outcomes.append(Outcome(index=index, key=key, event_id=event_ids[ekey], decision=first))

    # The parts that changed, then the rows of the messages that existed
    # (which the general path's lock statement had touched: each gets its
    # update, or at least its ``updated_at``, as there).
    part_rows: list[Any] = []
    applied_rows: list[Any] = []
    counted_rows: list[Any] = []
    for ident in ordered:
        msg = messages[ident]
        if msg.applied_by is not None:
            ekey, report = msg.applied_by
            status_ts, received_ts = stamps[ekey]
            status_value = report.status._value_
            reason = report.reason
            part_rows.append(
                (
                    msg.pk,
                    1,
                    msg.total,
                    status_value,
                    reason._value_ if reason is not None else None,
                    true if status_value in FINAL_VALUES else false,
                    status_ts,
                    received_ts,
                    event_ids[ekey],
                    now_ts,
                    None,
                )
            )
        if not msg.found:
            continue
        if msg.applied_by is not None:
            applied_rows.append(_message_row(msg, now_ts, true, false, no_parts_missing))
        else:
            counted_rows.append(
                (*ident, false, msg.batch_id, msg.client_ref, None, msg.events, now_ts, now_ts)
            )
    for chunk in sql.chunks(part_rows):
        tx.run(sql.rows(sql.UPSERT_PARTS, sql.PART_ROW, len(chunk)), [v for row in chunk for v in row])
    for chunk in sql.chunks(applied_rows):
        tx.run(sql.rows(sql.UPDATE_MESSAGES, sql.MESSAGE_ROW, len(chunk)), [v for row in chunk for v in row])
    for chunk in sql.chunks(counted_rows):
        tx.run(sql.rows(sql.COUNT_MESSAGES, sql.COUNT_ROW, len(chunk)), [v for row in chunk for v in row])
    return outcomes


def _message_row(msg: _Message, now_ts: Any, true: Any, false: Any, no_parts_missing: Any) -> tuple[Any, ...]:
    """The message's row (``sql.MESSAGE_ROW``) after this call: its one part's
    state when a report applied, else no status yet (a new message's first
    report always applies, so that is only for completeness)."""
    if msg.applied_by is None:
        no_status = (None, None, false, None, None)
        return (*msg.ident, *no_status, msg.batch_id, msg.client_ref, None, msg.events, now_ts, now_ts)
    status_value = msg.status._value_
    reason = msg.reason
    return (
        *msg.ident,
        status_value,
        reason._value_ if reason is not None else None,
        true if status_value in FINAL_VALUES else false,
        1,
        no_parts_missing,
        msg.batch_id,
        msg.client_ref,
        None,
        msg.events,
        now_ts,
        now_ts,
    )


def _pk(msg: _Message) -> int:
    assert msg.pk is not None  # every message has its row by now
    return msg.pk
