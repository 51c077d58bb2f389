"""The HTTP client the host hands to ``fetch`` implementations.

One client per fetch call, owned by the host: base URL (a plugin's default,
overridable per call for regional nodes and loopback tests), limits, and
retries with exponential backoff and jitter on connection errors, 429 and 5xx,
honouring ``Retry-After`` and never retrying other 4xx answers. Tests swap the
network for an offline replay (:mod:`smsstatus.replay`) through ``transport``.

Every exchange is bounded (:class:`HttpLimits`): a total deadline covering
every attempt, retry wait and byte of the answer, and a size limit on the
answer, read as a stream and never buffered past the limit. The pieces an
async client needs to do the same are I/O-free and live here:
:class:`HttpLimits`, :class:`Deadline` (both defined in :mod:`smsstatus.limits`),
:class:`BodyReader` and the :func:`deadline_scope` the network transport
(:mod:`smsstatus.transport`) reads to cap each socket operation.

httpx is imported lazily: parsing pushes never pays for it. This module is
imported when the first client is built, not when ``smsstatus`` is.
"""

from __future__ import annotations

import contextlib
import contextvars
import json as jsonlib
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from . import logs
from .credentials import REDACTED
from .errors import DeadlineExceededError, ResponseTooLargeError, TransportError
from .limits import DEFAULT_MAX_RESPONSE_BYTES, Deadline, HttpLimits, RetryPolicy
from .request import Headers
from .scrub import Scrubber, scrubbing

if TYPE_CHECKING:
    import httpx

# The limits are defined in .limits (light enough for start-up) and stay
# importable from here.
__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "BodyReader",
    "Deadline",
    "HttpClient",
    "HttpLimits",
    "HttpResponse",
    "RetryPolicy",
    "current_deadline",
    "deadline_scope",
]

# httpx logs every request URL at INFO, and some vendors take a credential in
# the query (Contacta's ``auth``): a filter on httpx's loggers (and ours) scrubs
# each record with the scrubber of the exchange running in this context before
# any handler sees it. Installed with the first client (when httpx is imported).
_SCRUBBED_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "smsstatus.http",
)
_filter_installed = False


def _install_scrubbing_filter() -> None:
    global _filter_installed  # noqa: PLW0603 -- a once-only flag
    if not _filter_installed:
        logs.add_scrubbing_filter(*_SCRUBBED_LOGGERS)
        _filter_installed = True


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_DEADLINE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "smsstatus_http_deadline", default=None
)


@contextlib.contextmanager
def deadline_scope(deadline: Deadline) -> Iterator[Deadline]:
    """Make ``deadline`` the one network operations in this context obey
    (threads and asyncio tasks each see their own)."""
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def current_deadline() -> Deadline | None:
    """The deadline of the exchange running in this context, if any."""
    return _DEADLINE.get()


class BodyReader:
    """Collects one answer's body within the limits, chunk by chunk.

    Sans I/O: a sync client feeds it from ``iter_bytes()``, an async one from
    ``aiter_bytes()``. Nothing past the size limit is kept, and the deadline is
    checked on every chunk (an injected transport has no socket to time out).
    """

    __slots__ = ("_chunks", "_deadline", "_limits", "_size", "_status", "_vendor")

    def __init__(
        self,
        vendor: str,
        limits: HttpLimits,
        deadline: Deadline,
        *,
        http_status: int | None,
        declared_length: int | None,
    ) -> None:
        self._vendor = vendor
        self._limits = limits
        self._deadline = deadline
        self._status = http_status
        self._chunks: list[bytes] = []
        self._size = 0
        if declared_length is not None and declared_length > limits.max_response_bytes:
            raise self._too_large()

    def _too_large(self) -> ResponseTooLargeError:
        return ResponseTooLargeError(self._vendor, self._limits.max_response_bytes, http_status=self._status)

    def feed(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limits.max_response_bytes:
            self._chunks.clear()
            raise self._too_large()
        if self._deadline.remaining() <= 0:
            raise DeadlineExceededError(self._vendor, self._deadline.timeout)
        self._chunks.append(chunk)

    def content(self) -> bytes:
        return b"".join(self._chunks)


def declared_length(value: str | None) -> int | None:
    """A Content-Length header's value, or ``None`` when absent or unreadable."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


@attrs.frozen
class HttpResponse:
    status_code: int
    headers: Headers
    content: bytes
    url: str
    #: When the response arrived (UTC); the ``received_at`` of reports made from it.
    received_at: datetime = attrs.field(factory=lambda: datetime.now(UTC))
    elapsed: float = 0.0

    def json(self) -> Any:
        """Decode the body as JSON (``ValueError`` on bad JSON)."""
        return jsonlib.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils  # only for the rare HTTP-date form; ~20 ms of imports

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def with_params(url: str, params: Mapping[str, str] | Sequence[tuple[str, str]] | None) -> httpx.URL:
    """``url`` with ``params`` appended to the query it already has.

    httpx (0.28) replaces a URL's query with ``params``; a vendor's documented
    endpoint may carry its own (``.../status?version=2``). Both are kept: the
    URL's own query exactly as written (a signature may cover its spelling),
    then ``params`` encoded; a name in both is sent twice, as written.
    """
    import httpx

    target = httpx.URL(url)
    pairs = tuple(params.items()) if isinstance(params, Mapping) else tuple(params or ())
    if not pairs:
        return target
    added = str(httpx.QueryParams(pairs)).encode("ascii")
    own = target.query
    return target.copy_with(query=own + b"&" + added if own else added)


class HttpClient:
    """A small, retrying HTTP client bound to one vendor and one base URL.

    ``timeout`` is a shorthand for ``limits=HttpLimits(timeout=...)``.
    """

    def __init__(
        self,
        vendor: str,
        base_url: str | None,
        *,
        timeout: float | None = None,
        limits: HttpLimits | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        scrubber: Scrubber | None = None,
        secrets: Sequence[str] = (),
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.vendor = vendor
        self.base_url = (base_url or "").rstrip("/")
        limits = limits or HttpLimits()
        self.limits = limits if timeout is None else attrs.evolve(limits, timeout=timeout)
        self.retry = retry or RetryPolicy()
        self._transport = transport
        #: Scrubs what leaves through this client's errors and log lines; it
        #: also learns the credential-bearing header values the client sends.
        self.scrubber = scrubber if scrubber is not None else Scrubber()
        for secret in secrets:
            self.scrubber.add_secret(secret)
        self._sleep = sleep
        self._rng = rng
        self._clock = clock
        self._client: httpx.Client | None = None

    @property
    def timeout(self) -> float:
        return self.limits.timeout

    def _httpx(self) -> httpx.Client:
        if self._client is None:
            import httpx

            _install_scrubbing_filter()
            transport = self._transport
            if transport is None:
                from .transport import NetworkTransport

                transport = NetworkTransport()
            self._client = httpx.Client(
                transport=transport,
                follow_redirects=False,
                # Environment proxies and certificates are the transport's business;
                # no ~/.netrc credentials are ever added to a vendor call.
                trust_env=False,
                headers={
                    "User-Agent": "smsstatus/0.1",
                    # A compressed answer could inflate far past the size limit
                    # within one chunk: ask for none.
                    "Accept-Encoding": "identity",
                },
            )
        return self._client

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        if not self.base_url:
            raise TransportError(self.vendor, f"no base URL configured for {path!r}")
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
    ) -> HttpResponse:
        """Send a request, retrying what is safe to retry, within
        :attr:`limits`; ``params`` are added to any query ``path`` already
        has. Any final HTTP status is returned, not raised: the
        plugin knows what its vendor's error bodies mean. Connection failures
        that outlast the retries raise :class:`~smsstatus.TransportError`, a
        passed deadline :class:`~smsstatus.errors.DeadlineExceededError`, an
        answer over the size limit :class:`~smsstatus.errors.ResponseTooLargeError`."""
        url = self.url(path)
        body = content
        send_headers = dict(headers or {})
        if json is not None:
            body = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            send_headers.setdefault("Content-Type", "application/json")
        for name, value in send_headers.items():
            self.scrubber.add_sent(name, value)
        client = self._httpx()
        with scrubbing(self.scrubber), deadline_scope(self.limits.deadline(self._clock)) as deadline:
            return self._send(
                client, method, url, params=params, headers=send_headers, body=body, deadline=deadline
            )

    def _send(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None,
        headers: dict[str, str],
        body: bytes | None,
        deadline: Deadline,
    ) -> HttpResponse:
        import httpx

        target = with_params(url, params)
        log = logs.get("smsstatus.http")
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                response, content = self._attempt(client, method, target, headers, body, deadline)
            except httpx.TransportError as exc:
                if deadline.remaining() <= 0:
                    raise DeadlineExceededError(self.vendor, deadline.timeout) from None
                delay = self.retry.delay(attempt, self._rng)
                if attempt >= self.retry.attempts or delay >= deadline.remaining():
                    tail = "" if attempt >= self.retry.attempts else ", no time left for another"
                    raise TransportError(
                        self.vendor,
                        self.scrubber(f"{type(exc).__name__} after {attempt} attempts{tail}: {exc}"),
                    ) from None
                log.info("%s: %s, retry %d in %.2fs", self.vendor, type(exc).__name__, attempt, delay)
                self._sleep(delay)
                continue
            elapsed = time.perf_counter() - started
            log.debug("%s: %s %s -> %d", self.vendor, method, target.path, response.status_code)
            if response.status_code in RETRY_STATUSES and attempt < self.retry.attempts:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > self.retry.max_retry_after:
                    return self._wrap(response, content, elapsed)
                delay = wait if wait is not None else self.retry.delay(attempt, self._rng)
                if delay >= deadline.remaining():
                    return self._wrap(response, content, elapsed)  # another try would end past the deadline
                log.info("%s: HTTP %d, retry %d in %.2fs", self.vendor, response.status_code, attempt, delay)
                self._sleep(delay)
                continue
            return self._wrap(response, content, elapsed)

    def _attempt(  # noqa: PLR0917 -- private, called once
        self,
        client: httpx.Client,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        body: bytes | None,
        deadline: Deadline,
    ) -> tuple[httpx.Response, bytes]:
        """One try: the answer and its body (streamed, within the limits)."""
        remaining = deadline.remaining()
        if remaining <= 0:
            raise DeadlineExceededError(self.vendor, deadline.timeout)
        request = client.build_request(method, url, headers=headers, content=body, timeout=remaining)
        response = client.send(request, stream=True)
        try:
            reader = BodyReader(
                self.vendor,
                self.limits,
                deadline,
                http_status=response.status_code,
                declared_length=declared_length(response.headers.get("Content-Length")),
            )
            for chunk in response.iter_bytes():
                reader.feed(chunk)
        finally:
            response.close()
        return response, reader.content()

    def _wrap(self, response: httpx.Response, content: bytes, elapsed: float) -> HttpResponse:
        return HttpResponse(
            status_code=response.status_code,
            headers=Headers(list(response.headers.multi_items())),
            content=self._masked(content, response.request),
            url=str(response.url),
            # Offline replay pins the receive time so fixtures are deterministic.
            received_at=response.extensions.get("smsstatus_received_at") or datetime.now(UTC),
            elapsed=elapsed,
        )

    def _masked(self, content: bytes, request: httpx.Request) -> bytes:
        """The answer with every secret its request carried (in any encoding)
        masked: vendors echo requests (an error body repeating the Authorization
        header), and nothing a plugin reads from an answer (a report's raw, an
        error) may carry one. A secret the request did not carry is left alone:
        it is not an echo, and may be what the plugin asked for."""
        secrets = self.scrubber.secrets
        if not secrets or not content:
            return content
        from .leaks import found_in

        sent = "\n".join(
            [str(request.url), *request.headers.values(), request.content.decode("utf-8", "replace")]
        )
        for secret in sorted(secrets, key=len, reverse=True):
            value = secret.encode("utf-8")
            if value in content and found_in(sent, secret) is not None:
                content = content.replace(value, REDACTED.encode())
        return content

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HttpClient(vendor={self.vendor!r}, base_url={self.base_url!r})"
