"""SSRF guard and per-attempt bounds for outgoing alerts.

Two layers share one rule (`_public`: global unicast, IPv4-mapped IPv6 unwrapped):

- `check_url`/`check_host` resolve a URL's host before sending, for a clear early error.
- `guarded()` is the one that cannot be bypassed: while a webhook or Apprise destination is
  delivered, every Python socket the delivery opens (in this thread, or in threads and asyncio
  tasks that copy its context, as Apprise's do) is checked at `connect`/`sendto` against the
  address actually dialled: each redirect hop, SMTP relays named in `mailto://…?smtp=`,
  websocket relays, a name that resolves differently at connect time (DNS rebinding). The same
  guard bounds the attempt: a wall-clock deadline (the sockets are shut down when it passes, so
  a receiver dripping one byte at a time cannot hold the worker) and a cap on the bytes read.

Libraries that open sockets outside Python (C extensions, D-Bus, the system syslog) are not
seen; the Apprise schemas members may configure are therefore an allow-list
(ALERTS_APPRISE_SCHEMAS), and only staff may configure the others.
"""

from __future__ import annotations

import _socket
import contextlib
import contextvars
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from django.conf import settings

NON_PUBLIC = "non-public address"  # what members are told; the address goes in `detail`


class BlockedURL(ValueError):
    """The URL points at an address that alerts may not reach. `summary` names no address,
    for members; the message (for owners and admins) may name the one resolved."""

    def __init__(self, message: str, summary: str | None = None):
        super().__init__(message)
        self.summary = summary or message


class GuardTripped(ConnectionError):
    """A guarded socket operation refused: blocked address, deadline passed, too many bytes.
    An OSError, so HTTP and SMTP libraries report it as a failed connection."""


# IPv6 prefixes that carry an IPv4 address in their last 32 bits (a NAT64 gateway or an old
# stack may deliver them to it), and ones never to be dialled (local-use NAT64, site-local).
_EMBEDDING = [ipaddress.ip_network(n) for n in ("64:ff9b::/96", "::/96", "::ffff:0:0:0/96")]
_NEVER = [ipaddress.ip_network(n) for n in ("64:ff9b:1::/48", "fec0::/10")]


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NEVER):
            return False
        if ip.ipv4_mapped or ip.sixtofour:
            ip = ip.ipv4_mapped or ip.sixtofour
        elif any(ip in network for network in _EMBEDDING):
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
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
            raise BlockedURL(f"{host} resolves to non-public address {info[4][0]}", NON_PUBLIC)


def check_url(url: str, allow_private: bool = False, schemes=("http", "https")) -> None:
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise BlockedURL(f"scheme must be one of {', '.join(schemes)}")
    try:
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(str(exc)) from exc
    check_host(parts.hostname or "", port, allow_private)


@dataclass
class Guard:
    """One delivery attempt's limits and what tripped them (`reason`, empty when nothing; it
    names no address, members see it; `detail` does, for owners and admins)."""

    allow_private: bool
    deadline_seconds: float
    max_bytes: int
    received: int = 0
    reason: str = ""
    detail: str = ""
    blocked: bool = False  # an address was refused: retrying cannot help
    over: bool = False  # the attempt has ended: threads it left behind get nothing more
    sockets: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def trip(self, reason: str, blocked: bool = False, detail: str = "") -> GuardTripped:
        with self.lock:
            if not self.reason:
                self.reason, self.blocked, self.detail = reason, blocked, detail
        return GuardTripped(reason)

    def refusal(self) -> str:
        """Why a socket operation is refused now ("" while the attempt may go on)."""
        return self.reason or ("attempt over" if self.over else "")

    def admit(self, sock, address):
        """The address to dial (a name resolved once, here), or raise if this attempt may not
        reach it; remembers the socket for the deadline."""
        if self.refusal():
            raise GuardTripped(self.refusal())
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            address = _numeric(sock, address)
            if not (self.allow_private or _public(address[0])):
                raise self.trip(f"blocked: {NON_PUBLIC}", True,
                                f"connection to non-public address {address[0]}")
        elif not self.allow_private:  # unix sockets and the like are local by nature
            raise self.trip("blocked: non-IP socket", True)
        with self.lock:
            self.sockets.append(sock)
        return address

    def count(self, received: int) -> None:
        with self.lock:
            self.received += received
            over = self.received > self.max_bytes
        if over:
            self.cut()
            raise self.trip(f"response too large (over {self.max_bytes} bytes)")

    def expire(self) -> None:
        self.trip(f"deadline exceeded ({self.deadline_seconds:g} s per attempt)")
        self.cut()

    def end(self) -> None:
        """The attempt is over: sockets still open in threads it started are shut down and no
        new one connects, so none outlives the deadline."""
        self.over = True
        self.cut()

    def cut(self) -> None:
        """Shut every socket of the attempt down: a read blocked in another thread returns."""
        with self.lock:
            sockets = list(self.sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                _socket.socket.shutdown(sock, socket.SHUT_RDWR)  # SSLSocket's drops TLS state


def _numeric(sock, address: tuple) -> tuple:
    """`address` with its host as an IP literal: socket.connect also accepts a name and would
    resolve it itself, after the check."""
    try:
        ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        return address
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(address[0], address[1], sock.family, sock.type)
    except (socket.gaierror, UnicodeError) as exc:
        raise GuardTripped(f"cannot resolve {address[0]}: {exc}") from exc
    return (infos[0][4][0], *address[1:])


_current: contextvars.ContextVar[Guard | None] = contextvars.ContextVar(
    "alerts_netguard", default=None
)
_installed = False
_install_lock = threading.Lock()


def _wrap_connect(original):
    def connect(self, address, *args):
        guard = _current.get()
        if guard is not None:
            address = guard.admit(self, address)
        return original(self, address, *args)

    return connect


def _wrap_sendto(original):
    def sendto(self, data, *args):
        guard = _current.get()
        if guard is not None and args:
            args = (*args[:-1], guard.admit(self, args[-1]))
        return original(self, data, *args)

    return sendto


def _wrap_read(original, counted):
    """`counted(result, args)`: how many bytes a call returned."""

    def read(self, *args, **kwargs):
        guard = _current.get()
        if guard is None:
            return original(self, *args, **kwargs)
        if guard.refusal():
            raise GuardTripped(guard.refusal())
        result = original(self, *args, **kwargs)
        guard.count(counted(result, args))
        return result

    return read


def _length(result, args) -> int:
    return len(result) if isinstance(result, (bytes, bytearray)) else int(result or 0)


class _TrustEnvUnlessGuarded:
    """`requests.Session.trust_env`, False under a guard whatever the session was given: a
    proxy from the environment (HTTP_PROXY, HTTPS_PROXY) would be the only address the guard
    sees, so Apprise's requests, which create their own sessions, connect directly."""

    def __get__(self, session, owner=None):
        if session is None:
            return self
        return session.__dict__.get("_trust_env", True) and _current.get() is None

    def __set__(self, session, value) -> None:
        session.__dict__["_trust_env"] = value


def install() -> None:
    """Wrap the socket methods once per process; outside `guarded()` they behave as before."""
    global _installed
    with _install_lock:
        if _installed:
            return
        plain = socket.socket
        plain.connect = _wrap_connect(plain.connect)
        plain.connect_ex = _wrap_connect(plain.connect_ex)
        plain.sendto = _wrap_sendto(plain.sendto)
        plain.recv = _wrap_read(plain.recv, _length)
        plain.recv_into = _wrap_read(plain.recv_into, _length)
        plain.recvfrom = _wrap_read(plain.recvfrom, lambda result, args: len(result[0]))
        plain.recvfrom_into = _wrap_read(plain.recvfrom_into, lambda result, args: result[0])
        # TLS reads go through SSLSocket.read (its recv and recv_into call it), not socket.recv.
        ssl.SSLSocket.read = _wrap_read(ssl.SSLSocket.read, _length)
        requests.Session.trust_env = _TrustEnvUnlessGuarded()
        _installed = True


@contextlib.contextmanager
def guarded(allow_private: bool = False, bounds: tuple[bool, float, int] | None = None
            ) -> Iterator[Guard]:
    """Check and bound every socket opened in this context until it exits: an alert attempt's
    bounds, or `bounds` (private addresses allowed, deadline seconds, bytes) for another use
    of the same guard (source fetching has its own settings)."""
    install()
    if bounds is None:
        bounds = (allow_private or settings.ALERTS_ALLOW_PRIVATE_URLS,
                  settings.ALERTS_ATTEMPT_DEADLINE, settings.ALERTS_RESPONSE_MAX_BYTES)
    guard = Guard(allow_private=bounds[0], deadline_seconds=bounds[1], max_bytes=bounds[2])
    timer = threading.Timer(guard.deadline_seconds, guard.expire)
    timer.daemon = True
    token = _current.set(guard)
    timer.start()
    try:
        yield guard
    finally:
        timer.cancel()
        guard.end()
        _current.reset(token)
