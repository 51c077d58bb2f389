"""The network transport of the host's HTTP client: httpx over httpcore, with
the exchange's deadline enforced on every socket operation.

httpx's timeouts bound each socket operation, not an exchange: an answer
trickled one byte at a time never trips a read timeout. httpcore lets the
network backend be replaced, so this transport wraps the standard one and caps
every connect, TLS handshake, read and write at the time left before the
deadline of the exchange running in this context
(:func:`smsstatus.http.deadline_scope`); once it has passed, the next socket
operation fails with a timeout. The same wrapping works for an async client
around ``httpcore.AnyIOBackend``: :func:`bounded` is the shared rule.

Only public httpx/httpcore interfaces are used. Proxies come from the usual
environment variables (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``,
``NO_PROXY``; http:// and https:// proxies), certificates from httpx's
defaults (``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured). Every transport in the
process shares one TLS context (:func:`ssl_context`): building one loads the
CA bundle, which cost ~30 ms per fetch when each client built its own.

Imported only when a client first talks to a real network.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import threading
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from .http import current_deadline

__all__ = ["NetworkTransport", "bounded", "ssl_context"]

_CA_ENVIRONMENT = ("SSL_CERT_FILE", "SSL_CERT_DIR")
_ssl_contexts: dict[tuple[str | None, ...], ssl.SSLContext] = {}
_ssl_lock = threading.Lock()


def ssl_context() -> ssl.SSLContext:
    """The TLS context the host's HTTP clients share, built on first use.

    Verification as httpx's default (certifi's CA bundle, or ``SSL_CERT_FILE``
    / ``SSL_CERT_DIR`` when set). One per value of those variables, so a
    process that changes them gets a context that follows. An
    ``ssl.SSLContext`` may be shared between threads and connections; nothing
    here changes it after it is built.
    """
    key = tuple(os.environ.get(name) for name in _CA_ENVIRONMENT)
    context = _ssl_contexts.get(key)
    if context is None:
        with _ssl_lock:
            context = _ssl_contexts.get(key)
            if context is None:
                context = _ssl_contexts[key] = httpx.create_ssl_context()
    return context


def bounded(timeout: float | None, error: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` capped at the time left before the current deadline;
    ``error`` when it has passed."""
    deadline = current_deadline()
    if deadline is None:
        return timeout
    remaining = deadline.remaining()
    if remaining <= 0:
        raise error(f"the {deadline.timeout:g} s deadline of the exchange has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, bounded(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, bounded(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@contextlib.contextmanager
def _httpx_errors(request: httpx.Request) -> Iterator[None]:
    """httpcore's exceptions as httpx's of the same name (httpx's own mapping)."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise _as_httpx(exc, httpx.TimeoutException, request) from exc
    except (
        httpcore.NetworkError,
        httpcore.ProtocolError,
        httpcore.ProxyError,
        httpcore.UnsupportedProtocol,
    ) as exc:
        raise _as_httpx(exc, httpx.TransportError, request) from exc


def _as_httpx(exc: Exception, fallback: type[httpx.TransportError], request: httpx.Request) -> Exception:
    cls = getattr(httpx, type(exc).__name__, fallback)
    if not (isinstance(cls, type) and issubclass(cls, fallback)):
        cls = fallback
    return cls(str(exc), request=request)


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes], request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors(self._request):
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


def _environment_proxy(url: httpx.URL) -> str | None:
    proxies = urllib.request.getproxies_environment()
    if not proxies or urllib.request.proxy_bypass(url.host):
        return None
    return proxies.get(url.scheme) or proxies.get("all")


class NetworkTransport(httpx.BaseTransport):
    """httpcore connection pools (one per proxy) on the deadline-bound backend."""

    def __init__(self) -> None:
        self._backend = _DeadlineBackend(httpcore.SyncBackend())
        self._pools: dict[str | None, httpcore.ConnectionPool] = {}

    def _pool(self, url: httpx.URL) -> httpcore.ConnectionPool:
        proxy_url = _environment_proxy(url)
        pool = self._pools.get(proxy_url)
        if pool is None:
            proxy = None
            if proxy_url is not None:
                parsed = httpx.URL(proxy_url)
                if parsed.scheme not in ("http", "https"):
                    raise httpx.UnsupportedProtocol(f"proxy scheme {parsed.scheme!r} is not supported")
                auth = (parsed.username, parsed.password) if parsed.username else None
                proxy = httpcore.Proxy(url=str(parsed.copy_with(username=None, password=None)), auth=auth)
            pool = self._pools[proxy_url] = httpcore.ConnectionPool(
                ssl_context=ssl_context(), proxy=proxy, network_backend=self._backend
            )
        return pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors(request):
            response = self._pool(request.url).handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream, request),
            extensions=response.extensions,
        )

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
