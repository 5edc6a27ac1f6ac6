"""Real receivers for alert tests: an aiosmtpd SMTP server and an HTTP server that checks
Sentry-style webhook signatures. Both run in this process, on free loopback ports."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from monitor.localservices import free_port


@dataclass
class Inbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        message = email.message_from_bytes(envelope.content)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "subject": message["Subject"], "message": message})  # fmt: skip
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
                                                                        ""))  # fmt: skip
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
