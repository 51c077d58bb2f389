"""What the tracker tells an observer (``smsstatus serve``'s metrics) after
each write commits.

The tracker calls these methods only when an observer is set, after the
transaction committed (a rolled-back group commit is never counted), and
never imports anything for them: the metrics live in
:mod:`smsstatus.server.metrics`, loaded by ``serve`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..model import StatusReport
from .records import ApplyResult, DeadLetter

__all__ = ["TrackerObserver"]


class TrackerObserver(Protocol):
    def applied(self, reports: Sequence[StatusReport], result: ApplyResult) -> None:
        """``reports`` were stored; ``result.outcomes[i]`` belongs to ``reports[outcome.index]``."""

    def dead_letters(self, letters: Sequence[DeadLetter], ids: Sequence[int | None]) -> None:
        """``letters`` were given to the store; ``ids[i]`` is ``None`` where a quota dropped one."""

    def dead_letters_expired(self, count: int) -> None:
        """``count`` dead letters were deleted after the retention time."""

    def callbacks_dropped(self, reason: str, changes: int) -> None:
        """``changes`` status changes were not queued for the callback URL (``reason``: ``outbox_full``)."""

    def write_committed(self, seconds: float) -> None:
        """A write transaction took ``seconds`` from its start to its commit."""
