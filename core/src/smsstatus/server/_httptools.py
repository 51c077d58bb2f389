"""uvicorn's httptools protocol with a bound on the request head (imported
only when httptools is installed; see :mod:`smsstatus.server.protocol`)."""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["BoundedHttpToolsProtocol"]

#: uvicorn's default for ``h11_max_incomplete_event_size``.
_DEFAULT_LIMIT = 16 * 1024


class _HeadTooLarge(ValueError):
    """Raised inside the parser's callback: httptools reports a parser error,
    which uvicorn answers with 400 and a close."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """Refuses request heads larger than ``h11_max_incomplete_event_size``
    (``[receiver] max_header_bytes``), like uvicorn's h11 protocol does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_limit: int = self.config.h11_max_incomplete_event_size or _DEFAULT_LIMIT
        self._in_head = True
        # Bytes received since the last head was complete.
        self._head_received = 0

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_received += len(data)
        super().data_received(data)
        # A head still incomplete after more bytes than the limit: the parser
        # would keep buffering it.
        if self._in_head and self._head_received > self._head_limit and not self.transport.is_closing():
            self.send_400_response("Request line and headers too large.")

    def on_headers_complete(self) -> None:
        # The head as parsed (a head that arrived in one chunk with its end
        # was never counted as incomplete above).
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self._head_limit:
            raise _HeadTooLarge("request line and headers too large")
        self._in_head = False
        self._head_received = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True
        super().on_message_complete()
