"""The receiver's body deadline (``body_timeout``) for every request on one
event loop, kept by one periodic sweep instead of a timer per request.

Arming and cancelling a timer costs about 5 µs on uvloop and
``asyncio.timeout`` about 10 µs, measured on this project's machine: a
tenth of all the receiver does for a push on the event loop, paid by every
request although nearly none ever waits for its body. Here a request costs a
dictionary entry while it reads its body; a sweep every quarter of the
timeout (at most every second, only while some request is reading) cancels
the requests past their deadline, and :meth:`BodyDeadlines.expired` tells
the endpoint that the cancellation was the deadline's, not the server's.

A request is therefore cut off between ``body_timeout`` and a quarter more
(one second more at most), never earlier.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["BodyDeadlines"]

#: The longest time between two sweeps, in seconds.
MAX_SWEEP_PERIOD = 1.0

Task = asyncio.Task[Any]


class BodyDeadlines:
    """The requests of one event loop that are reading their body, each with
    its deadline. Only ever used from that loop's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._reading: dict[Task, tuple[float, float]] = {}  # task: (deadline, timeout)
        self._expired: set[Task] = set()
        self._sweep_handle: asyncio.TimerHandle | None = None

    def start(self, task: Task, timeout: float) -> None:
        """``task`` reads its body from now on, for at most ``timeout`` seconds."""
        self._reading[task] = (self.loop.time() + timeout, timeout)
        if self._sweep_handle is None:
            self._schedule(timeout)

    def stop(self, task: Task) -> None:
        """``task`` is done reading (call exactly once after :meth:`start`)."""
        del self._reading[task]
        if self._expired and task in self._expired:
            # Cancelled for its deadline, but it never saw the cancellation
            # (it had finished reading): take the request back.
            self._expired.discard(task)
            task.uncancel()

    def expired(self, task: Task) -> bool:
        """Whether the cancellation ``task`` just received was its deadline's
        (then it is taken back: the task may go on to answer 408)."""
        if task not in self._expired:
            return False
        self._expired.discard(task)
        task.uncancel()
        return True

    def reading(self) -> int:
        """How many requests are reading their body."""
        return len(self._reading)

    def _schedule(self, timeout: float) -> None:
        self._sweep_handle = self.loop.call_later(min(MAX_SWEEP_PERIOD, timeout / 4), self._sweep)

    def _sweep(self) -> None:
        self._sweep_handle = None
        if not self._reading:
            return
        now = self.loop.time()
        shortest = MAX_SWEEP_PERIOD * 4
        for task, (deadline, timeout) in list(self._reading.items()):
            shortest = min(shortest, timeout)
            if deadline <= now and task not in self._expired and not task.done():
                self._expired.add(task)
                task.cancel()
        self._schedule(shortest)
