"""The bounds of an outbound HTTP exchange: limits, deadline, retry policy.

Defined apart from :mod:`smsstatus.http` (which re-exports them) because the
registry's defaults are built from them when ``smsstatus`` is imported, while
the client itself is needed only when a fetch, or a push that makes HTTP
requests, builds one: this module keeps the client's module off start-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "Deadline", "HttpLimits", "RetryPolicy"]

#: Default ``HttpLimits.max_response_bytes``: far above any status answer the
#: bundled vendors document (a full uSpeedo batch of 100 sessions is well
#: under 1 MiB), far below what would hurt a poller's memory.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen
class HttpLimits:
    """The bounds of every outbound exchange (one :meth:`HttpClient.request`).

    ``timeout`` is the exchange's **total** deadline in seconds: connecting,
    sending, every retry and its backoff or ``Retry-After`` wait, and reading
    the whole answer. A retry whose wait would end past it is not made (the
    last answer is returned, or the connection error raised); no socket
    operation outlives it, so an answer trickled a byte at a time ends at the
    deadline like a silent one (:class:`~smsstatus.errors.DeadlineExceededError`).

    ``max_response_bytes`` caps the answer's body: a declared Content-Length
    over it is refused before reading, a streamed body is dropped at the first
    chunk past it (:class:`~smsstatus.errors.ResponseTooLargeError`).
    """

    timeout: float = attrs.field(default=15.0, validator=_positive)
    max_response_bytes: int = attrs.field(default=DEFAULT_MAX_RESPONSE_BYTES, validator=_positive)

    def deadline(self, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """A deadline ``timeout`` seconds from now on ``clock``."""
        return Deadline(clock() + self.timeout, self.timeout, clock)


@attrs.frozen
class Deadline:
    """A point in time (on a monotonic ``clock``) an exchange must end by."""

    at: float
    #: The total this deadline was set for (for messages).
    timeout: float
    clock: Callable[[], float] = time.monotonic

    def remaining(self) -> float:
        return self.at - self.clock()


@attrs.frozen
class RetryPolicy:
    """``attempts`` counts every try, the first included."""

    attempts: int = 4
    backoff: float = 0.5  #: seconds; doubled per retry, with full jitter
    max_backoff: float = 30.0
    #: A Retry-After longer than this ends the retries (better to fail fast
    #: and let a poller come back than to block a request path for minutes).
    max_retry_after: float = 60.0

    def delay(self, retry_number: int, rng: Callable[[], float]) -> float:
        ceiling = min(self.max_backoff, self.backoff * (2 ** (retry_number - 1)))
        return float(ceiling * rng())
