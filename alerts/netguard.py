"""SSRF guard: outgoing alert URLs may not reach private, loopback, link-local or otherwise
non-public addresses unless an admin allows it (per destination, or ALERTS_ALLOW_PRIVATE_URLS).

Every address the host name resolves to is checked, right before sending. A host that resolves
to a public address at check time and to a private one a moment later (DNS rebinding) is not
covered; docs/alerts.md says so.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class BlockedURL(ValueError):
    """The URL points at an address that alerts may not reach."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_host(host: str, port: int | None = None, allow_private: bool = False) -> None:
    """Raise BlockedURL unless every address of `host` is public (or private ones allowed)."""
    if allow_private or settings.ALERTS_ALLOW_PRIVATE_URLS:
        return
    if not host:
        raise BlockedURL("no host")
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise BlockedURL(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        if not _public(info[4][0]):
            raise BlockedURL(f"{host} resolves to non-public address {info[4][0]}")


def check_url(url: str, allow_private: bool = False, schemes=("http", "https")) -> None:
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise BlockedURL(f"scheme must be one of {', '.join(schemes)}")
    try:
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(str(exc)) from exc
    check_host(parts.hostname or "", port, allow_private)
