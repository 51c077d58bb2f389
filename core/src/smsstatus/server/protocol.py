"""The HTTP implementation ``smsstatus serve`` runs under uvicorn.

With httptools installed (``uvicorn[standard]``, in the ``server`` extra) the
request line and headers are parsed in C, about half the cost per request of
uvicorn's pure-Python h11. uvicorn bounds the size of a request head only in
h11 (``h11_max_incomplete_event_size``); with httptools a sender could stream
headers without end. :class:`BoundedHttpToolsProtocol` is uvicorn's httptools
protocol with the same bound (``max_header_bytes``): a request whose line and
headers outgrow it gets 400 and is disconnected. It is a module-level class
(``serve --workers`` hands it to worker processes by name).

Without httptools, :func:`http_protocol` names h11 and its own bound applies.
"""

from __future__ import annotations

import asyncio

__all__ = ["http_protocol"]


def http_protocol() -> type[asyncio.Protocol] | str:
    """uvicorn's ``http`` setting: the bounded httptools protocol when
    httptools is installed, else ``"h11"``."""
    try:
        from ._httptools import BoundedHttpToolsProtocol
    except ImportError:
        return "h11"
    return BoundedHttpToolsProtocol
