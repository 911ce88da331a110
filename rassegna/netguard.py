"""Keep the crawler (and the digest's SMTP connection) out of the operator's own network (SSRF guard).

Every URL the crawler is about to fetch, redirect targets included, is checked:
only http(s), and every address its host resolves to must be public. Loopback,
private, link-local, multicast, reserved and unspecified ranges are refused, in
IPv4, IPv6 and IPv4-mapped IPv6 forms.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class BlockedAddress(Exception):
    """The URL points at an address the crawler must not reach."""


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 wrapped in IPv6 (mapped, 6to4, Teredo) is judged by the IPv4 inside.
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if inner is not None:
            return is_public(inner)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        # Unresolvable is not blocked: the download itself then fails as a DNS error,
        # which is the kind the run record should show.
        return []
    return sorted({info[4][0] for info in infos})


def check_url(url: str, allow_private: bool = False, resolve_names: bool = True) -> None:
    """Raise BlockedAddress unless ``url`` may be fetched.

    With resolve_names=False only IP literals are checked: the crawler's resolver
    (spiders/resolver.py) checks names at connection time instead.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddress(f"scheme {parts.scheme!r} is not fetched (http and https only)")
    host = parts.hostname
    if not host:
        raise BlockedAddress(f"{url!r} has no host")
    check_host(host, allow_private, resolve_names)


def check_host(host: str, allow_private: bool = False, resolve_names: bool = True) -> None:
    """Raise BlockedAddress unless every address of ``host`` is public (any protocol: HTTP, SMTP)."""
    if allow_private:
        return
    try:
        addresses = [host] if ipaddress.ip_address(host) else []
    except ValueError:
        addresses = resolve(host) if resolve_names else []
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        if not is_public(address):
            raise BlockedAddress(
                f"{host} resolves to non-public address {address} (a source or mirror on a private network"
                " needs allow_private_networks: true in the sources file)"
            )
