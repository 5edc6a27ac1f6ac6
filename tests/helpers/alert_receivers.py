"""Real receivers for alert tests: an aiosmtpd SMTP server and an HTTP server that checks
Sentry-style webhook signatures. Both run in this process, on free loopback ports."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from faultline.localservices import free_port


@dataclass
class Inbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        message = email.message_from_bytes(envelope.content)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "subject": message["Subject"], "message": message})
        return "250 Message accepted for delivery"


class SMTPServer:
    """aiosmtpd on a fixed port; stop() and start() again on the same port."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> SMTPServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class Hit:
    path: str
    headers: dict
    body: bytes
    signature_ok: bool | None

    def json(self) -> dict:
        return json.loads(self.body)


class HTTPReceiver:
    """Records every POST; verifies Sentry-Hook-Signature when given the secret. Answers with
    `status` (change it to make the receiver fail)."""

    def __init__(self, secret: str | None = None):
        self.secret = secret
        self.hits: list[Hit] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = None
                if receiver.secret is not None:
                    expected = hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                    ok = hmac.compare_digest(expected, self.headers.get("Sentry-Hook-Signature",
                                                                        ""))
                receiver.hits.append(Hit(self.path, dict(self.headers), body, ok))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> HTTPReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RawHTTPServer:
    """Answers every request with `reply(write)`, for answers no well-behaved receiver sends:
    a redirect, a drip of one byte at a time, a body far too large. `write(bytes)` returns
    False once the client has gone; `sent` counts the bytes the client took, `requests` the
    requests it made. `host` may be any loopback address (127.0.0.2 plays a public host)."""

    def __init__(self, reply, host: str = "127.0.0.1"):
        self.sent = 0
        self.requests = 0
        server_side = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                server_side.requests += 1
                reply(self.write)

            def write(self, data: bytes) -> bool:
                try:
                    self.request.sendall(data)
                except OSError:
                    return False
                server_side.sent += len(data)
                return True

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> RawHTTPServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def redirect_to(location: str):
    def reply(write):
        write(f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\n"
              "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())

    return reply


def drip(interval: float = 0.2, give_up_after: float = 20.0):
    """A status line and then a body sent one byte per `interval`, for `give_up_after` s."""

    def reply(write):
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n":
            if not write(bytes([byte])):
                return
            time.sleep(interval)
        end = time.monotonic() + give_up_after
        while time.monotonic() < end and write(b"x"):
            time.sleep(interval)

    return reply


def huge_error(size: int, status: str = "500 Internal Server Error"):
    """An error answer with a `size`-byte body, written as fast as the client takes it."""

    def reply(write):
        write(f"HTTP/1.1 {status}\r\nContent-Length: {size}\r\nContent-Type: text/plain\r\n"
              "Connection: close\r\n\r\n".encode())
        chunk = b"internal-secret " * 4096
        left = size
        while left > 0 and write(chunk[:left]):
            left -= len(chunk)

    return reply
