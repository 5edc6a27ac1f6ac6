"""Slow request bodies, through the compose proxy's nginx config and straight to granian. A web
node's WSGI threads (2 workers × 8 here) each read their request's
body themselves; clients that send a body a byte at a time hold every one of them, and /healthz
stalls. nginx reads the whole body before a web node sees it (deploy/compose/nginx/), so the same
clients hold nothing of the web node's, and the node keeps answering through it.

The config run here is the compose file's: nginx.conf with only what a loopback test must change
(the listen address, the upstream's address, the paths) and faultline.conf, the part that
handles requests, included as it is. Debian's nginx (1.22) lacks upstream `resolve` (1.27.3): the
rendered config uses the web node's address instead of Docker's DNS name."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from faultline.localservices import free_port
from tests.conftest import LOG_DIR, ROOT, WEB_COMMAND, Process, wait_for, wait_healthy

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NGINX_DIR = ROOT / "deploy" / "compose" / "nginx"
SLOW_CLIENTS = 48  # well past the 16 WSGI threads, so both workers' pools are held
WAIT = 5.0  # seconds a health check may take before it counts as stalled


@pytest.fixture
def granian(live_env) -> Iterator[tuple[str, int]]:
    """A web server of its own (the slow clients must not stall the session's)."""
    port = free_port()
    env = dict(live_env, FAULTLINE_BIND=f"127.0.0.1:{port}", WEB_WORKERS="2", WEB_THREADS="8",
               ALLOWED_HOSTS="127.0.0.1,localhost", SPOOL_REPLAY_INTERVAL="3600")
    process = Process(WEB_COMMAND, env, LOG_DIR / "web-slow-bodies.log").start()
    wait_healthy(f"http://127.0.0.1:{port}", process)
    yield "127.0.0.1", port
    process.stop()


def substitute(pattern: str, replacement: str, text: str) -> str:
    """`text` with the one match of `pattern` replaced (the compose config changed if none)."""
    rendered, count = re.subn(pattern, replacement, text)
    assert count == 1, f"{pattern!r} matched {count} times in nginx.conf"
    return rendered


def render_config(prefix: Path, listen: int, upstream: int) -> Path:
    """The compose nginx.conf for loopback ports and a temp prefix."""
    text = (NGINX_DIR / "nginx.conf").read_text()
    text = text.replace("/tmp/", f"{prefix}/")
    text = substitute(r"\n\s*resolver [^;]*;", "", text)
    text = substitute(r"server web:8000 resolve ", f"server 127.0.0.1:{upstream} ", text)
    text = substitute(r"listen 8000;", f"listen 127.0.0.1:{listen};", text)
    text = substitute(r"include /etc/nginx/faultline/faultline\.conf;",
                      f"include {NGINX_DIR / 'faultline.conf'};", text)
    path = prefix / "nginx.conf"
    path.write_text(text)
    return path


@pytest.fixture
def proxy(granian, tmp_path) -> Iterator[tuple[str, int]]:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    port = free_port()
    config = render_config(tmp_path, port, granian[1])
    check = subprocess.run([nginx, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(config)],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    process = Process([nginx, "-e", "stderr", "-p", str(tmp_path), "-c", str(config)], {},
                      LOG_DIR / "nginx-slow-bodies.log").start()
    wait_healthy(f"http://127.0.0.1:{port}", process)
    yield "127.0.0.1", port
    process.stop()


@contextmanager
def slow_senders(address: tuple[str, int], count: int = SLOW_CLIENTS) -> Iterator[None]:
    """`count` connections, each sending an envelope's headers and 1 of its 100 bytes, held open."""
    head = (b"POST /api/1/envelope/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-sentry-envelope\r\nContent-Length: 100\r\n\r\n{")
    with ExitStack() as stack:
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(address, timeout=10))
            sock.sendall(head)
        time.sleep(1)  # let the server take them up: the point is what it does once it has
        yield


def request(address: tuple[str, int], method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*address, timeout=WAIT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def healthy(address: tuple[str, int]) -> bool:
    try:
        return request(address, "GET", "/healthz")[0] == 200
    except OSError:  # the bounded wait ran out (socket.timeout) or the connection failed
        return False


def envelope(key) -> tuple[str, bytes]:
    event_id = uuid.uuid4().hex
    body = b"\n".join([
        json.dumps({"event_id": event_id, "dsn": None}).encode(),
        json.dumps({"type": "event"}).encode(),
        json.dumps({"event_id": event_id, "message": "through the proxy"}).encode(),
    ])
    return event_id, body


def test_slow_bodies_stall_granian_served_directly(granian):
    """Why the proxy is there: straight to the web node, slow senders hold every thread."""
    assert healthy(granian)
    with slow_senders(granian):
        wait_for(lambda: not healthy(granian), timeout=60, message="/healthz to stall")
    wait_for(lambda: healthy(granian), timeout=60, message="granian to recover")


def test_slow_bodies_hold_nothing_of_the_web_node_through_the_proxy(granian, proxy, key):
    with slow_senders(proxy):
        assert healthy(proxy)
        assert healthy(granian)  # the node itself: none of its threads is held
        event_id, body = envelope(key)
        status, reply = request(
            proxy, "POST", f"/api/{key.project_id}/envelope/?sentry_key={key.public_key}",
            body, {"Content-Type": "application/x-sentry-envelope"})
        assert status == 200, reply
        assert json.loads(reply) == {"id": event_id}


def test_the_proxy_refuses_a_body_over_its_limit_before_the_web_node_reads_it(proxy, key):
    with socket.create_connection(proxy, timeout=WAIT) as sock:
        sock.sendall(f"POST /api/{key.project_id}/envelope/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Content-Length: {33 * 1024 * 1024}\r\n\r\n".encode())
        status_line = sock.makefile("rb").readline()
    assert status_line.split()[1] == b"413", status_line
