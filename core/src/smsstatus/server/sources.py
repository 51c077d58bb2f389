"""Source-address allowlists per vendor: the one protection of unsigned pushes.

Several vendors sign nothing (Africa's Talking, Kannel, Jasmin, Clickatell's
Platform and One callbacks, Infobip without Basic credentials): anyone who
knows the webhook URL can post a report. Where the vendor (or the operator's
own gateway) pushes from known addresses, ``allowed_sources`` under
``[vendors.<id>]`` lists them, and the receiver refuses every other client
with 403 before it reads the body.

The client address is the one :class:`smsstatus.forwarding.PublicAddress`
gives: the direct peer, or a trusted proxy's ``X-Forwarded-For``; a forged
forwarding header from anyone else is ignored, so it cannot widen the list.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["SourceAllowlist"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SourceAllowlist:
    """Addresses and networks (``"41.0.0.0/8"``, ``"2001:db8::/32"``,
    ``"198.51.100.7"``) a vendor's pushes may come from.

    Raises :class:`ValueError` for an entry that is neither, naming it, so a
    typo is refused when the configuration loads instead of locking a vendor
    out (or, worse, silently dropping an entry).
    """

    __slots__ = ("_networks", "entries")

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = tuple(entries)
        networks: list[Network] = []
        for entry in self.entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        if not networks:
            raise ValueError("lists no address (leave the key out to accept every source)")
        self._networks = tuple(networks)

    def allows(self, address: str | None) -> bool:
        """Whether a client at ``address`` may push; an unknown or unreadable
        address never may."""
        if not address:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        # An IPv4 client reached over an IPv6 socket shows as ::ffff:a.b.c.d.
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self._networks)

    def __repr__(self) -> str:
        return f"SourceAllowlist({list(self.entries)!r})"
