"""Build a :class:`~smsstatus.PushRequest` inside any web framework.

A webhook handler in Flask, Django, FastAPI or any WSGI or ASGI framework
hands the request to :meth:`smsstatus.Registry.parse_push` through one of::

    push = push_request_from_wsgi(environ, body, address=ADDRESS)   # Flask, Django (WSGI)
    push = push_request_from_asgi(scope, body, address=ADDRESS)     # FastAPI, Starlette, any ASGI

``body`` is the raw body as your framework read it (bytes, unparsed: a
signature covers the exact bytes); your framework's request size limit
applies. ``address`` (:class:`~smsstatus.forwarding.PublicAddress`) says how
to rebuild the public URL the vendor called, exactly as ``smsstatus serve``'s
receiver does: a configured public base URL, or trusted forwarding headers.
The default trusts only a proxy on the same host.

Both functions only read the request; they do no I/O and never block.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from .forwarding import PublicAddress
from .request import Headers, PushRequest, _checked_headers, _new_request

__all__ = [
    "push_request_from_wsgi",
    "push_request_from_asgi",
    "asgi_remote_addr",
    "asgi_target",
    "PublicAddress",
]

_DEFAULT_ADDRESS = PublicAddress()
# CGI names of the two headers WSGI gives without the HTTP_ prefix.
_UNPREFIXED = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def _wsgi_headers(environ: Mapping[str, Any]) -> Headers:
    pairs: list[tuple[str, str]] = []
    for key, value in environ.items():
        if not isinstance(value, str):
            continue
        if key.startswith("HTTP_"):
            pairs.append((key[5:].replace("_", "-").title(), value))
        elif key in _UNPREFIXED and value:
            pairs.append((_UNPREFIXED[key], value))
    return Headers(pairs)


def _wsgi_target(environ: Mapping[str, Any]) -> str:
    """The raw request target. WSGI decodes ``PATH_INFO``, so a vendor's
    percent-encoding is lost there; servers that keep the raw target say so
    in ``RAW_URI`` (gunicorn, werkzeug) or ``REQUEST_URI`` (uWSGI, werkzeug),
    and only without them is the path re-encoded as PEP 3333 describes."""
    for key in ("RAW_URI", "REQUEST_URI"):
        raw = environ.get(key)
        if isinstance(raw, str) and raw.startswith("/"):
            return raw
    # PEP 3333: PATH_INFO holds the path's bytes as latin-1 characters.
    path = quote(
        str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", "")),
        safe="/;=,@:!$&'()*+~",
        encoding="latin-1",
    )
    query = str(environ.get("QUERY_STRING", ""))
    return f"{path or '/'}?{query}" if query else (path or "/")


def push_request_from_wsgi(
    environ: Mapping[str, Any],
    body: bytes,
    *,
    address: PublicAddress | None = None,
    received_at: datetime | None = None,
) -> PushRequest:
    """The push a WSGI request carries (``request.environ`` in Flask,
    ``request.META`` in Django), with ``body`` as read by the framework."""
    address = address or _DEFAULT_ADDRESS
    headers = _wsgi_headers(environ)
    client = environ.get("REMOTE_ADDR") or None
    port = str(environ.get("SERVER_PORT") or "")
    server = (str(environ.get("SERVER_NAME") or "localhost"), int(port) if port.isdigit() else None)
    url = address.url(
        scheme=str(environ.get("wsgi.url_scheme") or "http"),
        target=_wsgi_target(environ),
        headers=headers,
        client=client,
        server=server,
    )
    return PushRequest.build(
        method=str(environ.get("REQUEST_METHOD") or "GET"),
        url=url,
        headers=headers,
        body=bytes(body),
        received_at=received_at,
        remote_addr=address.remote_addr(headers=headers, client=client),
    )


def asgi_target(scope: Mapping[str, Any]) -> str:
    """The raw path and query of an ASGI HTTP scope, as the client sent them."""
    path: bytes = scope.get("raw_path") or str(scope["path"]).encode("utf-8")
    query: bytes = scope.get("query_string") or b""
    return path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")


#: The headers the public URL and the caller's address come from, by their
#: lower-case names: each one's place in :func:`_asgi_headers`' answer.
_ADDRESSING = {b"host": 0, b"x-forwarded-proto": 1, b"x-forwarded-host": 2, b"x-forwarded-for": 3}
#: Header names seen, as sent: (the name as text, its place in _ADDRESSING or
#: None). A receiver sees the same few names on every request, and one lookup
#: here costs less than decoding the name; bounded, since the names are the
#: sender's choice.
_NAMES: dict[bytes, tuple[str, int | None]] = {}
_REMEMBERED_NAMES = 256


def _header_name(raw: bytes) -> tuple[str, int | None]:
    if len(_NAMES) >= _REMEMBERED_NAMES:
        _NAMES.clear()
    # latin-1 maps every byte to one character: the name as sent, undecoded.
    # ASGI asks servers for lower-case names without requiring them.
    known = _NAMES[raw] = (raw.decode("latin-1"), _ADDRESSING.get(raw.lower()))
    return known


def _asgi_headers(raw: Iterable[tuple[bytes, bytes]]) -> tuple[list[tuple[str, str]], list[str | None]]:
    """The header pairs of an ASGI scope as text, and the first value of each
    header in :data:`_ADDRESSING` (``None`` when absent), in one pass.

    Looking those four up in :class:`Headers` afterwards cost more than the
    rest of the request object: the second lookup builds its case-insensitive
    index, which the plugin's own first lookup (Content-Type) then no longer
    needs."""
    pairs: list[tuple[str, str]] = []
    found: list[str | None] = [None, None, None, None]
    for name, value in raw:
        known = _NAMES.get(name)
        if known is None:
            known = _header_name(name)
        text, slot = value.decode("latin-1"), known[1]
        pairs.append((known[0], text))
        if slot is not None and found[slot] is None:
            found[slot] = text
    return pairs, found


def asgi_remote_addr(scope: Mapping[str, Any], *, address: PublicAddress | None = None) -> str | None:
    """The caller's address for an ASGI request, exactly the ``remote_addr``
    :func:`push_request_from_asgi` gives, without building the request (a
    source allowlist decides before the body is read)."""
    address = address or _DEFAULT_ADDRESS
    peer = scope.get("client")
    client = peer[0] if peer else None
    if not address.trusts(client):
        return client  # an untrusted peer's forwarding headers are never read
    _, found = _asgi_headers(scope.get("headers", ()))
    return address.remote_addr_of(client, found[3])


def push_request_from_asgi(
    scope: Mapping[str, Any],
    body: bytes,
    *,
    address: PublicAddress | None = None,
    received_at: datetime | None = None,
) -> PushRequest:
    """The push an ASGI HTTP request carries (``request.scope`` in Starlette
    and FastAPI), with ``body`` as read (``await request.body()``)."""
    address = address or _DEFAULT_ADDRESS
    pairs, (host, forwarded_proto, forwarded_host, forwarded_for) = _asgi_headers(scope.get("headers", ()))
    peer = scope.get("client")
    client = peer[0] if peer else None
    server = scope.get("server")
    url = address.url_of(
        str(scope.get("scheme", "http")),
        asgi_target(scope),
        client,
        (server[0], server[1]) if server else None,
        host=host,
        forwarded_proto=forwarded_proto,
        forwarded_host=forwarded_host,
    )
    # Every field is ready and the pairs are str tuples built above: the
    # positional constructor skips the keyword call and the pair check (about
    # half the instructions of building the request, on every push).
    return _new_request(
        str(scope.get("method", "POST")),
        url,
        _checked_headers(tuple(pairs)),
        bytes(body),
        received_at or datetime.now(UTC),
        address.remote_addr_of(client, forwarded_for),
    )
