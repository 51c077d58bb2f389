"""The remote-address allowlist: Africa's Talking signs nothing.

A delivery report carries no credential, no signature and no secret, so the
only protection is to accept reports only from the networks Africa's Talking
sends from. The credential ``allowed_networks`` lists them (addresses or CIDR
networks, separated by commas or blanks); when set, a report from any other
address, or from an unknown one, is refused. The address is the receiver's
``remote_addr``: the peer, or the first ``X-Forwarded-For`` entry when the
peer is a trusted proxy (``forwarded_allow_ips``), so the proxy must replace
that header rather than append to a client's.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from smsstatus.plugin import AuthenticationError, CredentialsError

__all__ = ["CREDENTIAL", "check", "networks"]

CREDENTIAL = "allowed_networks"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: A list longer than this is a configuration mistake, not a list of networks.
MAX_NETWORKS = 256


@lru_cache(maxsize=16)
def networks(vendor: str, value: str) -> tuple[Network, ...]:
    """The configured networks; :class:`~smsstatus.CredentialsError` for an
    entry that is not an address or network."""
    found: list[Network] = []
    entries = value.replace(",", " ").split()
    if len(entries) > MAX_NETWORKS:
        raise CredentialsError(vendor, CREDENTIAL, f"lists {len(entries)} networks; at most {MAX_NETWORKS}")
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise CredentialsError(
                vendor, CREDENTIAL, f"entry {len(found) + 1} is not an IP address or CIDR network"
            ) from None
    if not found:
        raise CredentialsError(vendor, CREDENTIAL, "is set but lists no network")
    return tuple(found)


def check(vendor: str, allowed: str, remote_addr: str | None) -> None:
    """Refuse a request whose address is not in ``allowed``."""
    permitted = networks(vendor, allowed)
    if not remote_addr:
        raise AuthenticationError(vendor, CREDENTIAL, "the request's remote address is unknown")
    try:
        address = ipaddress.ip_address(remote_addr.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        raise AuthenticationError(
            vendor, CREDENTIAL, "the request's remote address is not an IP address"
        ) from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not any(address in network for network in permitted):
        raise AuthenticationError(
            vendor, CREDENTIAL, f"the request came from {address}, outside {CREDENTIAL}"
        )
