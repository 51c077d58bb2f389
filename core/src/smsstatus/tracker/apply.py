"""The apply path: reports in, events, parts and messages out, inside one
transaction, with a fixed number of statements per call (not per report).

1. lock every message the call touches (creating missing rows) in key order;
2. for the messages that already had events: read their parts' current
   status and which of the call's event keys are already known (one
   statement; skipped when every message is new, since a new message has
   neither parts nor events);
3. decide each report in order against the state as it evolves
   (:func:`smsstatus.tracker.transitions.decide`);
4. write the new events and count the duplicates;
5. write the changed parts, then each message's combined status.

A receiver calls this for every group commit, so the per-report work is kept
to what the rules need: each key is computed once, nothing is read back that
the statements already returned, and single-part messages (nearly all) skip
the multipart combination.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..model import MAX_PARTS, Channel, Part, Reason, Status, StatusReport
from ..multipart import combine_parts
from . import polling, sql
from .apply_lean import apply_lean, event_row, state_rows
from .errors import StoreError
from .keys import (
    FIRST_SEGMENT_INDEX,
    MessageKey,
    event_key_of,
    is_synthetic,
    message_key,
    part_of,
    plausible_total,
    segment_of,
)
from .records import AutoTrack, Outcome, StatusChange
from .store import Transaction
from .transitions import FINAL_VALUES, STATUS_OF, Current, Decision, decide

__all__ = ["apply_in"]

#: (message status, reason, final, parts total, missing part numbers)
_Combined = tuple[Status, Reason | None, bool, int | None, tuple[int, ...]]
#: (vendor, message id, recipient): a MessageKey's fields
_Ident = tuple[str, str, str]


@attrs.define
class _PartState:
    total: int | None
    status: Status
    reason: Reason | None
    status_at: datetime | None
    received_at: datetime
    event_key: str | None = None  # set when this call changed it
    ref: str | None = None  # a segment named by ref (part number FIRST_SEGMENT_INDEX and up)


@attrs.define
class _Touched:
    key: MessageKey
    pk: int
    status_before: Status | None
    #: Whether the row had events before this call (else it has no parts and
    #: no events to read back).
    existed: bool
    has_target: bool
    parts: dict[int, _PartState] = attrs.field(factory=dict)
    #: The part number of each segment named by ref.
    refs: dict[str, int] = attrs.field(factory=dict)
    events: int = 0
    applied: bool = False
    batch_id: str | None = None
    client_ref: str | None = None
    poll_target_id: int | None = None
    #: (part index, part total, previous status, report, decision, event key)
    changes: list[tuple[int, int | None, Status | None, StatusReport, Decision, str]] = attrs.field(
        factory=list
    )


@attrs.define  # not frozen: a frozen class's __init__ costs twice as much
class _Report:
    """One trackable input report with everything derived from it once."""

    index: int
    key: MessageKey
    #: The key's fields: the apply path's dicts are keyed by this tuple, whose
    #: hash and equality are C's, not attrs' generated Python methods.
    ident: _Ident
    report: StatusReport
    event_key: str
    part_index: int
    part_total: int | None
    synthetic: bool
    #: The segment it names by ref; its part number is the message's (step 3).
    part_ref: str | None


def apply_in(
    tx: Transaction,
    reports: Sequence[StatusReport],
    now: datetime,
    links: Mapping[int, int],
    auto_track: Mapping[str, AutoTrack],
    *,
    changes_wanted: bool = True,
    outcomes_wanted: bool = True,
) -> tuple[list[Outcome], list[StatusChange]]:
    """Apply ``reports`` inside ``tx``. ``links`` maps a report's index to the
    poll target it came from; ``auto_track`` says which vendors' pushed
    messages get a poll target of their own. With ``changes_wanted=False``
    no :class:`StatusChange` is built (nobody would read them; the returned
    list is empty) and the rows written are the same; with
    ``outcomes_wanted=False`` the outcomes may be left out too (an empty list)."""
    if not links and not changes_wanted:
        lean = apply_lean(tx, reports, now, auto_track, outcomes_wanted=outcomes_wanted)
        if lean is not None:
            return lean, []
    outcomes: list[Outcome | None] = [None] * len(reports)
    keyed: list[_Report] = []
    for index, report in enumerate(reports):
        key = message_key(report)
        if key is None:
            outcomes[index] = Outcome(index=index, key=None)
            continue
        part_index, part_total = part_of(report)
        ekey = event_key_of(report, key, part_index)
        ref = segment_of(report)
        if ref is not None:
            part_total = plausible_total(report.segments)  # a segment's count, when known
        ident = (key.vendor, key.message_id, key.recipient)
        keyed.append(
            _Report(index, key, ident, report, ekey, part_index, part_total, is_synthetic(report), ref)
        )
    if not keyed:
        return [o for o in outcomes if o is not None], []

    d = tx.dialect
    now_ts = d.ts(now)
    touched = _lock_in(tx, {r.ident: r.key for r in keyed}, now_ts)
    known = _read_state_in(tx, touched, keyed)

    # 3. Decide, in report order, against the state as it evolves.
    duplicates: dict[str, tuple[int, int]] = {}  # event key: (message pk, count)
    new_events: list[tuple[_Report, _Touched, int, Decision]] = []
    targets: dict[tuple[str, str], int] = {}
    for item in keyed:
        msg = touched[item.ident]
        ekey = item.event_key
        if ekey in known:
            duplicates[ekey] = (msg.pk, duplicates.get(ekey, (0, 0))[1] + 1)
            continue
        known.add(ekey)
        report = item.report
        part_index = _segment_index(msg, item.part_ref) if item.part_ref is not None else item.part_index
        state = msg.parts.get(part_index)
        current = Current(state.status, state.status_at) if state is not None else None
        decision = decide(current, report.status, report.status_at, synthetic=item.synthetic)
        new_events.append((item, msg, part_index, decision))
        msg.events += 1
        msg.batch_id = report.batch_id or msg.batch_id
        msg.client_ref = report.client_ref or msg.client_ref
        if item.index in links:
            msg.poll_target_id = links[item.index]
        elif not msg.has_target and msg.poll_target_id is None and not item.synthetic:
            msg.poll_target_id = _auto_track_in(tx, report, now, auto_track, targets)
        if not decision.applied:
            continue
        msg.parts[part_index] = _PartState(
            total=item.part_total if item.part_total is not None else (state.total if state else None),
            status=report.status,
            reason=report.reason,
            status_at=report.status_at,
            received_at=report.received_at,
            event_key=ekey,
            ref=item.part_ref if part_index >= FIRST_SEGMENT_INDEX else None,
        )
        msg.applied = True
        msg.changes.append(
            (part_index, item.part_total, current.status if current else None, report, decision, ekey)
        )

    # 4. Write the events, count the duplicates.
    event_ids: dict[str, int] = {}
    #: Each new event's two times as stored: its part's row takes the same.
    stamps: dict[str, tuple[Any, Any]] = {}
    true, false = d.true, d.false
    for events in sql.chunks(new_events):
        params: list[Any] = []
        for item, msg, part_index, decision in events:
            params += event_row(
                d, msg.pk, part_index, item.event_key, item.report, decision, item.synthetic, now_ts, stamps
            )
        for row in tx.all(sql.rows(sql.INSERT_EVENTS, sql.EVENT_ROW, len(events)), params):
            event_ids[str(row[1])] = int(row[0])
    for ekey, (pk, count) in duplicates.items():
        counted = tx.one(sql.COUNT_DUPLICATE, (count, pk, ekey))
        if counted is not None:
            event_ids.setdefault(ekey, int(counted[0]))
    for item, _, _, decision in new_events:
        event_id = event_ids.get(item.event_key)
        if event_id is None:  # cannot happen while the message row is locked
            raise StoreError(d.name, f"event {item.event_key} was neither inserted nor found")
        outcomes[item.index] = Outcome(index=item.index, key=item.key, event_id=event_id, decision=decision)
    for item in keyed:
        if outcomes[item.index] is None:
            outcomes[item.index] = Outcome(
                index=item.index, key=item.key, event_id=event_ids.get(item.event_key), duplicate=True
            )

    # 5. The parts that changed, then each message's own row.
    changed_parts = [
        (msg.pk, index, state)
        for msg in touched.values()
        for index, state in msg.parts.items()
        if state.event_key is not None
    ]
    for parts in sql.chunks(changed_parts):
        params = []
        for pk, index, state in parts:
            ekey = state.event_key or ""
            status_ts, received_ts = stamps[ekey]
            status_value = state.status._value_
            params += [
                pk,
                index,
                state.total,
                status_value,
                state.reason._value_ if state.reason is not None else None,
                true if status_value in FINAL_VALUES else false,
                status_ts,
                received_ts,
                event_ids[ekey],
                now_ts,
                state.ref,
            ]
        tx.run(sql.rows(sql.UPSERT_PARTS, sql.PART_ROW, len(parts)), params)

    changes: list[StatusChange] = []
    applied_rows: list[Any] = []
    counted_rows: list[Any] = []
    for msg in touched.values():
        if msg.events == 0:
            continue
        key = msg.key
        if not msg.applied:
            counted_rows.append(
                (
                    key.vendor,
                    key.message_id,
                    key.recipient,
                    false,
                    msg.batch_id,
                    msg.client_ref,
                    msg.poll_target_id,
                    msg.events,
                    now_ts,
                    now_ts,
                )
            )
            continue
        status, reason, final, total, missing = _combine(key, msg)
        applied_rows.append(
            (
                key.vendor,
                key.message_id,
                key.recipient,
                status._value_,
                reason._value_ if reason is not None else None,
                true if final else false,
                total,
                d.json(list(missing)),
                msg.batch_id,
                msg.client_ref,
                msg.poll_target_id,
                msg.events,
                now_ts,
                now_ts,
            )
        )
        if not changes_wanted:
            continue
        for part_index, part_total, previous, report, decision, ekey in msg.changes:
            if previous is report.status and decision is Decision.REFRESH:
                continue  # same status, newer event: not a status change
            changes.append(
                StatusChange(
                    key=key,
                    part_index=part_index,
                    part_total=part_total,
                    part_ref=msg.parts[part_index].ref,
                    previous=previous,
                    status=report.status,
                    reason=report.reason,
                    decision=decision,
                    previous_message_status=msg.status_before,
                    message_status=status,
                    message_reason=reason,
                    message_final=final,
                    report=report,
                    event_id=event_ids[ekey],
                )
            )
    for chunk in sql.chunks(applied_rows):
        tx.run(sql.rows(sql.UPDATE_MESSAGES, sql.MESSAGE_ROW, len(chunk)), [v for row in chunk for v in row])
    for chunk in sql.chunks(counted_rows):
        tx.run(sql.rows(sql.COUNT_MESSAGES, sql.COUNT_ROW, len(chunk)), [v for row in chunk for v in row])
    return [o for o in outcomes if o is not None], changes


def _lock_in(tx: Transaction, by_fields: Mapping[_Ident, MessageKey], now_ts: Any) -> dict[_Ident, _Touched]:
    """1. Lock every message this call touches, creating missing rows, in key
    order (concurrent writers on PostgreSQL never deadlock)."""
    touched: dict[_Ident, _Touched] = {}
    ordered = sorted(by_fields)
    false = tx.dialect.false
    for chunk in sql.chunks(ordered):
        params: list[Any] = []
        for vendor, message_id, recipient in chunk:
            params += [vendor, message_id, recipient, false, now_ts, now_ts]
        for pk, vendor, message_id, recipient, status, target, events in tx.all(
            sql.rows(sql.LOCK_MESSAGES, sql.LOCK_ROW, len(chunk)), params
        ):
            ident = (vendor, message_id, recipient)
            key = by_fields[ident]
            touched[ident] = _Touched(
                key=key,
                pk=int(pk),
                status_before=(STATUS_OF.get(status) or Status(status)) if status else None,
                existed=bool(events),
                has_target=target is not None,
            )
    return touched


def _read_state_in(tx: Transaction, touched: Mapping[_Ident, _Touched], keyed: Sequence[_Report]) -> set[str]:
    """2. The parts of the messages that had events before, and which of
    their reports' event keys are stored already (one statement per chunk of
    messages). Returns the known event keys; fills each message's ``parts``."""
    keys_of: dict[int, dict[str, None]] = {}
    for item in keyed:
        msg = touched[item.ident]
        if msg.existed:
            keys_of.setdefault(msg.pk, {})[item.event_key] = None
    known: set[str] = set()
    if not keys_of:
        return known
    d = tx.dialect
    by_pk = {msg.pk: msg for msg in touched.values()}
    for row in state_rows(tx, keys_of):
        if row[0]:
            known.add(str(row[4]))
            continue
        _, pk, index, total, status, reason, status_at, received_at, ref = row
        msg = by_pk[int(pk)]
        msg.parts[int(index)] = _PartState(
            total=None if total is None else int(total),
            status=STATUS_OF.get(status) or Status(status),
            reason=Reason(reason) if reason else None,
            status_at=d.ts_out(status_at),
            received_at=sql.required(d.ts_out(received_at)),
            ref=ref,
        )
        if ref is not None:
            msg.refs[ref] = int(index)
    return known


def _combine(key: MessageKey, msg: _Touched) -> _Combined:
    """The message-level status from the current status of each part. A
    message of one part is that part (reason included, also for a
    non-final status such as the synthetic ``unknown``).

    A vendor controls the part numbers, so nothing here grows with them: a
    declared total above :data:`~smsstatus.model.MAX_PARTS` is not used, and
    the parts counted as missing never go past it."""
    if len(msg.parts) == 1:
        ((index, only),) = msg.parts.items()
        if index == 1 and (plausible_total(only.total) or 1) == 1:
            return only.status, only.reason, only.status.final, 1, ()
    if msg.refs:
        return _combine_segments(key, msg)
    stand_ins = [
        _stand_in(key, state, Part(index, plausible_total(state.total) or max(index, 1)))
        for index, state in sorted(msg.parts.items())
    ]
    totals = [total for state in msg.parts.values() if (total := plausible_total(state.total)) is not None]
    total = max(totals) if totals else min(max(msg.parts), MAX_PARTS)
    outcome = combine_parts(stand_ins, total=max(total, 1))
    return outcome.status, outcome.reason, outcome.final, outcome.total or 1, outcome.missing


def _combine_segments(key: MessageKey, msg: _Touched) -> _Combined:
    """A message whose segments are named by ref: each segment is a part of
    its own, part 1 holds what the reports naming no segment said, and the
    count is the largest a segment's report gave (multipart rules 5 and 6)."""
    stand_ins = [
        _stand_in(key, state, None if state.ref is not None or index == 1 else Part(index, index))
        for index, state in sorted(msg.parts.items())
    ]
    outcome = combine_parts(stand_ins)
    return outcome.status, outcome.reason, outcome.final, outcome.total, ()


def _stand_in(key: MessageKey, state: _PartState, part: Part | None) -> StatusReport:
    """A part's current state as the report :func:`combine_parts` reads."""
    return StatusReport(
        vendor=key.vendor,
        message_id=key.message_id,
        status=state.status,
        reason=state.reason,
        part=part,
        segments=plausible_total(state.total) if state.ref is not None else None,
        part_ref=state.ref,
        status_at=state.status_at,
        received_at=state.received_at,
        channel=Channel.PUSH,
        raw={},
    )


def _segment_index(msg: _Touched, ref: str) -> int:
    """The part number of the segment ``ref`` of ``msg``, given in the order
    segments are first heard of. A message has at most MAX_PARTS segments: a
    report naming one more counts for the whole message (part 1), so a vendor
    cannot make the tracker store more per message than a real SMS has."""
    index = msg.refs.get(ref)
    if index is None:
        if len(msg.refs) >= MAX_PARTS:
            return 1
        index = msg.refs[ref] = max(msg.refs.values(), default=FIRST_SEGMENT_INDEX - 1) + 1
    return index


def _auto_track_in(
    tx: Transaction,
    report: StatusReport,
    now: datetime,
    auto_track: Mapping[str, AutoTrack],
    targets: dict[tuple[str, str], int],
) -> int | None:
    """The poll target of a pushed message's fetch id (created if needed);
    ``targets`` remembers them for the rest of the call, since the messages
    of one batch usually share it (D7's request id, uSpeedo's SessionNo)."""
    rule = auto_track.get(report.vendor)
    if rule is None or report.final:
        return None
    fetch_id = report.batch_id if rule.field == "batch_id" else report.message_id
    if not fetch_id:
        return None
    target = targets.get((report.vendor, fetch_id))
    if target is None:
        submitted = report.submitted_at or report.received_at
        target = polling.target_in(tx, report.vendor, fetch_id, rule.policy, submitted, now)
        targets[(report.vendor, fetch_id)] = target
    return target
