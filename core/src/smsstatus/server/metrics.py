"""Prometheus metrics of ``smsstatus serve`` (``docs/operations.md``, "Metrics").

Imported by ``serve`` only when an admin token is configured (``/metrics``
exists only then), so neither importing smsstatus nor the push path pays for
``prometheus_client`` otherwise. Every update is a counter increment or a
histogram observation made where the event happens; nothing is computed per
scrape except the exposition itself.

Label values are bounded: ``vendor`` is an installed plugin's id (anything
else is counted as ``other``), ``status`` a canonical status, ``decision`` a
tracker decision, ``code`` an HTTP status code. No label ever holds a string
a sender wrote.

**Several worker processes.** prometheus_client's multiprocess mode is used
when ``PROMETHEUS_MULTIPROC_DIR`` names a directory before this module is
first imported (the operator sets it; ``docs/operations.md``): each process writes its values
to files there and ``/metrics``, answered by any worker, adds them up.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from ..model import StatusReport
from ..tracker.records import ApplyResult, DeadLetter

__all__ = ["Metrics", "CONTENT_TYPE_LATEST", "multiprocess_dir"]

_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Seconds: store commits and callback calls are milliseconds to seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Seconds a poll target waited past its due time.
_LAG_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)

#: Answers that mean a receiver limit refused the push, and that limit's name.
_ANSWER_LIMITS = {413: "max_body_bytes", 408: "body_timeout", 403: "allowed_sources"}


def multiprocess_dir() -> str | None:
    """The multiprocess directory in use, if any."""
    return os.environ.get(_ENV) or None


class Metrics:
    """Every metric of one ``serve`` process; it is the observer of the
    tracker, the receiver, the poller, the drainer and the callback loop."""

    def __init__(self, vendors: Iterable[str]) -> None:
        self.vendors = frozenset(vendors)
        self._multiprocess = multiprocess_dir() is not None
        # Single process: a registry of our own (several servers in one
        # process, as tests build them, never share values). Multiprocess: the
        # values live in files, and a scrape collects them all afresh.
        self.registry = CollectorRegistry(auto_describe=True)
        reg = None if self._multiprocess else self.registry

        def counter(name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
            return Counter(name, doc, labels, registry=reg)

        self.pushes = counter(
            "smsstatus_pushes",
            "Pushes received, by vendor route and the HTTP status answered.",
            ("vendor", "code"),
        )
        self.reports_applied = counter(
            "smsstatus_reports_applied",
            "Reports that became a message part's current status, by vendor and canonical status.",
            ("vendor", "status"),
        )
        self.reports_duplicate = counter(
            "smsstatus_reports_duplicate",
            "Reports already stored (a vendor's retry), by vendor.",
            ("vendor",),
        )
        self.reports_not_applied = counter(
            "smsstatus_reports_not_applied",
            "Reports kept in the history only (out of order, after a final status), by vendor and decision.",
            ("vendor", "decision"),
        )
        self.reports_untracked = counter(
            "smsstatus_reports_untracked",
            "Reports without a message id (dead-lettered), by vendor.",
            ("vendor",),
        )
        self.dead_letters_stored = counter(
            "smsstatus_dead_letters",
            "Dead letters stored, by vendor, kind (request, items) and authentication.",
            ("vendor", "kind", "authentication"),
        )
        self.limit_drops = counter(
            "smsstatus_limit_drops",
            "Things a limit dropped: pushes refused for size, time or source address, dead letters over a quota or"
            " expired, body bytes cut, callbacks not queued or given up; by limit and vendor ('' when none).",
            ("limit", "vendor"),
        )
        self.polls = counter(
            "smsstatus_poll_requests",
            "Fetch calls of the poller, by vendor and outcome (ok, failed).",
            ("vendor", "outcome"),
        )
        self.poll_lag = Histogram(
            "smsstatus_poll_lag_seconds",
            "How late a poll target was claimed after it was due, by vendor.",
            ("vendor",),
            buckets=_LAG_BUCKETS,
            registry=reg,
        )
        self.poll_expired = counter(
            "smsstatus_poll_windows_expired",
            "Poll targets whose window passed without a final status (synthetic outcome), by vendor.",
            ("vendor",),
        )
        self.drains = counter(
            "smsstatus_drain_requests",
            "Drain requests, by vendor and outcome (ok, failed).",
            ("vendor", "outcome"),
        )
        self.drained_reports = counter(
            "smsstatus_drained_reports", "Reports received by drain requests, by vendor.", ("vendor",)
        )
        self.commit_seconds = Histogram(
            "smsstatus_store_commit_seconds",
            "Time of each store write transaction, from its start to its commit.",
            buckets=_LATENCY_BUCKETS,
            registry=reg,
        )
        self.callbacks = counter(
            "smsstatus_callback_attempts",
            "Status callback POSTs, by outcome (delivered, refused: a non-2xx answer, error: no answer).",
            ("outcome",),
        )
        self.callback_seconds = Histogram(
            "smsstatus_callback_seconds",
            "Time of each status callback POST.",
            buckets=_LATENCY_BUCKETS,
            registry=reg,
        )
        self.outbox_waiting = Gauge(
            "smsstatus_callback_outbox_pending",
            "Status changes waiting in the callback outbox (as last seen by a delivery round).",
            registry=reg,
            multiprocess_mode="max",
        )
        self.outbox_oldest = Gauge(
            "smsstatus_callback_outbox_oldest_seconds",
            "Age of the oldest waiting status change in the callback outbox.",
            registry=reg,
            multiprocess_mode="max",
        )

        # (route vendor, HTTP code) -> its counters; bounded by routes x codes.
        self._push_counters: dict[tuple[str, int], tuple[Counter, ...]] = {}

    def vendor(self, vendor: str) -> str:
        return vendor if vendor in self.vendors else "other"

    # -- exposition -------------------------------------------------------------

    def exposition(self) -> bytes:
        """The text exposition format of every metric (all processes in multiprocess mode)."""
        if not self._multiprocess:
            return bytes(generate_latest(self.registry))
        from prometheus_client import multiprocess

        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return bytes(generate_latest(collected))

    # -- the receiver -----------------------------------------------------------

    def push_answered(self, vendor: str, status_code: int) -> None:
        # On every push: the labelled children are looked up once per (route,
        # code), so an answer costs a dictionary lookup and the increments.
        counters = self._push_counters.get((vendor, status_code))
        if counters is None:
            counters = self._push_counters[(vendor, status_code)] = self._answer_counters(vendor, status_code)
        for counter in counters:
            counter.inc()

    def _answer_counters(self, vendor: str, status_code: int) -> tuple[Counter, ...]:
        v = self.vendor(vendor)
        counters = [self.pushes.labels(v, str(status_code))]
        limit = _ANSWER_LIMITS.get(status_code)
        if limit is not None:
            counters.append(self.limit_drops.labels(limit, v))
        return tuple(counters)

    # -- the tracker (TrackerObserver) ------------------------------------------

    def applied(self, reports: Sequence[StatusReport], result: ApplyResult) -> None:
        for outcome in result.outcomes:
            vendor = self.vendor(reports[outcome.index].vendor)
            if outcome.key is None:
                self.reports_untracked.labels(vendor).inc()
            elif outcome.duplicate:
                self.reports_duplicate.labels(vendor).inc()
            elif outcome.decision is not None and outcome.decision.applied:
                self.reports_applied.labels(vendor, reports[outcome.index].status.value).inc()
            elif outcome.decision is not None:
                self.reports_not_applied.labels(vendor, outcome.decision.value).inc()

    def dead_letters(self, letters: Sequence[DeadLetter], ids: Sequence[int | None]) -> None:
        for letter, letter_id in zip(letters, ids, strict=False):
            vendor = self.vendor(letter.vendor)
            if letter_id is None:
                self.limit_drops.labels("dead_letter_quota", vendor).inc()
            else:
                self.dead_letters_stored.labels(vendor, letter.kind, letter.authentication).inc()

    def dead_letters_expired(self, count: int) -> None:
        self.limit_drops.labels("dead_letter_retention", "").inc(count)

    def callbacks_dropped(self, reason: str, changes: int) -> None:
        self.limit_drops.labels(
            "callback_outbox_full" if reason == "outbox_full" else "callback_deadline", ""
        ).inc(changes)

    def write_committed(self, seconds: float) -> None:
        self.commit_seconds.observe(seconds)

    # -- the poller and the drainer ----------------------------------------------

    def poll_claimed(self, vendor: str, lags: list[float]) -> None:
        histogram = self.poll_lag.labels(self.vendor(vendor))
        for lag in lags:
            histogram.observe(max(0.0, lag))

    def polled(self, vendor: str, ok: bool) -> None:
        self.polls.labels(self.vendor(vendor), "ok" if ok else "failed").inc()

    def poll_windows_expired(self, vendor: str, targets: int) -> None:
        self.poll_expired.labels(self.vendor(vendor)).inc(targets)

    def drained(self, vendor: str, ok: bool, reports: int) -> None:
        v = self.vendor(vendor)
        self.drains.labels(v, "ok" if ok else "failed").inc()
        if reports:
            self.drained_reports.labels(v).inc(reports)

    # -- status callbacks ----------------------------------------------------------

    def callback_attempted(self, outcome: str, seconds: float) -> None:
        self.callbacks.labels(outcome).inc()
        self.callback_seconds.observe(seconds)

    def callbacks_given_up(self, count: int) -> None:
        self.callbacks_dropped("deadline", count)

    def outbox_pending(self, count: int, oldest_age: float) -> None:
        self.outbox_waiting.set(count)
        self.outbox_oldest.set(max(0.0, oldest_age))
