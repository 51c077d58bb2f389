"""The poller: fetches non-final messages of fetch vendors on their schedule.

Each round, per vendor (``docs/tracker.md``, "Poller"):

1. **Claim** up to ``PollPolicy.batch_limit`` due poll targets with a lease
   (``Tracker.claim``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, an atomic
   ``UPDATE`` on SQLite), so two pollers never poll the same id.
2. Targets past their give-up time get the **synthetic outcome** (status
   ``unknown``, reason ``unknown``, ``extra.synthetic = "poll_window_expired"``)
   and are closed; targets a push already settled are closed unfetched.
3. **Fetch** the rest in one ``Registry.fetch`` call.
4. **Commit** the reports and the new schedule in one transaction
   (``Tracker.apply_fetch``).
5. Only then **acknowledge**: the optional ``acknowledge(vendor, result)``
   callable runs after the commit, so a vendor whose pull deletes what it
   returned (InnoPaaS ``pull/report``) would lose nothing on a crash: an
   unacknowledged result is fetched again. Today's hook contract has no
   separate acknowledge step (``fetch`` must not delete), so no bundled
   plugin uses it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import attrs

from ..credentials import Credentials
from ..errors import SmsStatusError
from ..registry import Registry
from ..request import FetchResult
from ..tracker import PollTarget, Tracker
from ..vendor import PollPolicy
from .observe import PollObserver

__all__ = ["VendorPoll", "RoundStats", "Poller", "default_owner"]

log = logging.getLogger("smsstatus.poller")

Acknowledge = Callable[[str, FetchResult], None]


def default_owner() -> str:
    """A lease owner name unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@attrs.frozen(kw_only=True)
class VendorPoll:
    """One vendor the poller serves."""

    vendor: str
    policy: PollPolicy
    credentials: Credentials = attrs.field(repr=False)
    base_url: str | None = None


@attrs.define
class RoundStats:
    claimed: int = 0
    fetched: int = 0
    reports: int = 0
    settled_by_push: int = 0
    expired: int = 0
    failed: int = 0


class Poller:
    """Polls the vendors in ``vendors``; :meth:`run_once` does one round,
    :meth:`start` runs rounds every ``tick`` seconds on a thread."""

    def __init__(
        self,
        registry: Registry,
        tracker: Tracker,
        vendors: Sequence[VendorPoll],
        *,
        owner: str | None = None,
        lease_seconds: float = 300.0,
        fetch_timeout: float = 15.0,
        tick: float = 1.0,
        max_batches: int = 20,
        acknowledge: Mapping[str, Acknowledge] | None = None,
        clock: Callable[[], datetime] | None = None,
        fetch_options: Mapping[str, object] | None = None,
        observer: PollObserver | None = None,
    ) -> None:
        self.registry = registry
        self.tracker = tracker
        self.vendors = list(vendors)
        self.owner = owner or default_owner()
        self.lease = timedelta(seconds=lease_seconds)
        self.fetch_timeout = fetch_timeout
        self.tick = tick
        self.max_batches = max_batches
        self.acknowledge = dict(acknowledge or {})
        self.clock = clock or (lambda: datetime.now(UTC))
        self.fetch_options = dict(fetch_options or {})
        self.observer = observer
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def run_once(self) -> RoundStats:
        stats = RoundStats()
        for vendor in self.vendors:
            try:
                self._vendor_round(vendor, stats)
            except Exception:  # the store or a listener failed: try again next tick
                log.exception("poll round for %s failed", vendor.vendor)
        return stats

    def _vendor_round(self, vp: VendorPoll, stats: RoundStats) -> None:
        for _ in range(self.max_batches):
            if self._stop.is_set():
                return
            targets = self.tracker.claim(vp.vendor, self.owner, limit=vp.policy.batch_limit, lease=self.lease)
            if not targets:
                return
            stats.claimed += len(targets)
            now = self.clock()
            if self.observer is not None:
                due = [(now - min(t.next_poll_at, t.give_up_at)).total_seconds() for t in targets]
                self.observer.poll_claimed(vp.vendor, due)
            expired = [t for t in targets if now >= t.give_up_at]
            if expired:
                self.tracker.expire(expired, owner=self.owner, now=now)
                stats.expired += len(expired)
                if self.observer is not None:
                    self.observer.poll_windows_expired(vp.vendor, len(expired))
            live = [t for t in targets if now < t.give_up_at]
            settled = self.tracker.settled(live)
            if settled:
                self.tracker.release(
                    [t for t in live if t.id in settled], owner=self.owner, state="settled", now=now
                )
                stats.settled_by_push += len(settled)
            live = [t for t in live if t.id not in settled]
            if live:
                self._fetch(vp, live, stats)

    def _fetch(self, vp: VendorPoll, targets: list[PollTarget], stats: RoundStats) -> None:
        ids = [t.fetch_id for t in targets]
        try:
            result = self.registry.fetch(
                vp.vendor,
                ids,
                vp.credentials,
                base_url=vp.base_url,
                timeout=self.fetch_timeout,
                **self.fetch_options,  # type: ignore[arg-type]
            )
        except Exception as exc:
            # The whole fetch failed (refused token, vendor down): poll again
            # after the interval; the error is kept on each target.
            if not isinstance(exc, SmsStatusError):
                log.exception("fetch from %s failed", vp.vendor)
            else:
                log.warning("fetch from %s failed: %s", vp.vendor, exc)
            stats.failed += len(targets)
            if self.observer is not None:
                self.observer.polled(vp.vendor, ok=False)
            now = self.clock()
            for target in targets:
                self.tracker.release(
                    [target],
                    owner=self.owner,
                    next_poll_at=min(now + timedelta(seconds=vp.policy.interval), target.give_up_at),
                    error=str(exc),
                    polled=True,
                    now=now,
                )
            return
        errors: dict[int, str] = {}
        by_id = {t.fetch_id: t.id for t in targets}
        for item in result.errors:
            target_id = by_id.get(item.key) if item.key is not None else None
            if target_id is None and item.index is not None and 0 <= item.index < len(targets):
                target_id = targets[item.index].id
            if target_id is not None:
                errors[target_id] = str(item.error)
        self.tracker.apply_fetch(
            targets,
            result.reports,
            errors,
            owner=self.owner,
            interval=vp.policy.interval,
            now=self.clock(),
        )
        stats.fetched += len(targets)
        stats.reports += len(result.reports)
        if self.observer is not None:
            self.observer.polled(vp.vendor, ok=True)
        # Committed: now (and only now) may the vendor be told we have them.
        ack = self.acknowledge.get(vp.vendor)
        if ack is not None:
            ack(vp.vendor, result)

    # -- background threads ----------------------------------------------------

    def start(self) -> None:
        """Poll every vendor on its own thread: a vendor whose API hangs holds
        up its own thread only, never the polling of the others."""
        if self._threads or not self.vendors:
            return
        self._stop.clear()
        log.info("poller %s serving %s", self.owner, ", ".join(v.vendor for v in self.vendors))
        for vp in self.vendors:
            thread = threading.Thread(
                target=self._loop, args=(vp,), name=f"smsstatus-poller-{vp.vendor}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _loop(self, vp: VendorPoll) -> None:
        while not self._stop.is_set():
            try:
                self._vendor_round(vp, RoundStats())
            except Exception:  # the store or a listener failed: try again next tick
                log.exception("poll round for %s failed", vp.vendor)
            self._stop.wait(self.tick)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop polling; waits up to ``timeout`` seconds in all (a thread
        stuck in a vendor call is a daemon and is left to its fetch deadline)."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = []
