"""The drain loop of ``smsstatus serve``: pulls that consume what they return.

On one thread per vendor account, each round, when the vendor's interval is due
(``docs/drain.md``):

1. **Lease.** Take (or renew) the lease on the vendor *account*
   (``drain:<vendor>:<base URL>:<public credentials>``) in the store's
   ``leases`` table: one drainer per vendor account at a time, across every
   server process on the store. A process that dies loses its lease when it
   expires; another takes over.
2. **Drain one batch** (``Registry.drain``: exactly one consuming request).
3. **Commit** the batch before anything else: its reports and, for the records
   it could not read, one dead letter holding them raw, in one transaction.
4. While the vendor says it holds more (``more``), renew the lease and go to 2,
   at most ``max_batches`` times per round.

The only loss window is between the vendor's answer and step 3's commit (a
crash, or a lost answer): at most one batch. Infobip recovers it from its
message logs (the poller fetches every non-final message by id); InnoPaaS
cannot (see ``docs/drain.md``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ..credentials import Credentials
from ..errors import SmsStatusError
from ..registry import Registry
from ..request import DrainResult
from ..tracker import DeadLetter, Tracker
from ..tracker.errors import StoreError
from ..tracker.store import Transaction
from .observe import DrainObserver

__all__ = ["VendorDrain", "DrainStats", "Drainer", "lease_name"]

log = logging.getLogger("smsstatus.drainer")


@attrs.frozen(kw_only=True)
class VendorDrain:
    """One vendor account the drain loop serves."""

    vendor: str
    credentials: Credentials = attrs.field(repr=False)
    base_url: str | None = None
    interval: float = 60.0
    #: The lease's name: one drainer per vendor account.
    lease: str


def lease_name(vendor: str, base_url: str | None, credentials: Credentials, public: Sequence[str]) -> str:
    """``drain:<vendor>:<base URL>:<public credential values>``: what tells two
    accounts of a vendor apart without storing anything derived from a secret."""
    values = [credentials.optional(name) or "" for name in sorted(public)]
    return ":".join(["drain", vendor, base_url or "", *values])


@attrs.define
class DrainStats:
    batches: int = 0
    reports: int = 0
    unreadable: int = 0
    failed: int = 0
    skipped: int = 0  #: another process holds the lease


def _acquire_in(tx: Transaction, name: str, owner: str, until: datetime, now: datetime) -> bool:
    d = tx.dialect
    tx.run(
        "INSERT INTO leases (name, owner, until) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
        (name, "", d.ts(now)),
    )
    changed = tx.run(
        "UPDATE leases SET owner = ?, until = ? WHERE name = ? AND (owner = ? OR until <= ?)",
        (owner, d.ts(until), name, owner, d.ts(now)),
    )
    return changed == 1


class Drainer:
    """Runs the drains in ``drains``: :meth:`run_once` does one round,
    :meth:`start` runs rounds every ``tick`` seconds on a thread."""

    def __init__(
        self,
        registry: Registry,
        tracker: Tracker,
        drains: Sequence[VendorDrain],
        *,
        owner: str,
        lease_seconds: float = 300.0,
        timeout: float = 15.0,
        tick: float = 1.0,
        max_batches: int = 20,
        clock: Callable[[], datetime] | None = None,
        drain_options: Mapping[str, Any] | None = None,
        observer: DrainObserver | None = None,
    ) -> None:
        self.registry = registry
        self.tracker = tracker
        self.drains = list(drains)
        self.owner = owner
        self.lease = timedelta(seconds=lease_seconds)
        self.timeout = timeout
        self.tick = tick
        self.max_batches = max_batches
        self.clock = clock or (lambda: datetime.now(UTC))
        self.drain_options = dict(drain_options or {})
        self.observer = observer
        self._due: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def lease_held(self, name: str) -> bool:
        """Take or renew the lease ``name`` for this process."""
        now = self.clock()
        with self.tracker.store.write() as tx:
            return _acquire_in(tx, name, self.owner, now + self.lease, now)

    def release(self, name: str) -> None:
        with self.tracker.store.write() as tx:
            tx.run(
                "UPDATE leases SET owner = '', until = ? WHERE name = ? AND owner = ?",
                (tx.dialect.ts(self.clock()), name, self.owner),
            )

    def run_once(self, drains: Sequence[VendorDrain] | None = None) -> DrainStats:
        """One round over ``drains`` (default: all) whose interval is due."""
        stats = DrainStats()
        for drain in self.drains if drains is None else drains:
            now = self.clock()
            if self._stop.is_set() or now < self._due.get(drain.lease, now):
                continue
            self._due[drain.lease] = now + timedelta(seconds=drain.interval)
            try:
                self._drain_account(drain, stats)
            except Exception:  # the store failed: try again next interval
                log.exception("drain of %s failed", drain.vendor)
        return stats

    def _drain_account(self, drain: VendorDrain, stats: DrainStats) -> None:
        for _ in range(self.max_batches):
            if self._stop.is_set():
                return
            if not self.lease_held(drain.lease):
                stats.skipped += 1
                return
            try:
                result = self.registry.drain(
                    drain.vendor,
                    drain.credentials,
                    base_url=drain.base_url,
                    timeout=self.timeout,
                    **self.drain_options,
                )
            except SmsStatusError as exc:  # nothing was consumed (the hook's contract)
                log.warning("drain of %s failed: %s", drain.vendor, exc)
                stats.failed += 1
                if self.observer is not None:
                    self.observer.drained(drain.vendor, ok=False, reports=0)
                return
            self._commit(drain, result)
            if self.observer is not None:
                self.observer.drained(drain.vendor, ok=True, reports=len(result.reports))
            stats.batches += 1
            stats.reports += len(result.reports)
            stats.unreadable += len(result.errors)
            if not result.more:
                return

    def _commit(self, drain: VendorDrain, result: DrainResult) -> None:
        """The batch, reports and unreadable records, in one transaction: the
        vendor no longer has any of it."""
        letters: list[DeadLetter] = []
        if result.errors:
            first = result.errors[0].error
            letters.append(
                DeadLetter(
                    vendor=drain.vendor,
                    kind="items",
                    error_type=type(first).__name__,
                    error=str(first),
                    method="DRAIN",
                    url=drain.base_url or "",
                    headers=(),
                    body=b"",
                    received_at=self.clock(),
                    items=tuple(
                        {"index": e.index, "key": e.key, "error": str(e.error), "raw": e.raw}
                        for e in result.errors
                    ),
                    # Pulled from the vendor's API with our own credentials: genuine
                    # vendor data. Not a push, so there is no replay copy to keep.
                    authentication="passed",
                )
            )
        self.tracker.apply(result.reports, dead_letters=letters)

    # -- background thread -----------------------------------------------------

    def start(self) -> None:
        """One thread per vendor account, as the poller has per vendor: a
        vendor whose API hangs holds up only its own drain."""
        if self._threads or not self.drains:
            return
        self._stop.clear()
        for drain in self.drains:
            thread = threading.Thread(
                target=self._loop, args=(drain,), name=f"smsstatus-drain-{drain.vendor}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _loop(self, drain: VendorDrain) -> None:
        log.info("drainer %s serving %s", self.owner, drain.vendor)
        while not self._stop.is_set():
            self.run_once([drain])
            self._stop.wait(self.tick)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        for drain in self.drains:
            try:
                self.release(drain.lease)
            except StoreError:  # the store is closing: the lease expires on its own
                log.debug("could not release %s", drain.lease)
