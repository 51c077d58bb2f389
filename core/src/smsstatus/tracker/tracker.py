"""The tracker: applies canonical reports to a store.

Per message (vendor, message id, recipient) and part it keeps the current
status and every event with its vendor time and receive time. See
``docs/tracker.md``; the rules are in :mod:`smsstatus.tracker.transitions`.

Everything one call writes (reports, dead letters, poll bookkeeping) is one
transaction; listeners hear of applied status changes only after it commits.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import attrs

from ..model import Channel, MappingKind, Part, Reason, Status, StatusReport
from ..multipart import MessageOutcome, combine_parts
from ..vendor import PollPolicy
from .errors import NotTrackedError, StoreError
from .store import Store, Transaction
from .transitions import Current, Decision, decide

__all__ = [
    "MessageKey",
    "StatusChange",
    "Outcome",
    "ApplyResult",
    "DeadLetter",
    "AutoTrack",
    "PollTarget",
    "EventRecord",
    "PartRecord",
    "MessageRecord",
    "DeadLetterRecord",
    "Tracker",
    "message_key",
    "event_key",
    "part_of",
    "is_synthetic",
    "synthetic_report",
    "SYNTHETIC_EXPIRED",
]

log = logging.getLogger("smsstatus.tracker")

#: ``extra["synthetic"]`` of the report the poller records when a vendor's
#: poll window passes without a final status.
SYNTHETIC_EXPIRED = "poll_window_expired"

Listener = Callable[["StatusChange"], None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


# -- keys ------------------------------------------------------------------


@attrs.frozen(order=True)
class MessageKey:
    """One message to one recipient at one vendor (``recipient`` is ``""``
    when the vendor names none)."""

    vendor: str
    message_id: str
    recipient: str


def message_key(report: StatusReport) -> MessageKey | None:
    """The message a report is about, or ``None`` when it has no message id
    (such a report cannot be tracked: the receiver dead-letters it)."""
    if not report.message_id:
        return None
    return MessageKey(report.vendor, report.message_id, report.recipient or report.recipient_raw or "")


def part_of(report: StatusReport) -> tuple[int, int | None]:
    """(part index, part total); a report without part information is part 1."""
    if report.part is None:
        return 1, None
    return report.part.index, report.part.total


def is_synthetic(report: StatusReport) -> bool:
    return bool(report.extra.get("synthetic"))


def event_key(report: StatusReport) -> str:
    """The dedupe key of one event: the message and part, the status (canonical
    and the vendor's value and code), the vendor's event time, and the vendor's
    idempotency data where a plugin gives it (``extra["event_id"]``).

    Never the message id alone: a later status of the same message is a new
    event. The receive time and the vendor's push time (``notified_at``) are
    left out, so a vendor's retry of the same report is a duplicate.
    """
    key = message_key(report)
    index, _ = part_of(report)
    fields = [
        report.vendor,
        key.message_id if key else None,
        key.recipient if key else None,
        index,
        report.status.value,
        report.vendor_status,
        report.vendor_code,
        report.status_at.astimezone(UTC).isoformat() if report.status_at else None,
        report.extra.get("event_id"),
        report.extra.get("synthetic"),
    ]
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- results -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class StatusChange:
    """An applied status change, told to listeners after the commit.

    ``previous``/``status`` are the part's; ``message_status`` is the
    message-level status after the change (multipart messages combine their
    parts with :func:`smsstatus.multipart.combine_parts`).
    """

    key: MessageKey
    part_index: int
    part_total: int | None
    previous: Status | None
    status: Status
    reason: Reason | None
    decision: Decision
    previous_message_status: Status | None
    message_status: Status
    message_reason: Reason | None
    message_final: bool
    report: StatusReport
    event_id: int


@attrs.frozen(kw_only=True)
class Outcome:
    """What happened to one input report."""

    index: int
    key: MessageKey | None
    event_id: int | None = None
    decision: Decision | None = None
    duplicate: bool = False

    @property
    def applied(self) -> bool:
        return self.decision is not None and self.decision.applied

    @property
    def tracked(self) -> bool:
        return self.key is not None


@attrs.frozen(kw_only=True)
class ApplyResult:
    outcomes: tuple[Outcome, ...]
    changes: tuple[StatusChange, ...]
    dead_letter_ids: tuple[int, ...] = ()

    @property
    def applied(self) -> int:
        return sum(1 for o in self.outcomes if o.applied)

    @property
    def duplicates(self) -> int:
        return sum(1 for o in self.outcomes if o.duplicate)

    @property
    def history_only(self) -> int:
        return sum(1 for o in self.outcomes if o.decision is not None and not o.decision.applied)


@attrs.frozen(kw_only=True)
class DeadLetter:
    """A push (or the failed items of a batch push) kept for replay.

    Build it with secrets already redacted (``smsstatus.server.redact``).
    ``kind`` is ``request`` (the whole push failed) or ``items`` (some items
    of a batch failed; ``items`` lists them, the good reports were stored).
    """

    vendor: str
    kind: Literal["request", "items"]
    error_type: str
    error: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    received_at: datetime
    remote_addr: str | None = None
    body_complete: bool = True
    items: tuple[Mapping[str, Any], ...] | None = None


@attrs.frozen(kw_only=True)
class AutoTrack:
    """Poll messages first seen through a push: the report field holding the
    id the vendor's fetch takes (``batch_id`` for D7's request id and
    uSpeedo's SessionNo, ``message_id`` where fetch takes message ids)."""

    field: Literal["batch_id", "message_id"]
    policy: PollPolicy


@attrs.frozen(kw_only=True)
class PollTarget:
    """An id the poller fetches for, with its schedule and lease."""

    id: int
    vendor: str
    fetch_id: str
    state: str
    submitted_at: datetime
    next_poll_at: datetime
    give_up_at: datetime
    polls: int
    last_polled_at: datetime | None = None
    last_error: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None


@attrs.frozen(kw_only=True)
class EventRecord:
    id: int
    part_index: int
    status: Status
    reason: Reason | None
    vendor_status: str | None
    vendor_code: str | None
    status_at: datetime | None
    received_at: datetime
    recorded_at: datetime
    channel: str
    applied: bool
    decision: Decision
    synthetic: bool
    duplicates: int
    report: Mapping[str, Any]


@attrs.frozen(kw_only=True)
class PartRecord:
    index: int
    total: int | None
    status: Status
    reason: Reason | None
    final: bool
    status_at: datetime | None
    received_at: datetime
    event_id: int


@attrs.frozen(kw_only=True)
class MessageRecord:
    key: MessageKey
    status: Status | None
    reason: Reason | None
    final: bool
    parts_total: int | None
    parts_missing: tuple[int, ...]
    batch_id: str | None
    client_ref: str | None
    events: int
    created_at: datetime
    updated_at: datetime
    parts: tuple[PartRecord, ...]
    history: tuple[EventRecord, ...]
    poll_target: PollTarget | None


@attrs.frozen(kw_only=True)
class DeadLetterRecord:
    id: int
    vendor: str
    kind: str
    state: str
    error_type: str
    error: str
    items: tuple[Mapping[str, Any], ...] | None
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    body_complete: bool
    remote_addr: str | None
    received_at: datetime
    created_at: datetime
    attempts: int
    last_attempt_at: datetime | None
    last_error: str | None
    replayed_at: datetime | None


# -- SQL ---------------------------------------------------------------------

# Statements that touch many rows take one VALUES row per item ("{rows}"),
# in chunks of _CHUNK, so a batch push costs a handful of round trips.
_CHUNK = 200

# Creates missing message rows and locks all of them (ON CONFLICT DO UPDATE
# takes the row lock); rows are given in key order so writers never deadlock.
_LOCK_MESSAGES = """
INSERT INTO messages (vendor, message_id, recipient, final, events, created_at, updated_at)
VALUES {rows}
ON CONFLICT (vendor, message_id, recipient) DO UPDATE SET updated_at = excluded.updated_at
RETURNING id, vendor, message_id, recipient, status, poll_target_id, parts_total
"""
_LOCK_ROW = "(?, ?, ?, ?, 0, ?, ?)"

_SELECT_PARTS = """
SELECT message_pk, part_index, part_total, status, reason, status_at, received_at FROM parts
WHERE message_pk IN ({marks})
"""

_SELECT_EVENT_KEYS = "SELECT event_key FROM events WHERE event_key IN ({marks})"

_INSERT_EVENTS = """
INSERT INTO events (message_pk, part_index, event_key, status, reason, vendor_status, vendor_code,
    status_at, received_at, recorded_at, channel, applied, decision, synthetic, duplicates, report)
VALUES {rows}
ON CONFLICT (event_key) DO NOTHING
RETURNING id, event_key
"""
_EVENT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"

_COUNT_DUPLICATE = "UPDATE events SET duplicates = duplicates + ? WHERE event_key = ? RETURNING id"

_UPSERT_PARTS = """
INSERT INTO parts (message_pk, part_index, part_total, status, reason, final, status_at, received_at,
    event_id, updated_at)
VALUES {rows}
ON CONFLICT (message_pk, part_index) DO UPDATE SET
    part_total = COALESCE(excluded.part_total, parts.part_total),
    status = excluded.status, reason = excluded.reason, final = excluded.final,
    status_at = excluded.status_at, received_at = excluded.received_at,
    event_id = excluded.event_id, updated_at = excluded.updated_at
"""
_PART_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

# Message rows exist and are locked: these "inserts" always update.
_UPDATE_MESSAGES = """
INSERT INTO messages (vendor, message_id, recipient, status, reason, final, parts_total, parts_missing,
    batch_id, client_ref, poll_target_id, events, created_at, updated_at)
VALUES {rows}
ON CONFLICT (vendor, message_id, recipient) DO UPDATE SET
    status = excluded.status, reason = excluded.reason, final = excluded.final,
    parts_total = excluded.parts_total, parts_missing = excluded.parts_missing,
    batch_id = COALESCE(excluded.batch_id, messages.batch_id),
    client_ref = COALESCE(excluded.client_ref, messages.client_ref),
    poll_target_id = COALESCE(excluded.poll_target_id, messages.poll_target_id),
    events = messages.events + excluded.events, updated_at = excluded.updated_at
"""
_MESSAGE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

_COUNT_MESSAGES = """
INSERT INTO messages (vendor, message_id, recipient, final, batch_id, client_ref, poll_target_id, events,
    created_at, updated_at)
VALUES {rows}
ON CONFLICT (vendor, message_id, recipient) DO UPDATE SET
    batch_id = COALESCE(excluded.batch_id, messages.batch_id),
    client_ref = COALESCE(excluded.client_ref, messages.client_ref),
    poll_target_id = COALESCE(excluded.poll_target_id, messages.poll_target_id),
    events = messages.events + excluded.events, updated_at = excluded.updated_at
"""
_COUNT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows(template: str, row: str, count: int) -> str:
    return template.format(rows=", ".join([row] * count))


def _marks(template: str, count: int) -> str:
    return template.format(marks=", ".join(["?"] * count))


_INSERT_TARGET = """
INSERT INTO poll_targets (vendor, fetch_id, state, submitted_at, next_poll_at, give_up_at, polls,
    created_at, updated_at)
VALUES (?, ?, 'active', ?, ?, ?, 0, ?, ?)
ON CONFLICT (vendor, fetch_id) DO NOTHING
"""

_TARGET_COLUMNS = (
    "id, vendor, fetch_id, state, submitted_at, next_poll_at, give_up_at, polls, last_polled_at,"
    " last_error, lease_owner, lease_until"
)

_CLAIM = """
UPDATE poll_targets SET lease_owner = ?, lease_until = ?, updated_at = ?
WHERE id IN (
    SELECT id FROM poll_targets
    WHERE vendor = ? AND state = 'active' AND next_poll_at <= ? AND (lease_until IS NULL OR lease_until < ?)
    ORDER BY next_poll_at, id
    LIMIT ?{lock}
)
RETURNING {columns}
"""

_FINISH_TARGET = """
UPDATE poll_targets SET state = ?, next_poll_at = ?, lease_owner = NULL, lease_until = NULL,
    polls = polls + ?, last_polled_at = COALESCE(?, last_polled_at), last_error = ?, updated_at = ?
WHERE id = ? AND lease_owner = ?
"""

_INSERT_DEAD_LETTER = """
INSERT INTO dead_letters (vendor, kind, state, error_type, error, items, method, url, headers, body,
    body_complete, remote_addr, received_at, created_at, attempts)
VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
RETURNING id
"""

_DEAD_LETTER_COLUMNS = (
    "id, vendor, kind, state, error_type, error, items, method, url, headers, body, body_complete,"
    " remote_addr, received_at, created_at, attempts, last_attempt_at, last_error, replayed_at"
)


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


class Tracker:
    """Applies canonical reports to a :class:`~smsstatus.tracker.store.Store`.

    ``on_change`` (and :meth:`add_listener`) callables are told of every
    applied status change after the commit, at most once: the store is the
    record (:meth:`message`), a listener that must not miss anything reconciles
    from it. ``auto_track`` maps a fetch vendor to the report field whose value
    the poller fetches for messages first seen through a push.
    """

    def __init__(
        self,
        store: Store,
        *,
        on_change: Listener | None = None,
        auto_track: Mapping[str, AutoTrack] | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.store = store
        self._listeners: list[Listener] = [on_change] if on_change else []
        self.auto_track = dict(auto_track or {})
        self.clock = clock
        self._d = store.dialect

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # -- writing -----------------------------------------------------------

    def apply(
        self,
        reports: Sequence[StatusReport],
        *,
        dead_letters: Sequence[DeadLetter] = (),
        notify: bool = True,
        also: Callable[[Transaction], None] | None = None,
    ) -> ApplyResult:
        """Store ``reports`` (and ``dead_letters``) in one transaction.

        Reports without a message id are not tracked (their outcome has
        ``key=None``); callers dead-letter them. ``also`` runs inside the same
        transaction (the replay command marks its dead letter there).
        """
        now = self.clock()
        with self.store.write() as tx:
            outcomes, changes = self._apply_in(tx, reports, now, {})
            letter_ids = tuple(self._dead_letter_in(tx, letter, now) for letter in dead_letters)
            if also is not None:
                also(tx)
        if notify:
            self.notify(changes)
        return ApplyResult(outcomes=tuple(outcomes), changes=tuple(changes), dead_letter_ids=letter_ids)

    def add_dead_letter(self, letter: DeadLetter) -> int:
        now = self.clock()
        with self.store.write() as tx:
            return self._dead_letter_in(tx, letter, now)

    def notify(self, changes: Iterable[StatusChange]) -> None:
        """Tell every listener of each change; a failing listener is logged
        and does not stop the others."""
        for change in changes:
            for listener in self._listeners:
                try:
                    listener(change)
                except Exception:
                    log.exception(
                        "status change listener %r failed for %s %s",
                        listener,
                        change.key.vendor,
                        change.key.message_id,
                    )

    def _dead_letter_in(self, tx: Transaction, letter: DeadLetter, now: datetime) -> int:
        d = self._d
        row = tx.one(
            _INSERT_DEAD_LETTER,
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

    def _apply_in(
        self,
        tx: Transaction,
        reports: Sequence[StatusReport],
        now: datetime,
        links: Mapping[int, int],
    ) -> tuple[list[Outcome], list[StatusChange]]:
        """Apply ``reports`` inside ``tx`` with a fixed number of statements
        per call (not per report): lock the messages, read their parts and
        the known event keys, decide in memory in report order, then write
        events, parts and messages in multi-row statements."""
        from ..serialize import to_dict

        d = self._d
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
        for chunk in _chunks(ordered):
            params: list[Any] = []
            for key in chunk:
                params += [key.vendor, key.message_id, key.recipient, False, now_ts, now_ts]
            for row in tx.all(_rows(_LOCK_MESSAGES, _LOCK_ROW, len(chunk)), params):
                touched[MessageKey(row[1], row[2], row[3])] = _Touched(
                    pk=int(row[0]),
                    status_before=Status(row[4]) if row[4] else None,
                    has_target=row[5] is not None,
                )
        by_pk = {msg.pk: msg for msg in touched.values()}

        # 2. Their parts' current status, and which of the events are known.
        for chunk in _chunks(list(by_pk)):
            for pk, index, total, status, reason, status_at, received_at in tx.all(
                _marks(_SELECT_PARTS, len(chunk)), chunk
            ):
                by_pk[int(pk)].parts[int(index)] = _PartState(
                    total=None if total is None else int(total),
                    status=Status(status),
                    reason=Reason(reason) if reason else None,
                    status_at=d.ts_out(status_at),
                    received_at=_must(d.ts_out(received_at)),
                )
        keys_of = {index: event_key(report) for index, _, report in keyed}
        known: set[str] = set()
        distinct = list(dict.fromkeys(keys_of.values()))
        for chunk in _chunks(distinct):
            known.update(str(r[0]) for r in tx.all(_marks(_SELECT_EVENT_KEYS, len(chunk)), chunk))

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
                msg.poll_target_id = self._auto_track_in(tx, report, now)
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
        for chunk in _chunks(new_events):
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
            for row in tx.all(_rows(_INSERT_EVENTS, _EVENT_ROW, len(chunk)), params):
                event_ids[str(row[1])] = int(row[0])
        for ekey, count in duplicates.items():
            counted = tx.one(_COUNT_DUPLICATE, (count, ekey))
            if counted is not None:
                event_ids.setdefault(ekey, int(counted[0]))
        for index, key, _report, ekey, _part, decision in new_events:
            if ekey not in event_ids:  # cannot happen while the message row is locked
                raise StoreError(self._d.name, f"event {ekey} was neither inserted nor found")
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
        for chunk in _chunks(changed_parts):
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
            tx.run(_rows(_UPSERT_PARTS, _PART_ROW, len(chunk)), params)

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
            outcome = self._combine(key, msg)
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
        for chunk in _chunks(applied_rows):
            tx.run(_rows(_UPDATE_MESSAGES, _MESSAGE_ROW, len(chunk)), [v for row in chunk for v in row])
        for chunk in _chunks(counted_rows):
            tx.run(_rows(_COUNT_MESSAGES, _COUNT_ROW, len(chunk)), [v for row in chunk for v in row])
        return [o for o in outcomes if o is not None], changes

    @staticmethod
    def _combine(key: MessageKey, msg: _Touched) -> MessageOutcome:
        """The message-level status from the current status of each part. A
        message of one part is that part (reason included, also for a
        non-final status such as the synthetic ``unknown``)."""
        stand_ins = [
            StatusReport(
                vendor=key.vendor,
                message_id=key.message_id,
                status=state.status,
                reason=state.reason,
                part=Part(index, state.total if state.total is not None else max(index, 1)),
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
        totals = [state.total for state in msg.parts.values() if state.total is not None]
        return combine_parts(stand_ins, total=max(totals) if totals else None)

    def _auto_track_in(self, tx: Transaction, report: StatusReport, now: datetime) -> int | None:
        rule = self.auto_track.get(report.vendor)
        if rule is None or report.final:
            return None
        fetch_id = report.batch_id if rule.field == "batch_id" else report.message_id
        if not fetch_id:
            return None
        submitted = report.submitted_at or report.received_at
        return self._target_in(tx, report.vendor, fetch_id, rule.policy, submitted, now)

    def _target_in(  # noqa: PLR0917 -- internal
        self,
        tx: Transaction,
        vendor: str,
        fetch_id: str,
        policy: PollPolicy,
        submitted: datetime,
        now: datetime,
    ) -> int:
        d = self._d
        tx.run(
            _INSERT_TARGET,
            (
                vendor,
                fetch_id,
                d.ts(submitted),
                d.ts(submitted + timedelta(seconds=policy.first_after)),
                d.ts(submitted + timedelta(seconds=policy.give_up_after)),
                d.ts(now),
                d.ts(now),
            ),
        )
        row = tx.one("SELECT id FROM poll_targets WHERE vendor = ? AND fetch_id = ?", (vendor, fetch_id))
        assert row is not None
        return int(row[0])

    # -- polling -------------------------------------------------------------

    def track(
        self, vendor: str, fetch_id: str, policy: PollPolicy, *, submitted_at: datetime | None = None
    ) -> int:
        """Ask the poller to fetch ``fetch_id`` (the id the vendor's fetch
        takes: D7's request id, uSpeedo's SessionNo, Contacta's message id)
        on ``policy``'s schedule counted from ``submitted_at`` (default: now).
        Idempotent; returns the poll target's id."""
        now = self.clock()
        with self.store.write() as tx:
            return self._target_in(tx, vendor, fetch_id, policy, submitted_at or now, now)

    def claim(
        self, vendor: str, owner: str, *, limit: int, lease: timedelta, now: datetime | None = None
    ) -> list[PollTarget]:
        """Lease up to ``limit`` due targets of ``vendor`` to ``owner``.

        One atomic statement: on PostgreSQL the candidate rows are locked with
        ``FOR UPDATE SKIP LOCKED``; on SQLite the write transaction holds the
        database lock. A leased target is skipped by every other poller until
        the lease ends or is released.
        """
        d = self._d
        at = now or self.clock()
        statement = _CLAIM.format(lock=d.skip_locked, columns=_TARGET_COLUMNS)
        with self.store.write() as tx:
            rows = tx.all(
                statement,
                (owner, d.ts(at + lease), d.ts(at), vendor, d.ts(at), d.ts(at), limit),
            )
        return sorted((self._target(r) for r in rows), key=lambda t: (t.next_poll_at, t.id))

    def _target(self, row: Sequence[Any]) -> PollTarget:
        d = self._d
        return PollTarget(
            id=int(row[0]),
            vendor=row[1],
            fetch_id=row[2],
            state=row[3],
            submitted_at=_must(d.ts_out(row[4])),
            next_poll_at=_must(d.ts_out(row[5])),
            give_up_at=_must(d.ts_out(row[6])),
            polls=int(row[7]),
            last_polled_at=d.ts_out(row[8]),
            last_error=row[9],
            lease_owner=row[10],
            lease_until=d.ts_out(row[11]),
        )

    def targets(self, vendor: str | None = None, state: str | None = None) -> list[PollTarget]:
        clauses, params = [], []
        if vendor is not None:
            clauses.append("vendor = ?")
            params.append(vendor)
        if state is not None:
            clauses.append("state = ?")
            params.append(state)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.store.read() as tx:
            rows = tx.all(f"SELECT {_TARGET_COLUMNS} FROM poll_targets{where} ORDER BY id", params)  # noqa: S608
        return [self._target(r) for r in rows]

    def _unsettled_in(self, tx: Transaction, target_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """target id -> (messages linked, of which not final)."""
        if not target_ids:
            return {}
        marks = ", ".join("?" for _ in target_ids)
        rows = tx.all(
            "SELECT poll_target_id, COUNT(*), SUM(CASE WHEN final THEN 0 ELSE 1 END) FROM messages"  # noqa: S608
            f" WHERE poll_target_id IN ({marks}) GROUP BY poll_target_id",
            list(target_ids),
        )
        return {int(r[0]): (int(r[1]), int(r[2] or 0)) for r in rows}

    def settled(self, targets: Sequence[PollTarget]) -> set[int]:
        """Ids of targets whose linked messages are all final already (a
        push settled them): no need to fetch."""
        with self.store.read() as tx:
            counts = self._unsettled_in(tx, [t.id for t in targets])
        return {tid for tid, (linked, open_) in counts.items() if linked and not open_}

    def apply_fetch(
        self,
        targets: Sequence[PollTarget],
        reports: Sequence[StatusReport],
        errors: Mapping[int, str],
        *,
        owner: str,
        interval: float,
        now: datetime | None = None,
        notify: bool = True,
    ) -> ApplyResult:
        """Store what one fetch returned for ``targets`` and reschedule them,
        in ONE transaction: when this returns, the results are committed (only
        then may anything be acknowledged to the vendor).

        A report belongs to the target whose id is its message id or batch id
        (or to the only target of a one-id fetch). A target is settled when it
        has linked messages and all are final; otherwise it is polled again
        after ``interval`` (never later than its give-up time). ``errors``
        maps a target id to the error of its last poll.
        """
        at = now or self.clock()
        by_fetch_id = {t.fetch_id: t.id for t in targets}
        links: dict[int, int] = {}
        for index, report in enumerate(reports):
            if len(targets) == 1:
                links[index] = targets[0].id
                continue
            for candidate in (report.message_id, report.batch_id):
                if candidate is not None and candidate in by_fetch_id:
                    links[index] = by_fetch_id[candidate]
                    break
        with self.store.write() as tx:
            outcomes, changes = self._apply_in(tx, reports, at, links)
            counts = self._unsettled_in(tx, [t.id for t in targets])
            for target in targets:
                linked, open_ = counts.get(target.id, (0, 0))
                settled = linked > 0 and open_ == 0
                next_at = min(at + timedelta(seconds=interval), target.give_up_at)
                self._finish_in(
                    tx,
                    target,
                    owner,
                    state="settled" if settled else "active",
                    next_poll_at=next_at,
                    polled=True,
                    error=errors.get(target.id),
                    now=at,
                )
        if notify:
            self.notify(changes)
        return ApplyResult(outcomes=tuple(outcomes), changes=tuple(changes))

    def _finish_in(
        self,
        tx: Transaction,
        target: PollTarget,
        owner: str,
        *,
        state: str,
        next_poll_at: datetime,
        polled: bool,
        error: str | None,
        now: datetime,
    ) -> bool:
        d = self._d
        changed = tx.run(
            _FINISH_TARGET,
            (
                state,
                d.ts(next_poll_at),
                1 if polled else 0,
                d.ts(now) if polled else None,
                error,
                d.ts(now),
                target.id,
                owner,
            ),
        )
        if not changed:
            log.warning(
                "poll target %s (%s %s): lease lost before finishing",
                target.id,
                target.vendor,
                target.fetch_id,
            )
        return bool(changed)

    def release(
        self,
        targets: Sequence[PollTarget],
        *,
        owner: str,
        state: str = "active",
        next_poll_at: datetime | None = None,
        error: str | None = None,
        polled: bool = False,
        now: datetime | None = None,
    ) -> None:
        """End the lease on ``targets`` (e.g. after a failed fetch, or when a
        push already settled them)."""
        at = now or self.clock()
        with self.store.write() as tx:
            for target in targets:
                self._finish_in(
                    tx,
                    target,
                    owner,
                    state=state,
                    next_poll_at=next_poll_at or target.next_poll_at,
                    polled=polled,
                    error=error,
                    now=at,
                )

    def expire(
        self,
        targets: Sequence[PollTarget],
        *,
        owner: str,
        now: datetime | None = None,
        notify: bool = True,
    ) -> ApplyResult:
        """The poll window of ``targets`` passed: record the synthetic outcome
        (:func:`synthetic_report`) for every linked message part that is not
        final (or, when the vendor never reported anything, for the fetch id
        itself) and close the targets, in one transaction."""
        at = now or self.clock()
        with self.store.write() as tx:
            reports: list[StatusReport] = []
            links: dict[int, int] = {}
            for target in targets:
                rows = tx.all(
                    "SELECT m.message_id, m.recipient, m.batch_id, p.part_index, p.part_total, p.status"
                    " FROM messages m LEFT JOIN parts p ON p.message_pk = m.id"
                    " WHERE m.poll_target_id = ? ORDER BY m.id, p.part_index",
                    (target.id,),
                )
                if not rows:
                    rows = [(target.fetch_id, "", target.fetch_id, None, None, None)]
                for message_id, recipient, batch_id, part_index, part_total, status in rows:
                    if status is not None and Status(status).final:
                        continue
                    links[len(reports)] = target.id
                    reports.append(
                        synthetic_report(
                            vendor=target.vendor,
                            message_id=message_id,
                            recipient=recipient,
                            batch_id=batch_id,
                            part=(int(part_index), int(part_total)) if part_total is not None else None,
                            last_status=Status(status) if status else None,
                            target=target,
                            now=at,
                        )
                    )
            outcomes, changes = self._apply_in(tx, reports, at, links)
            for target in targets:
                self._finish_in(
                    tx,
                    target,
                    owner,
                    state="expired",
                    next_poll_at=target.give_up_at,
                    polled=False,
                    error=target.last_error,
                    now=at,
                )
        if notify:
            self.notify(changes)
        return ApplyResult(outcomes=tuple(outcomes), changes=tuple(changes))

    # -- reading -------------------------------------------------------------

    def message(self, vendor: str, message_id: str) -> list[MessageRecord]:
        """Every recipient of ``message_id`` with its parts and full history.

        ``message_id`` may also be a tracked fetch id (D7's request id): then
        the messages the poller linked to it are listed, and when none is
        known yet, a record carrying just the poll target. Raises
        :class:`NotTrackedError` when neither is known.
        """
        d = self._d
        with self.store.read() as tx:
            target_row = tx.one(
                f"SELECT {_TARGET_COLUMNS} FROM poll_targets WHERE vendor = ? AND fetch_id = ?",  # noqa: S608
                (vendor, message_id),
            )
            target = self._target(target_row) if target_row else None
            rows = tx.all(
                "SELECT id, message_id, recipient, status, reason, final, parts_total, parts_missing, batch_id,"
                " client_ref, events, created_at, updated_at, poll_target_id FROM messages"
                " WHERE vendor = ? AND (message_id = ? OR poll_target_id = ?) ORDER BY id",
                (vendor, message_id, target.id if target else -1),
            )
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
                        received_at=_must(d.ts_out(p[6])),
                        event_id=int(p[7]),
                    )
                    for p in tx.all(
                        "SELECT part_index, part_total, status, reason, final, status_at, received_at, event_id"
                        " FROM parts WHERE message_pk = ? ORDER BY part_index",
                        (pk,),
                    )
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
                        received_at=_must(d.ts_out(e[7])),
                        recorded_at=_must(d.ts_out(e[8])),
                        channel=e[9],
                        applied=d.bool_out(e[10]),
                        decision=Decision(e[11]),
                        synthetic=d.bool_out(e[12]),
                        duplicates=int(e[13]),
                        report=d.json_out(e[14]),
                    )
                    for e in tx.all(
                        "SELECT id, part_index, status, reason, vendor_status, vendor_code, status_at, received_at,"
                        " recorded_at, channel, applied, decision, synthetic, duplicates, report"
                        " FROM events WHERE message_pk = ? ORDER BY id",
                        (pk,),
                    )
                )
                own_target = target if target and row[13] == target.id else None
                if own_target is None and row[13] is not None:
                    t = tx.one(f"SELECT {_TARGET_COLUMNS} FROM poll_targets WHERE id = ?", (row[13],))  # noqa: S608
                    own_target = self._target(t) if t else None
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
                        created_at=_must(d.ts_out(row[11])),
                        updated_at=_must(d.ts_out(row[12])),
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

    def counts(self) -> dict[str, int]:
        """Row counts (messages, events, duplicates, dead letters, poll targets)."""
        with self.store.read() as tx:
            result: dict[str, int] = {}
            for name, statement in (
                ("messages", "SELECT COUNT(*) FROM messages"),
                ("final_messages", "SELECT COUNT(*) FROM messages WHERE final"),
                ("events", "SELECT COUNT(*) FROM events"),
                ("applied_events", "SELECT COUNT(*) FROM events WHERE applied"),
                ("duplicates", "SELECT COALESCE(SUM(duplicates), 0) FROM events"),
                ("dead_letters", "SELECT COUNT(*) FROM dead_letters"),
                ("pending_dead_letters", "SELECT COUNT(*) FROM dead_letters WHERE state = 'pending'"),
                ("poll_targets", "SELECT COUNT(*) FROM poll_targets"),
            ):
                row = tx.one(statement)
                result[name] = int(row[0]) if row else 0
        return result

    # -- dead letters --------------------------------------------------------

    def dead_letters(
        self,
        *,
        state: str | None = "pending",
        vendor: str | None = None,
        ids: Sequence[int] | None = None,
        limit: int = 1000,
    ) -> list[DeadLetterRecord]:
        d = self._d
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
        with self.store.read() as tx:
            statement = f"SELECT {_DEAD_LETTER_COLUMNS} FROM dead_letters{where} ORDER BY id LIMIT ?"  # noqa: S608
            rows = tx.all(statement, params)
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
                received_at=_must(d.ts_out(r[13])),
                created_at=_must(d.ts_out(r[14])),
                attempts=int(r[15]),
                last_attempt_at=d.ts_out(r[16]),
                last_error=r[17],
                replayed_at=d.ts_out(r[18]),
            )
            for r in rows
        ]

    def mark_dead_letter_in(
        self, tx: Transaction, letter_id: int, *, replayed: bool, error: str | None, now: datetime
    ) -> None:
        d = self._d
        tx.run(
            "UPDATE dead_letters SET state = ?, attempts = attempts + 1, last_attempt_at = ?, last_error = ?,"
            " replayed_at = ? WHERE id = ?",
            (
                "replayed" if replayed else "pending",
                d.ts(now),
                error,
                d.ts(now) if replayed else None,
                letter_id,
            ),
        )

    def mark_dead_letter(self, letter_id: int, *, replayed: bool, error: str | None) -> None:
        now = self.clock()
        with self.store.write() as tx:
            self.mark_dead_letter_in(tx, letter_id, replayed=replayed, error=error, now=now)


def synthetic_report(
    *,
    vendor: str,
    message_id: str,
    recipient: str,
    batch_id: str | None,
    part: tuple[int, int] | None,
    last_status: Status | None,
    target: PollTarget,
    now: datetime,
) -> StatusReport:
    """The outcome the poller records when a vendor's poll window passes
    without a final report: status ``unknown`` (the vendor never settled it),
    reason ``unknown``, ``mapping`` ``vendor_default`` (the plugin's declared
    window is the rule that applied), no vendor value or time, ``raw`` empty,
    and ``extra`` marking it synthetic with what was known."""
    from ..serialize import format_instant

    return StatusReport(
        vendor=vendor,
        message_id=message_id,
        batch_id=batch_id,
        recipient=recipient if recipient.startswith("+") else None,
        recipient_raw=recipient or None,
        status=Status.UNKNOWN,
        mapping=MappingKind.VENDOR_DEFAULT,
        reason=Reason.UNKNOWN,
        part=Part(*part) if part else None,
        received_at=now,
        channel=Channel.FETCH,
        extra={
            "synthetic": SYNTHETIC_EXPIRED,
            "fetch_id": target.fetch_id,
            "polls": target.polls,
            "submitted_at": format_instant(target.submitted_at),
            "give_up_at": format_instant(target.give_up_at),
            "last_status": last_status.value if last_status else None,
            "last_error": target.last_error,
        },
        raw={},
    )


_NO_KEY = MessageKey("", "", "")


def _must(value: datetime | None) -> datetime:
    if value is None:
        raise ValueError("NOT NULL time column was NULL")
    return value
