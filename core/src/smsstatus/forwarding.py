"""The public URL and the client address of a webhook request behind proxies.

Vendors that sign their pushes (an HMAC over the URL they called) need the
URL exactly as the vendor sent it: its scheme and host as seen from the
internet, not this process's bind address, and the path and query as sent,
percent-encoding included. One policy decides it, used by the built-in
receiver (:mod:`smsstatus.server.app`) and by the framework adapters
(:mod:`smsstatus.adapters`), so both agree:

1. a configured ``public_base_url`` (``https://hooks.example.com``) wins: the
   URL is that base plus the raw path and query;
2. else, when the direct client is a trusted proxy (``forwarded_allow_ips``),
   its ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` give the scheme and host
   (first value of each);
3. else the request's own scheme and ``Host`` header, and failing that the
   server's address.

The client address is the direct peer's, or a trusted proxy's first
``X-Forwarded-For`` value. Forwarding headers from anyone else are ignored:
they are as easy to forge as the body.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

__all__ = ["PublicAddress", "DEFAULT_TRUSTED_PROXIES"]

#: Proxies trusted by default: a reverse proxy on the same host.
DEFAULT_TRUSTED_PROXIES: tuple[str, ...] = ("127.0.0.1", "::1")

#: ``(host, port)`` this server listens on, as ASGI's ``server`` and WSGI's
#: ``SERVER_NAME``/``SERVER_PORT`` give it; the port may be unknown.
ServerAddress = tuple[str, int | None]


def _first(value: str | None) -> str | None:
    if not value:
        return None
    return value.split(",", 1)[0].strip() or None


#: How many peer addresses a matcher remembers before it starts over.
_REMEMBERED_PEERS = 1024


def _ip_matcher(allowed: Sequence[str]) -> Callable[[str | None], bool]:
    if "*" in allowed:
        return lambda _addr: True
    networks = []
    for item in allowed:
        with contextlib.suppress(ValueError):
            networks.append(ipaddress.ip_network(item, strict=False))

    # A receiver sees few distinct peers (its proxies, its vendors), and
    # parsing an address costs more than the rest of the check: remember the
    # answers, within a bound (an attacker may come from many addresses).
    seen: dict[str, bool] = {}

    def match(addr: str | None) -> bool:
        if not addr:
            return False
        known = seen.get(addr)
        if known is not None:
            return known
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            trusted = False
        else:
            trusted = any(ip in net for net in networks)
        if len(seen) >= _REMEMBERED_PEERS:
            seen.clear()
        seen[addr] = trusted
        return trusted

    return match


def _strip_slash(value: str | None) -> str | None:
    return value.rstrip("/") if value else None


def _tuple_of_str(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class PublicAddress:
    """How to tell the URL a vendor called and who called it.

    ``public_base_url`` is the URL the vendors call up to (not including) the
    request path, e.g. ``https://hooks.example.com`` (no trailing slash);
    ``forwarded_allow_ips`` lists the proxies (addresses or networks, ``"*"``
    for any) whose ``X-Forwarded-*`` headers are believed.
    """

    public_base_url: str | None = attrs.field(default=None, converter=_strip_slash)
    forwarded_allow_ips: tuple[str, ...] = attrs.field(
        default=DEFAULT_TRUSTED_PROXIES, converter=_tuple_of_str
    )
    _trusted: Callable[[str | None], bool] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_trusted", _ip_matcher(self.forwarded_allow_ips))

    def trusts(self, client: str | None) -> bool:
        """Whether ``client`` (the direct peer's address) is a trusted proxy."""
        return self._trusted(client)

    def url(
        self,
        *,
        scheme: str,
        target: str,
        headers: Mapping[str, str],
        client: str | None,
        server: ServerAddress | None = None,
    ) -> str:
        """The full public URL. ``target`` is the raw path and query as sent
        (``/hooks/d7?a=1``); ``headers`` is a case-insensitive mapping."""
        if self.public_base_url:
            return self.public_base_url + target
        return self.url_of(
            scheme,
            target,
            client,
            server,
            host=headers.get("host"),
            forwarded_proto=headers.get("x-forwarded-proto"),
            forwarded_host=headers.get("x-forwarded-host"),
        )

    def url_of(
        self,
        scheme: str,
        target: str,
        client: str | None,
        server: ServerAddress | None = None,
        *,
        host: str | None = None,
        forwarded_proto: str | None = None,
        forwarded_host: str | None = None,
    ) -> str:
        """:meth:`url` from the headers' first values themselves (``None``
        when absent), for a caller that read them while reading the request
        (the ASGI adapter finds them in its one pass over the raw headers,
        where a header mapping would be indexed for these lookups alone)."""
        if self.public_base_url:
            return self.public_base_url + target
        # Empty or absent forwarding headers change nothing, so the peer's
        # trust is only asked for when one is there.
        if (forwarded_proto or forwarded_host) and self.trusts(client):
            scheme = _first(forwarded_proto) or scheme
            host = _first(forwarded_host) or host
        if not host:
            name, port = server or ("localhost", None)
            host = name if port in (None, 80, 443) else f"{name}:{port}"
        return f"{scheme}://{host}{target}"

    def remote_addr(self, *, headers: Mapping[str, str], client: str | None) -> str | None:
        """The caller's address: a trusted proxy's ``X-Forwarded-For`` (first
        value), else the direct peer."""
        return self.remote_addr_of(client, headers.get("x-forwarded-for"))

    def remote_addr_of(self, client: str | None, forwarded_for: str | None) -> str | None:
        """:meth:`remote_addr` from the first ``X-Forwarded-For`` value itself
        (``None`` when absent)."""
        if forwarded_for and self.trusts(client):
            forwarded = _first(forwarded_for)
            if forwarded:
                return forwarded
        return client
