"""A loopback proxy between a real SDK and the test web server that records what each request
carried (endpoint, envelope item types, the SDK's name) and how the server answered, so a test
can tell an accepted request from one the server refused or the SDK never sent. It reads the
bodies itself (not with the server's parser): a request the server misreads still shows."""

from __future__ import annotations

import gzip
import http.client
import http.server
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import brotli


@dataclass(frozen=True)
class Request:
    path: str
    status: int
    client: str  # the SDK's sentry_client / User-Agent
    items: tuple[str, ...]  # envelope item types; ("event",) for a store request
    auth: dict[str, str] = field(default_factory=dict)  # X-Sentry-Auth's or the query's sentry_*
    encoding: str = ""  # Content-Encoding
    body: bytes = b""  # the body without its content coding (a store request's only)


@dataclass
class Recording:
    upstream: str
    requests: list[Request] = field(default_factory=list)
    pending: int = 0  # requests received and not yet answered
    lock: threading.Lock = field(default_factory=threading.Lock)

    def items(self, client_prefix: str = "") -> list[str]:
        """Every item type the SDKs whose client starts with the prefix sent, in order."""
        return [t for r in self.requests if r.client.startswith(client_prefix) for t in r.items]


def decoded(body: bytes, encoding: str | None) -> bytes:
    """The body without its content coding (the ones SDKs use: gzip, deflate, br)."""
    for coding in reversed([c.strip() for c in (encoding or "").split(",") if c.strip()]):
        if coding == "gzip":
            body = gzip.decompress(body)
        elif coding == "deflate":
            body = zlib.decompress(body)
        elif coding == "br":
            body = brotli.decompress(body)
    return body


def envelope_items(body: bytes) -> tuple[str, ...]:
    """The item types of an envelope: a header line, then per item a header line and a payload
    of its `length` bytes or up to the next newline."""
    _, _, rest = body.partition(b"\n")
    types = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        types.append(str(header.get("type")))
        if "length" in header:
            rest = rest[int(header["length"]):].removeprefix(b"\n")
        else:
            _, _, rest = rest.partition(b"\n")
    return tuple(types)


def sentry_auth(path: str, headers: http.client.HTTPMessage) -> dict[str, str]:
    """The sentry_* parameters of X-Sentry-Auth and the query string (the query's win)."""
    auth = headers.get("X-Sentry-Auth") or ""
    out = {}
    for part in [*auth.removeprefix("Sentry ").split(","), *path.partition("?")[2].split("&")]:
        name, _, value = part.strip().partition("=")
        if name.startswith("sentry_"):
            out[name] = unquote(value)
    return out


def sdk_client(path: str, headers: http.client.HTTPMessage) -> str:
    return sentry_auth(path, headers).get("sentry_client") or headers.get("User-Agent") or ""


def _read_body(handler: http.server.BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("content-length") is not None:
        return handler.rfile.read(int(handler.headers["content-length"]))
    body = b""  # chunked (@sentry/node streams its bodies)
    while size := int(handler.rfile.readline().strip() or b"0", 16):
        body += handler.rfile.read(size)
        handler.rfile.readline()
    handler.rfile.readline()
    return body


_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


def _handler(recording: Recording) -> type[http.server.BaseHTTPRequestHandler]:
    upstream = urlsplit(recording.upstream)

    class Forward(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            with recording.lock:
                recording.pending += 1
            try:
                body = _read_body(self)
                plain = decoded(body, self.headers.get("content-encoding"))
                items = envelope_items(plain) if "/envelope/" in self.path else ("event",)
                status = self.forward(body)
                store = "/envelope/" not in self.path
                recording.requests.append(Request(
                    self.path.split("?", 1)[0], status, sdk_client(self.path, self.headers),
                    items, sentry_auth(self.path, self.headers),
                    self.headers.get("content-encoding") or "", plain if store else b""))
            finally:
                with recording.lock:
                    recording.pending -= 1

        def do_OPTIONS(self) -> None:  # noqa: N802 (a browser's CORS preflight)
            self.forward(b"")

        def forward(self, body: bytes) -> int:
            """Send the request on to the web server and its answer back; the status."""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            connection.request(self.command, self.path, body=body, headers=headers)
            reply = connection.getresponse()
            answer = reply.read()
            connection.close()
            self.send_response(reply.status)
            for name, value in reply.getheaders():
                if name.lower() not in _HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return reply.status

        def log_message(self, *args) -> None:
            pass

    return Forward


@contextmanager
def recording_proxy(upstream: str) -> Iterator[tuple[str, Recording]]:
    """(the proxy's base URL, its Recording) while the block runs; `upstream` is the web
    server's base URL (http://host:port)."""
    recording = Recording(upstream)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(recording))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recording
    finally:
        server.shutdown()
        server.server_close()
