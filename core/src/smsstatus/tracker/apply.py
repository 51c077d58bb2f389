"""The apply path: reports in, events, parts and messages out, inside one
transaction, with a fixed number of statements per call (not per report).

1. lock every message the call touches (creating missing rows) in key order;
2. read their parts' current status and which event keys are already known;
3. decide each report in order against the state as it evolves
   (:func:`smsstatus.tracker.transitions.decide`);
4. write the new events and count the duplicates;
5. write the changed parts, then each message's combined status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..model import MAX_PARTS, Channel, Part, Reason, Status, StatusReport
from ..multipart import MessageOutcome, combine_parts
from . import polling, sql
from .errors import StoreError
from .keys import MessageKey, event_key, is_synthetic, message_key, part_of
from .records import AutoTrack, Outcome, StatusChange
from .store import Transaction
from .transitions import Current, Decision, decide

__all__ = ["apply_in"]

_NO_KEY = MessageKey("", "", "")


@attrs.define
class _PartState:
    total: int | None
    status: Status
    reason: Reason | None
    status_at: datetime | None
    received_at: datetime
    event_key: str | None = None  # set when this call changed it
    report: StatusReport | None = None


@attrs.define
class _Touched:
    pk: int
    status_before: Status | None
    parts: dict[int, _PartState] = attrs.field(factory=dict)
    events: int = 0
    applied: bool = False
    batch_id: str | None = None
    client_ref: str | None = None
    poll_target_id: int | None = None
    has_target: bool = False
    #: (part index, part total, previous status, report, decision, event key)
    changes: list[tuple[int, int | None, Status | None, StatusReport, Decision, str]] = attrs.field(
        factory=list
    )


def apply_in(
    tx: Transaction,
    reports: Sequence[StatusReport],
    now: datetime,
    links: Mapping[int, int],
    auto_track: Mapping[str, AutoTrack],
) -> tuple[list[Outcome], list[StatusChange]]:
    """Apply ``reports`` inside ``tx``. ``links`` maps a report's index to the
    poll target it came from; ``auto_track`` says which vendors' pushed
    messages get a poll target of their own."""
    from ..serialize import to_dict

    d = tx.dialect
    now_ts = d.ts(now)
    outcomes: list[Outcome | None] = [None] * len(reports)
    keyed: list[tuple[int, MessageKey, StatusReport]] = []
    for index, report in enumerate(reports):
        key = message_key(report)
        if key is None:
            outcomes[index] = Outcome(index=index, key=None)
        else:
            keyed.append((index, key, report))
    if not keyed:
        return [o for o in outcomes if o is not None], []

    # 1. Lock every message this call touches, creating missing rows, in
    #    key order (concurrent writers on PostgreSQL never deadlock).
    touched: dict[MessageKey, _Touched] = {}
    ordered = sorted({k for _, k, _ in keyed}, key=attrs.astuple)
    for chunk in sql.chunks(ordered):
        params: list[Any] = []
        for key in chunk:
            params += [key.vendor, key.message_id, key.recipient, False, now_ts, now_ts]
        for row in tx.all(sql.rows(sql.LOCK_MESSAGES, sql.LOCK_ROW, len(chunk)), params):
            touched[MessageKey(row[1], row[2], row[3])] = _Touched(
                pk=int(row[0]),
                status_before=Status(row[4]) if row[4] else None,
                has_target=row[5] is not None,
            )
    by_pk = {msg.pk: msg for msg in touched.values()}

    # 2. Their parts' current status, and which of the events are known.
    for chunk in sql.chunks(list(by_pk)):
        for pk, index, total, status, reason, status_at, received_at in tx.all(
            sql.marks(sql.SELECT_PARTS, len(chunk)), chunk
        ):
            by_pk[int(pk)].parts[int(index)] = _PartState(
                total=None if total is None else int(total),
                status=Status(status),
                reason=Reason(reason) if reason else None,
                status_at=d.ts_out(status_at),
                received_at=sql.required(d.ts_out(received_at)),
            )
    keys_of = {index: event_key(report) for index, _, report in keyed}
    known: set[str] = set()
    distinct = list(dict.fromkeys(keys_of.values()))
    for chunk in sql.chunks(distinct):
        known.update(str(r[0]) for r in tx.all(sql.marks(sql.SELECT_EVENT_KEYS, len(chunk)), chunk))

    # 3. Decide, in report order, against the state as it evolves.
    duplicates: dict[str, int] = {}
    new_events: list[tuple[int, MessageKey, StatusReport, str, int, Decision]] = []
    for index, key, report in keyed:
        msg = touched[key]
        ekey = keys_of[index]
        if ekey in known:
            duplicates[ekey] = duplicates.get(ekey, 0) + 1
            outcomes[index] = Outcome(index=index, key=key, duplicate=True)
            continue
        known.add(ekey)
        part_index, part_total = part_of(report)
        state = msg.parts.get(part_index)
        current = Current(state.status, state.status_at) if state is not None else None
        synthetic = is_synthetic(report)
        decision = decide(current, report.status, report.status_at, synthetic=synthetic)
        new_events.append((index, key, report, ekey, part_index, decision))
        msg.events += 1
        msg.batch_id = report.batch_id or msg.batch_id
        msg.client_ref = report.client_ref or msg.client_ref
        if index in links:
            msg.poll_target_id = links[index]
        elif not msg.has_target and msg.poll_target_id is None and not synthetic:
            msg.poll_target_id = _auto_track_in(tx, report, now, auto_track)
        if not decision.applied:
            continue
        msg.parts[part_index] = _PartState(
            total=part_total if part_total is not None else (state.total if state else None),
            status=report.status,
            reason=report.reason,
            status_at=report.status_at,
            received_at=report.received_at,
            event_key=ekey,
            report=report,
        )
        msg.applied = True
        msg.changes.append(
            (part_index, part_total, current.status if current else None, report, decision, ekey)
        )

    # 4. Write the events, count the duplicates.
    event_ids: dict[str, int] = {}
    for chunk in sql.chunks(new_events):
        params = []
        for _, _, report, ekey, part_index, decision in chunk:
            params += [
                touched[message_key(report) or _NO_KEY].pk,
                part_index,
                ekey,
                report.status.value,
                report.reason.value if report.reason else None,
                report.vendor_status,
                report.vendor_code,
                d.ts(report.status_at),
                d.ts(report.received_at),
                now_ts,
                report.channel.value,
                decision.applied,
                decision.value,
                is_synthetic(report),
                d.json(to_dict(report)),
            ]
        for row in tx.all(sql.rows(sql.INSERT_EVENTS, sql.EVENT_ROW, len(chunk)), params):
            event_ids[str(row[1])] = int(row[0])
    for ekey, count in duplicates.items():
        counted = tx.one(sql.COUNT_DUPLICATE, (count, ekey))
        if counted is not None:
            event_ids.setdefault(ekey, int(counted[0]))
    for index, key, _report, ekey, _part, decision in new_events:
        if ekey not in event_ids:  # cannot happen while the message row is locked
            raise StoreError(d.name, f"event {ekey} was neither inserted nor found")
        outcomes[index] = Outcome(index=index, key=key, event_id=event_ids[ekey], decision=decision)
    for index, o in enumerate(outcomes):
        if o is not None and o.duplicate and o.event_id is None:
            outcomes[index] = attrs.evolve(o, event_id=event_ids.get(keys_of[index]))

    # 5. The parts that changed, then each message's own row.
    changed_parts = [
        (msg, index, state)
        for msg in touched.values()
        for index, state in msg.parts.items()
        if state.event_key is not None
    ]
    for chunk in sql.chunks(changed_parts):
        params = []
        for msg, index, state in chunk:
            params += [
                msg.pk,
                index,
                state.total,
                state.status.value,
                state.reason.value if state.reason else None,
                state.status.final,
                d.ts(state.status_at),
                d.ts(state.received_at),
                event_ids[state.event_key or ""],
                now_ts,
            ]
        tx.run(sql.rows(sql.UPSERT_PARTS, sql.PART_ROW, len(chunk)), params)

    changes: list[StatusChange] = []
    applied_rows: list[Any] = []
    counted_rows: list[Any] = []
    for key, msg in touched.items():
        if msg.events == 0:
            continue
        if not msg.applied:
            counted_rows.append(
                [
                    *attrs.astuple(key),
                    False,
                    msg.batch_id,
                    msg.client_ref,
                    msg.poll_target_id,
                    msg.events,
                    now_ts,
                    now_ts,
                ]
            )
            continue
        outcome = _combine(key, msg)
        applied_rows.append(
            [
                *attrs.astuple(key),
                outcome.status.value,
                outcome.reason.value if outcome.reason else None,
                outcome.final,
                outcome.total,
                d.json(list(outcome.missing)),
                msg.batch_id,
                msg.client_ref,
                msg.poll_target_id,
                msg.events,
                now_ts,
                now_ts,
            ]
        )
        for part_index, part_total, previous, report, decision, ekey in msg.changes:
            if previous is report.status and decision is Decision.REFRESH:
                continue  # same status, newer event: not a status change
            changes.append(
                StatusChange(
                    key=key,
                    part_index=part_index,
                    part_total=part_total,
                    previous=previous,
                    status=report.status,
                    reason=report.reason,
                    decision=decision,
                    previous_message_status=msg.status_before,
                    message_status=outcome.status,
                    message_reason=outcome.reason,
                    message_final=outcome.final,
                    report=report,
                    event_id=event_ids[ekey],
                )
            )
    for chunk in sql.chunks(applied_rows):
        tx.run(sql.rows(sql.UPDATE_MESSAGES, sql.MESSAGE_ROW, len(chunk)), [v for row in chunk for v in row])
    for chunk in sql.chunks(counted_rows):
        tx.run(sql.rows(sql.COUNT_MESSAGES, sql.COUNT_ROW, len(chunk)), [v for row in chunk for v in row])
    return [o for o in outcomes if o is not None], changes


def _combine(key: MessageKey, msg: _Touched) -> MessageOutcome:
    """The message-level status from the current status of each part. A
    message of one part is that part (reason included, also for a
    non-final status such as the synthetic ``unknown``).

    A vendor controls the part numbers, so nothing here grows with them: a
    declared total above :data:`~smsstatus.model.MAX_PARTS` is not used, and
    the parts counted as missing never go past it."""
    stand_ins = [
        StatusReport(
            vendor=key.vendor,
            message_id=key.message_id,
            status=state.status,
            reason=state.reason,
            part=Part(index, _plausible(state.total) or max(index, 1)),
            status_at=state.status_at,
            received_at=state.received_at,
            channel=Channel.PUSH,
            raw={},
        )
        for index, state in sorted(msg.parts.items())
    ]
    if len(stand_ins) == 1 and stand_ins[0].part == Part(1, 1):
        only = stand_ins[0]
        return MessageOutcome(only.status, only.reason, 1, {1: only}, ())
    totals = [total for state in msg.parts.values() if (total := _plausible(state.total)) is not None]
    total = max(totals) if totals else min(max(msg.parts), MAX_PARTS)
    return combine_parts(stand_ins, total=max(total, 1))


def _plausible(total: int | None) -> int | None:
    """A part total a concatenated SMS can have, else ``None`` (rows stored
    before the bound may hold anything)."""
    return total if total is not None and 1 <= total <= MAX_PARTS else None


def _auto_track_in(
    tx: Transaction, report: StatusReport, now: datetime, auto_track: Mapping[str, AutoTrack]
) -> int | None:
    rule = auto_track.get(report.vendor)
    if rule is None or report.final:
        return None
    fetch_id = report.batch_id if rule.field == "batch_id" else report.message_id
    if not fetch_id:
        return None
    submitted = report.submitted_at or report.received_at
    return polling.target_in(tx, report.vendor, fetch_id, rule.policy, submitted, now)
