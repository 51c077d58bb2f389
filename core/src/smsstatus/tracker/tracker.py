"""The tracker: applies canonical reports to a store.

Per message (vendor, message id, recipient) and part it keeps the current
status and every event with its vendor time and receive time. See
``docs/tracker.md``; the rules are in :mod:`smsstatus.tracker.transitions`.

Everything one call writes (reports, dead letters, poll bookkeeping) is one
transaction; listeners hear of applied status changes only after it commits.
This class holds the transactions and the listeners; the work is done by one
module per concern:

* :mod:`~smsstatus.tracker.keys`: message and event identity (dedupe);
* :mod:`~smsstatus.tracker.records`: the value types callers see;
* :mod:`~smsstatus.tracker.apply`: the apply path;
* :mod:`~smsstatus.tracker.polling`: poll targets, leases, the synthetic outcome;
* :mod:`~smsstatus.tracker.dead_letters`: dead letters;
* :mod:`~smsstatus.tracker.queries`: reading messages back;
* :mod:`~smsstatus.tracker.sql`: every statement.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from ..model import StatusReport
from ..vendor import PollPolicy
from . import dead_letters as letters
from . import polling, queries
from .apply import apply_in
from .observer import TrackerObserver
from .outbox import OutboxGate, OutboxLimits, enqueue_in
from .records import (
    ApplyResult,
    AutoTrack,
    DeadLetter,
    DeadLetterDrop,
    DeadLetterLimits,
    DeadLetterRecord,
    MessageRecord,
    Outcome,
    PollTarget,
    StatusChange,
)
from .store import Store, Transaction

__all__ = ["Tracker", "Listener"]

log = logging.getLogger("smsstatus.tracker")

Listener = Callable[[StatusChange], None]

_EXPIRY_EVERY = timedelta(minutes=1)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Tracker:
    """Applies canonical reports to a :class:`~smsstatus.tracker.store.Store`.

    ``on_change`` (and :meth:`add_listener`) callables are told of every
    applied status change after the commit, at most once: the store is the
    record (:meth:`message`), a listener that must not miss anything reconciles
    from it. ``auto_track`` maps a fetch vendor to the report field whose value
    the poller fetches for messages first seen through a push.

    With ``outbox`` limits, every applied status change is also queued for the
    status callback URL in the same transaction (:mod:`~smsstatus.tracker.outbox`):
    that delivery is at least once. ``observer`` (settable) hears of every
    committed write (``smsstatus serve``'s metrics).
    """

    def __init__(
        self,
        store: Store,
        *,
        on_change: Listener | None = None,
        auto_track: Mapping[str, AutoTrack] | None = None,
        clock: Callable[[], datetime] = _utcnow,
        dead_letter_limits: DeadLetterLimits | None = None,
        outbox: OutboxLimits | None = None,
        observer: TrackerObserver | None = None,
    ) -> None:
        self.store = store
        self._listeners: list[Listener] = [on_change] if on_change else []
        self.auto_track = dict(auto_track or {})
        self.clock = clock
        self.dead_letter_limits = dead_letter_limits or DeadLetterLimits()
        self._next_expiry: datetime | None = None
        self.outbox = outbox
        self._outbox_gate = OutboxGate()
        self.observer = observer

    @contextlib.contextmanager
    def _write(self, *, wait: bool = True) -> Iterator[Transaction]:
        """A write transaction, timed for the observer (start to commit);
        ``wait=False`` raises StoreBusy instead of waiting for the store."""
        if self.observer is None:
            with self.store.write(wait=wait) as tx:
                yield tx
            return
        started = time.perf_counter()
        with self.store.write(wait=wait) as tx:
            yield tx
        self.observer.write_committed(time.perf_counter() - started)

    def _apply_in(
        self,
        tx: Transaction,
        reports: Sequence[StatusReport],
        now: datetime,
        links: Mapping[int, int],
        *,
        changes_wanted: bool = True,
        outcomes_wanted: bool = True,
    ) -> tuple[list[Outcome], list[StatusChange]]:
        """The apply path, plus the changes' callbacks queued in the same transaction."""
        outcomes, changes = apply_in(
            tx,
            reports,
            now,
            links,
            self.auto_track,
            changes_wanted=changes_wanted or self.outbox is not None,
            outcomes_wanted=outcomes_wanted or self.observer is not None,
        )
        if self.outbox is not None and changes:
            dropped = enqueue_in(tx, changes, now, self.outbox, self._outbox_gate)
            if dropped and self.observer is not None:
                self.observer.callbacks_dropped("outbox_full", dropped)
        return outcomes, changes

    def _observe(self, reports: Sequence[StatusReport], result: ApplyResult) -> ApplyResult:
        if self.observer is not None:
            self.observer.applied(reports, result)
        return result

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def has_listeners(self) -> bool:
        """Whether anyone listens to changes (else callers need not keep them
        for :meth:`notify`)."""
        return bool(self._listeners)

    # -- writing -----------------------------------------------------------

    def apply(
        self,
        reports: Sequence[StatusReport],
        *,
        dead_letters: Sequence[DeadLetter] = (),
        notify: bool = True,
        also: Callable[[Transaction], None] | None = None,
        wait: bool = True,
        keep_changes: bool = True,
        keep_outcomes: bool = True,
    ) -> ApplyResult:
        """Store ``reports`` (and ``dead_letters``) in one transaction.

        Reports without a message id are not tracked (their outcome has
        ``key=None``); callers dead-letter them. ``also`` runs inside the same
        transaction (the replay command marks its dead letter there).
        ``wait=False``: raise :class:`~smsstatus.tracker.StoreBusy` (nothing
        done) instead of waiting when another writer holds the store.
        ``keep_changes=False``: the caller will not read ``changes`` of the
        result, which is then empty unless listeners are notified here (the
        receiver's group commit with nobody listening saves building them;
        the status callbacks are queued either way).
        ``keep_outcomes=False``: the caller will not read ``outcomes`` either,
        which may then be empty (an observer still gets them).
        """
        now = self.clock()
        wanted = keep_changes or (notify and bool(self._listeners))
        with self._write(wait=wait) as tx:
            outcomes, changes = self._apply_in(
                tx, reports, now, {}, changes_wanted=wanted, outcomes_wanted=keep_outcomes
            )
            letter_ids = self._letters_in(tx, dead_letters, now)
            if also is not None:
                also(tx)
        if self.observer is not None and dead_letters:
            self.observer.dead_letters(dead_letters, letter_ids)
        if notify:
            self.notify(changes)
        return self._observe(
            reports, ApplyResult(outcomes=tuple(outcomes), changes=tuple(changes), dead_letter_ids=letter_ids)
        )

    def add_dead_letter(self, letter: DeadLetter) -> int | None:
        """Store one dead letter; its id, or ``None`` when the limits dropped it."""
        now = self.clock()
        with self._write() as tx:
            ids = self._letters_in(tx, [letter], now)
        if self.observer is not None:
            self.observer.dead_letters([letter], ids)
        return ids[0]

    def _letters_in(
        self, tx: Transaction, dead_letters: Sequence[DeadLetter], now: datetime
    ) -> tuple[int | None, ...]:
        if not dead_letters:
            return ()
        if self._next_expiry is None or now >= self._next_expiry:
            # Retention is enforced where letters arrive, at most once a minute.
            expired = letters.expire_in(tx, now, self.dead_letter_limits)
            self._next_expiry = now + _EXPIRY_EVERY
            if expired and self.observer is not None:
                self.observer.dead_letters_expired(expired)
        return tuple(letters.insert_in(tx, letter, now, self.dead_letter_limits) for letter in dead_letters)

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
            return polling.target_in(tx, vendor, fetch_id, policy, submitted_at or now, now)

    def claim(
        self, vendor: str, owner: str, *, limit: int, lease: timedelta, now: datetime | None = None
    ) -> list[PollTarget]:
        """Lease up to ``limit`` due targets of ``vendor`` to ``owner``.

        One atomic statement: on PostgreSQL the candidate rows are locked with
        ``FOR UPDATE SKIP LOCKED``; on SQLite the write transaction holds the
        database lock. A leased target is skipped by every other poller until
        the lease ends or is released.
        """
        at = now or self.clock()
        with self.store.write() as tx:
            return polling.claim_in(tx, vendor, owner, limit=limit, lease=lease, at=at)

    def targets(self, vendor: str | None = None, state: str | None = None) -> list[PollTarget]:
        with self.store.read() as tx:
            return polling.targets_in(tx, vendor, state)

    def settled(self, targets: Sequence[PollTarget]) -> set[int]:
        """Ids of targets whose linked messages are all final already (a
        push settled them): no need to fetch."""
        with self.store.read() as tx:
            counts = polling.unsettled_in(tx, [t.id for t in targets])
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
        links = polling.link_fetched(targets, reports)
        with self._write() as tx:
            outcomes, changes = self._apply_in(tx, reports, at, links)
            counts = polling.unsettled_in(tx, [t.id for t in targets])
            for target in targets:
                linked, open_ = counts.get(target.id, (0, 0))
                settled = linked > 0 and open_ == 0
                next_at = min(at + timedelta(seconds=interval), target.give_up_at)
                polling.finish_in(
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
        return self._observe(reports, ApplyResult(outcomes=tuple(outcomes), changes=tuple(changes)))

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
                polling.finish_in(
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
        (:func:`~smsstatus.tracker.polling.synthetic_report`) for every linked
        message part that is not final (or, when the vendor never reported
        anything, for the fetch id itself) and close the targets, in one
        transaction."""
        at = now or self.clock()
        with self._write() as tx:
            reports, links = polling.synthetic_reports_in(tx, targets, at)
            outcomes, changes = self._apply_in(tx, reports, at, links)
            for target in targets:
                polling.finish_in(
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
        return self._observe(reports, ApplyResult(outcomes=tuple(outcomes), changes=tuple(changes)))

    # -- reading -------------------------------------------------------------

    def message(self, vendor: str, message_id: str) -> list[MessageRecord]:
        """Every recipient of ``message_id`` with its parts and full history.

        ``message_id`` may also be a tracked fetch id (D7's request id): then
        the messages the poller linked to it are listed, and when none is
        known yet, a record carrying just the poll target. Raises
        :class:`~smsstatus.tracker.NotTrackedError` when neither is known.
        """
        with self.store.read() as tx:
            return queries.messages_in(tx, vendor, message_id)

    def counts(self) -> dict[str, int]:
        """Row counts (messages, events, duplicates, dead letters, poll targets)."""
        with self.store.read() as tx:
            return queries.counts_in(tx)

    # -- dead letters --------------------------------------------------------

    def dead_letters(
        self,
        *,
        state: str | None = "pending",
        vendor: str | None = None,
        ids: Sequence[int] | None = None,
        limit: int = 1000,
    ) -> list[DeadLetterRecord]:
        with self.store.read() as tx:
            return letters.select_in(tx, state=state, vendor=vendor, ids=ids, limit=limit)

    def expire_dead_letters(self, now: datetime | None = None) -> int:
        """Delete dead letters older than the retention time; how many."""
        at = now or self.clock()
        with self._write() as tx:
            expired = letters.expire_in(tx, at, self.dead_letter_limits)
        if expired and self.observer is not None:
            self.observer.dead_letters_expired(expired)
        return expired

    def dead_letter_drops(self) -> list[DeadLetterDrop]:
        """What the dead-letter limits dropped, per vendor and reason."""
        with self.store.read() as tx:
            return letters.drops_in(tx)

    def mark_dead_letter_in(
        self, tx: Transaction, letter_id: int, *, replayed: bool, error: str | None, now: datetime
    ) -> None:
        letters.mark_in(tx, letter_id, replayed=replayed, error=error, now=now)

    def mark_dead_letter(self, letter_id: int, *, replayed: bool, error: str | None) -> None:
        now = self.clock()
        with self.store.write() as tx:
            letters.mark_in(tx, letter_id, replayed=replayed, error=error, now=now)
