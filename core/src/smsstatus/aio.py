"""The library from ``async def`` code, without blocking the event loop.

* ``parse_push`` is synchronous and stays so: it does no I/O (no network, no
  database, no file), so an ``async def`` webhook handler calls it directly;
  except for a plugin whose ``parse_push`` takes the host's HTTP client (a
  certificate to download, a subscription to confirm), which can wait up to
  its deadline: call that one with ``asyncio.to_thread``.
* ``await registry.afetch(...)`` (:meth:`smsstatus.Registry.afetch`) fetches
  on the host's ``httpx.AsyncClient``.
* The tracker's stores are blocking database drivers: :class:`AsyncTracker`
  runs each call in a worker thread and awaits it. Listeners added to the
  tracker run in that worker thread, after the commit.

How ``afetch`` runs plugins unchanged: their ``fetch`` hooks are synchronous
(they call ``client.request(...)`` and get the answer back) and third-party
plugins must keep working. So ``afetch`` runs the very same
:meth:`~smsstatus.Registry.fetch` in a worker thread, with one difference: the
HTTP client's transport is :class:`AsyncBridgeTransport`, which sends each
request with the host's ``httpx.AsyncClient`` on the event loop and streams
the answer back. Everything above the transport -- the plugin's code, retries
and their backoff, ``Retry-After``, the total deadline and the size limit
(:class:`~smsstatus.http.HttpLimits`), secret scrubbing, the typed errors --
is the synchronous code path, so results and errors are the same by
construction (and the tests run the fetch tests over both). The cost, one
thread hop per call and one loop round trip per request and body chunk, is
measured by ``benchmarks/afetch.py`` (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import functools
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from . import http

if TYPE_CHECKING:
    from .model import StatusReport
    from .registry import Registry
    from .request import FetchResult
    from .tracker import ApplyResult, DeadLetter, MessageRecord, PollTarget, Tracker
    from .vendor import PollPolicy

__all__ = ["FETCH_WORKERS", "AsyncBridgeTransport", "AsyncTracker", "afetch"]

T = TypeVar("T")


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


# --- afetch: the sync fetch path in a worker thread, its HTTP on the host's AsyncClient ---

#: Worker threads running ``afetch`` calls (each mostly waits on the event loop).
FETCH_WORKERS = 32

_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _fetch_executor() -> concurrent.futures.ThreadPoolExecutor:
    global _executor  # noqa: PLW0603 -- one pool per process, made on first use
    with _executor_lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=FETCH_WORKERS, thread_name_prefix="smsstatus-afetch"
            )
        return _executor


class AsyncBridgeTransport(httpx.BaseTransport):
    """A synchronous httpx transport, for a worker thread, that sends each
    request with ``client`` (the host's ``httpx.AsyncClient``) on ``loop`` and
    streams the answer back chunk by chunk.

    The request is the one the synchronous client built (URL, headers,
    per-operation timeouts); of ``client`` only its transport, connection
    pool, auth and event hooks take part. Each step on the loop is bounded by
    the exchange's total deadline (:func:`smsstatus.http.current_deadline`):
    a step cut short raises ``httpx.ReadTimeout``, which the synchronous
    client turns into :class:`~smsstatus.errors.DeadlineExceededError` as it
    does for its own sockets.
    """

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self._client = client
        self._loop = loop

    def _run(self, step: Coroutine[Any, Any, T], request: httpx.Request) -> T:
        if _running_loop() is self._loop:
            step.close()
            raise RuntimeError("AsyncBridgeTransport used on its own event loop's thread")
        deadline = _current_deadline()
        future = asyncio.run_coroutine_threadsafe(_bounded(step, deadline, request), self._loop)
        # The loop enforces the deadline; this wait only guards against a loop that stopped.
        patience = None if deadline is None else max(deadline.remaining(), 0.0) + _LOOP_MARGIN
        try:
            return future.result(patience)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("the event loop did not answer", request=request) from None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._run(self._client.send(request, stream=True, follow_redirects=False), request)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_BridgedBody(self, response, request),
            extensions=response.extensions,
            request=request,
        )


class _BridgedBody(httpx.SyncByteStream):
    def __init__(
        self, bridge: AsyncBridgeTransport, response: httpx.Response, request: httpx.Request
    ) -> None:
        self._bridge = bridge
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        if self._response.is_stream_consumed:  # an answer made in memory (a mock transport) is read already
            yield self._response.content
            return
        chunks = self._response.aiter_raw()
        while True:
            chunk = self._bridge._run(_next_chunk(chunks), self._request)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._bridge._run(self._response.aclose(), self._request)


_LOOP_MARGIN = 5.0
#: How early asyncio's timers may fire (its clock resolution, with room).
_EARLY = 0.05


async def _next_chunk(chunks: AsyncIterator[bytes]) -> bytes | None:
    try:
        return await chunks.__anext__()
    except StopAsyncIteration:
        return None


async def _bounded(step: Coroutine[Any, Any, T], deadline: Any, request: httpx.Request) -> T:
    """``step`` within the time left before ``deadline``; past it, the timeout
    httpx raises for a socket (the client turns it into DeadlineExceededError)."""
    if deadline is None:
        return await step
    try:
        return await asyncio.wait_for(step, max(deadline.remaining(), 0.0))
    except TimeoutError:
        left = deadline.remaining()
        if 0 < left < _EARLY:  # the loop's timer may fire a clock tick early
            await asyncio.sleep(left)
        raise httpx.ReadTimeout("the deadline of the exchange has passed", request=request) from None


def _current_deadline() -> Any:
    """The total deadline of the exchange running in this thread's context
    (``smsstatus.http.current_deadline``, a ``Deadline`` with ``remaining()``
    and ``timeout``), or ``None``. Looked up at call time: the deadline is the
    HTTP client's (issue 10's fetch limits); where the client has none, each
    step is bounded by the request's own timeouts only."""
    lookup = getattr(http, "current_deadline", None)
    return lookup() if lookup is not None else None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def afetch(
    registry: Registry,
    vendor: str,
    ids: Sequence[str],
    credentials: Any,
    *,
    client: httpx.AsyncClient | None,
    transport: httpx.BaseTransport | None = None,
    **options: Any,
) -> FetchResult:
    """:meth:`smsstatus.Registry.afetch`'s body (see there)."""
    loop = asyncio.get_running_loop()
    own = None
    if transport is None:
        if client is None:
            from .transport import ssl_context  # the TLS context every host client shares

            own = client = httpx.AsyncClient(verify=ssl_context())
        transport = AsyncBridgeTransport(client, loop)
    call = functools.partial(registry.fetch, vendor, list(ids), credentials, transport=transport, **options)
    try:
        return await loop.run_in_executor(_fetch_executor(), contextvars.copy_context().run, call)
    finally:
        if own is not None:
            await own.aclose()
