"""What the receiver, the poller, the drainer and the callback loop tell an
observer (``smsstatus serve``'s metrics, :mod:`smsstatus.server.metrics`).

Each takes an optional observer and calls it only when one is given, so the
push path pays nothing without metrics and nothing here imports
``prometheus_client``.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["PushObserver", "PollObserver", "DrainObserver", "CallbackObserver"]


class PushObserver(Protocol):
    def push_answered(self, vendor: str, status_code: int) -> None:
        """A push to ``vendor``'s route was answered with ``status_code``."""


class PollObserver(Protocol):
    def poll_claimed(self, vendor: str, lags: list[float]) -> None:
        """Targets were claimed, each ``lags[i]`` seconds after it was due."""

    def polled(self, vendor: str, ok: bool) -> None:
        """One fetch call for ``vendor`` succeeded (``ok``) or failed as a whole."""

    def poll_windows_expired(self, vendor: str, targets: int) -> None:
        """``targets`` poll targets got the synthetic outcome."""


class DrainObserver(Protocol):
    def drained(self, vendor: str, ok: bool, reports: int) -> None:
        """One drain request for ``vendor`` returned ``reports`` reports (``ok``), or failed."""


class CallbackObserver(Protocol):
    def callback_attempted(self, outcome: str, seconds: float) -> None:
        """One callback POST: ``delivered``, ``refused`` (a non-2xx answer) or ``error`` (no answer)."""

    def callbacks_given_up(self, count: int) -> None:
        """``count`` callbacks passed their deadline undelivered."""

    def outbox_pending(self, count: int, oldest_age: float) -> None:
        """The outbox holds ``count`` waiting changes, the oldest ``oldest_age`` seconds old."""
