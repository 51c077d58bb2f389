"""The library from ``async def`` code, without blocking the event loop.

* ``parse_push`` is synchronous and stays so: it does no I/O (no network, no
  database, no file), so an ``async def`` webhook handler calls it directly;
  except for a plugin whose ``parse_push`` takes the host's HTTP client (a
  certificate to download, a subscription to confirm), which can wait up to
  its deadline: call that one with ``asyncio.to_thread``.
* The tracker's stores are blocking database drivers: :class:`AsyncTracker`
  runs each call in a worker thread and awaits it.

Listeners added to the tracker run in that worker thread, after the commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import StatusReport
    from .tracker import ApplyResult, DeadLetter, MessageRecord, PollTarget, Tracker
    from .vendor import PollPolicy

__all__ = ["AsyncTracker"]


class AsyncTracker:
    """A :class:`~smsstatus.tracker.Tracker` for ``async def`` code: the same
    calls, each run in a worker thread (``asyncio.to_thread``) so the event
    loop never waits on the database::

        tracker = AsyncTracker(Tracker(open_store("sqlite:///smsstatus.sqlite3")))
        await tracker.apply(result.reports)
        [record] = await tracker.message("d7", message_id)

    ``tracker`` is the wrapped synchronous tracker (for listeners and for
    anything not wrapped here).
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    async def apply(
        self, reports: Sequence[StatusReport], *, dead_letters: Sequence[DeadLetter] = ()
    ) -> ApplyResult:
        """Store ``reports`` (and ``dead_letters``) in one transaction; listeners hear of the changes."""
        return await asyncio.to_thread(self.tracker.apply, list(reports), dead_letters=list(dead_letters))

    async def message(self, vendor: str, message_id: str) -> list[MessageRecord]:
        """Every recipient of ``message_id`` with its status, parts and history
        (raises :class:`~smsstatus.tracker.NotTrackedError` when unknown)."""
        return await asyncio.to_thread(self.tracker.message, vendor, message_id)

    async def track(
        self, vendor: str, fetch_id: str, policy: PollPolicy, *, submitted_at: datetime | None = None
    ) -> int:
        """Have the poller fetch ``fetch_id`` on ``policy``'s schedule."""
        return await asyncio.to_thread(
            self.tracker.track, vendor, fetch_id, policy, submitted_at=submitted_at
        )

    async def targets(self, vendor: str | None = None, state: str | None = None) -> list[PollTarget]:
        """The poll targets, optionally of one vendor and in one state."""
        return await asyncio.to_thread(self.tracker.targets, vendor, state)

    async def close(self) -> None:
        """Close the store (its connections)."""
        await asyncio.to_thread(self.tracker.store.close)
