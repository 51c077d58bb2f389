"""The HTTP client the host hands to ``fetch`` implementations.

One client per fetch call, owned by the host: base URL (a plugin's default,
overridable per call for regional nodes and loopback tests), timeouts, and
retries with exponential backoff and jitter on connection errors, 429 and 5xx,
honouring ``Retry-After`` and never retrying other 4xx answers. Tests swap the
network for an offline replay (:mod:`smsstatus.replay`) through ``transport``.

httpx is imported lazily: parsing pushes never pays for it.
"""

from __future__ import annotations

import contextvars
import json as jsonlib
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

import attrs

from . import logs
from .credentials import REDACTED, redact
from .errors import TransportError
from .request import Headers

if TYPE_CHECKING:
    import httpx

__all__ = ["HttpClient", "HttpResponse", "RetryPolicy"]

# Secrets of the fetch calls running in this context. httpx logs every request
# URL at INFO, and some vendors take a credential in the query (Contacta's
# ``auth``): a filter on httpx's loggers scrubs them before any handler runs.
# It is installed with the first client (when httpx itself is first imported).
_ACTIVE_SECRETS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "smsstatus_http_secrets", default=()
)
_HTTPX_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
_filter_installed = False


def _install_redacting_filter() -> None:
    import logging

    global _filter_installed  # noqa: PLW0603 -- a once-only flag
    if _filter_installed:
        return

    class RedactingFilter(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            secrets = _ACTIVE_SECRETS.get()
            if secrets:
                message = record.getMessage()
                if any(s in message for s in secrets):
                    record.msg, record.args = redact(message, secrets), None
            return True

    redacting = RedactingFilter()
    for name in _HTTPX_LOGGERS:
        logging.getLogger(name).addFilter(redacting)
    _filter_installed = True


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


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


class HttpClient:
    """A small, retrying HTTP client bound to one vendor and one base URL."""

    def __init__(
        self,
        vendor: str,
        base_url: str | None,
        *,
        timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        secrets: Sequence[str] = (),
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.vendor = vendor
        self.base_url = (base_url or "").rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._transport = transport
        # A secret in a URL is percent-encoded there: scrub those spellings too.
        self._secrets = tuple(
            dict.fromkeys(v for s in secrets for v in (s, quote(s, safe=""), quote_plus(s)))
        )
        self._sleep = sleep
        self._rng = rng
        self._client: httpx.Client | None = None

    def _httpx(self) -> httpx.Client:
        if self._client is None:
            import httpx

            _install_redacting_filter()

            self._client = httpx.Client(
                timeout=self.timeout,
                transport=self._transport,
                follow_redirects=False,
                headers={"User-Agent": "smsstatus/0.1"},
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
        """Send a request, retrying what is safe to retry; any final HTTP
        status is returned, not raised: the plugin knows what its vendor's
        error bodies mean. Connection failures that outlast the retries raise
        :class:`~smsstatus.TransportError`."""
        url = self.url(path)
        body = content
        send_headers = dict(headers or {})
        if json is not None:
            body = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            send_headers.setdefault("Content-Type", "application/json")
        client = self._httpx()
        token = _ACTIVE_SECRETS.set(self._secrets)
        try:
            return self._send(client, method, url, params=params, headers=send_headers, body=body)
        finally:
            _ACTIVE_SECRETS.reset(token)

    def _send(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None,
        headers: dict[str, str],
        body: bytes | None,
    ) -> HttpResponse:
        import httpx

        query = httpx.QueryParams(list(params.items()) if isinstance(params, Mapping) else list(params or ()))
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                response = client.request(method, url, params=query, headers=headers, content=body)
            except httpx.TransportError as exc:
                if attempt >= self.retry.attempts:
                    raise TransportError(
                        self.vendor,
                        redact(f"{type(exc).__name__} after {attempt} attempts: {exc}", self._secrets),
                    ) from None
                delay = self.retry.delay(attempt, self._rng)
                logs.get("smsstatus.http").info(
                    "%s: %s, retry %d in %.2fs", self.vendor, type(exc).__name__, attempt, delay
                )
                self._sleep(delay)
                continue
            elapsed = time.perf_counter() - started
            logs.get("smsstatus.http").debug(
                "%s: %s %s -> %d", self.vendor, method, httpx.URL(url).path, response.status_code
            )
            if response.status_code in RETRY_STATUSES and attempt < self.retry.attempts:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > self.retry.max_retry_after:
                    return self._wrap(response, elapsed)
                delay = wait if wait is not None else self.retry.delay(attempt, self._rng)
                logs.get("smsstatus.http").info(
                    "%s: HTTP %d, retry %d in %.2fs", self.vendor, response.status_code, attempt, delay
                )
                self._sleep(delay)
                continue
            return self._wrap(response, elapsed)

    def _wrap(self, response: httpx.Response, elapsed: float) -> HttpResponse:
        return HttpResponse(
            status_code=response.status_code,
            headers=Headers(list(response.headers.multi_items())),
            content=self._masked(response.content, response.request),
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
        if not self._secrets or not content:
            return content
        from .leaks import found_in

        sent = "\n".join(
            [str(request.url), *request.headers.values(), request.content.decode("utf-8", "replace")]
        )
        for secret in sorted(self._secrets, key=len, reverse=True):
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
