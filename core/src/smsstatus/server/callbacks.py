"""Status callbacks: the delivery loop of the outbox (``docs/operations.md``, "Status callbacks").

Every applied status change is queued in the store's outbox in the
transaction that applies it (:mod:`smsstatus.tracker.outbox`). This loop, one
thread per ``serve`` process, claims due changes with a lease (so several
processes never post the same change at once) and POSTs each to the
application's URL:

* the body is the change's canonical JSON (``smsstatus.to_json_data``), byte
  for byte as queued;
* ``Smsstatus-Signature: t=<unix seconds>,v1=<hex>``, the hex an HMAC-SHA256
  with the configured secret over ``<t>.<body>`` (``t`` is the time of this
  attempt: a receiver refuses stale ones, so a captured request cannot be
  replayed later); ``Smsstatus-Event-Id`` names the stored event (the same on
  every retry: the application's deduplication key);
* a 2xx answer is a delivery: the change leaves the outbox. Anything else is
  retried with exponential backoff and jitter until the change is
  ``give_up_after`` old; no answer, 429 or 5xx mean the application is down,
  so the rest of the round waits too (order is kept);
* each POST has a total deadline (``timeout``) and reads at most
  ``max_response_bytes`` of the answer, whose body is not used.

At least once: a change posted but not yet marked delivered when the process
dies is posted again by the next round of any process.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from ..credentials import redact
from ..tracker.outbox import Outbox, OutboxLimits, OutboxRow
from ..tracker.store import Store
from .config import CallbacksConfig
from .observe import CallbackObserver

if TYPE_CHECKING:
    import httpx

__all__ = ["signature", "verify", "Attempt", "CallbackSender", "CallbackLoop", "limits_of"]

log = logging.getLogger("smsstatus.callbacks")

SIGNATURE_HEADER = "Smsstatus-Signature"
EVENT_HEADER = "Smsstatus-Event-Id"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Smsstatus-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, *, now: float, tolerance: float = 300.0) -> bool:
    """What an application does with a callback: the header's HMAC matches
    (constant time) and its time is within ``tolerance`` seconds of ``now``."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    t = fields.get("t", "")
    if not t.isdigit() or abs(now - int(t)) > tolerance:
        return False
    expected = signature(secret, body, int(t)).rsplit("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def limits_of(config: CallbacksConfig) -> OutboxLimits:
    return OutboxLimits(max_pending=config.max_pending, give_up_after=config.give_up_after)


@attrs.frozen
class Attempt:
    """One POST: ``delivered`` (2xx), ``refused`` (another answer) or ``error`` (none)."""

    outcome: str
    status_code: int | None
    error: str | None
    seconds: float

    @property
    def endpoint_down(self) -> bool:
        return self.outcome == "error" or self.status_code == 429 or (self.status_code or 0) >= 500


class CallbackSender:
    """POSTs one body to the callback URL, signed, within the deadline and size limit."""

    def __init__(
        self,
        config: CallbacksConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.clock = clock
        self._transport = transport
        self._client: httpx.Client | None = None

    def __repr__(self) -> str:
        return "CallbackSender(url=***, secret=***)"

    def _httpx(self) -> httpx.Client:
        if self._client is None:
            import httpx

            # A third of the deadline per socket operation, and the deadline
            # checked between reads: no POST outlives it by more than that.
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.config.timeout / 3),
                transport=self._transport,
                follow_redirects=False,
                headers={"User-Agent": "smsstatus-callbacks/1"},
            )
        return self._client

    def post(self, row: OutboxRow) -> Attempt:
        import httpx

        started = time.monotonic()
        deadline = started + self.config.timeout
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(self.config.secret, row.body, int(self.clock())),
            EVENT_HEADER: str(row.event_id),
            "Accept-Encoding": "identity",
        }
        try:
            with self._httpx().stream("POST", self.config.url, content=row.body, headers=headers) as response:
                declared = response.headers.get("content-length", "")
                if not (declared.isdigit() and int(declared) > self.config.max_response_bytes):
                    read = 0
                    for chunk in response.iter_raw():
                        read += len(chunk)
                        if read > self.config.max_response_bytes or time.monotonic() > deadline:
                            break  # the answer's body is not used: stop reading it
                status = response.status_code
        except httpx.HTTPError as exc:
            text = redact(f"{type(exc).__name__}: {exc}", (self.config.url, self.config.secret))
            return Attempt("error", None, text[:300], time.monotonic() - started)
        outcome = "delivered" if 200 <= status < 300 else "refused"
        error = None if outcome == "delivered" else f"HTTP {status}"
        return Attempt(outcome, status, error, time.monotonic() - started)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


@attrs.define
class RoundStats:
    claimed: int = 0
    delivered: int = 0
    failed: int = 0


class CallbackLoop:
    """Delivers the outbox: :meth:`run_once` is one round, :meth:`start`
    runs rounds every ``tick`` seconds on a thread."""

    def __init__(
        self,
        store: Store,
        config: CallbacksConfig,
        *,
        owner: str,
        observer: CallbackObserver | None = None,
        sender: CallbackSender | None = None,
        clock: Callable[[], datetime] | None = None,
        rng: Callable[[], float] = random.random,
        tick: float = 0.5,
    ) -> None:
        self.outbox = Outbox(store, limits_of(config))
        self.config = config
        self.owner = owner
        self.observer = observer
        self.sender = sender or CallbackSender(config)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.rng = rng
        self.tick = tick
        # A lease long enough for a whole round of slow POSTs.
        self.lease = timedelta(seconds=config.batch * config.timeout + 60.0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after ``attempts`` failed ones:
        exponential, capped, with equal jitter (half fixed, half random)."""
        ceiling = min(self.config.max_backoff, self.config.backoff * 2 ** max(0, attempts - 1))
        return float(ceiling / 2 + self.rng() * ceiling / 2)

    def run_once(self) -> RoundStats:
        stats = RoundStats()
        rows, given_up = self.outbox.claim(
            self.owner, limit=self.config.batch, lease=self.lease, now=self.clock()
        )
        if given_up and self.observer is not None:
            self.observer.callbacks_given_up(given_up)
        stats.claimed = len(rows)
        delivered: list[int] = []
        try:
            for index, row in enumerate(rows):
                if self._stop.is_set():
                    self.outbox.release(rows[index:], self.owner)
                    break
                attempt = self.sender.post(row)
                if self.observer is not None:
                    self.observer.callback_attempted(attempt.outcome, attempt.seconds)
                if attempt.outcome == "delivered":
                    delivered.append(row.id)
                    stats.delivered += 1
                    continue
                stats.failed += 1
                waiting = rows[index:] if attempt.endpoint_down else [row]
                self._retry(waiting, attempt.error or "failed")
                if attempt.endpoint_down:
                    log.warning(
                        "callback URL unavailable (%s): %d change(s) wait", attempt.error, len(waiting)
                    )
                    break
        finally:
            self.outbox.delivered(delivered, self.owner)
        if self.observer is not None:
            summary = self.outbox.summary()
            oldest = summary.oldest_pending
            age = (self.clock() - oldest).total_seconds() if oldest else 0.0
            self.observer.outbox_pending(summary.pending, age)
        return stats

    def _retry(self, rows: Sequence[OutboxRow], error: str) -> None:
        now = self.clock()
        due = [now + timedelta(seconds=self.backoff(row.attempts + 1)) for row in rows]
        self.outbox.retry(rows, self.owner, next_at=due, error=error, now=now)

    # -- background thread -------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="smsstatus-callbacks", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once().claimed >= self.config.batch
            except Exception:  # the store failed: try again next tick
                log.exception("callback round failed")
                busy = False
            if not busy:
                self._stop.wait(self.tick)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.sender.close()
