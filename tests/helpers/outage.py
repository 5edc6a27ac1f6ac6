"""Outages with the real parts: the session's embedded PostgreSQL stopped and started, web nodes
of our own (each with its own spool directory), posters of benchmark-like events and the
official sentry-sdk, and the check that every acknowledged event is stored exactly once."""

import gzip
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import sentry_sdk
from django.db import connections

from faultline.localservices import free_port
from faultline.testing.plugin import services
from ingest import spool
from ingest.tasks import sweep_unprocessed
from monitor.models import Event, Issue, ProjectKey
from tests.conftest import LOG_DIR, WEB_COMMAND, Process, wait_for
from tests.helpers import buggy_app


@pytest.fixture
def postgres():
    if services.postgres is None:
        pytest.skip("DATABASE_URL points at a server this test cannot stop")
    yield services.postgres
    if not services.postgres.is_running():
        services.postgres.start()
    connections.close_all()


def restart_finished() -> None:
    """The test process's own connections died with the server."""
    connections.close_all()


class Web:
    """A web server of our own (a web node), with its own spool directory `spool_root/host`."""

    def __init__(self, env: dict[str, str], spool_root: Path, name: str, host: str = "web-host"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.spool = spool_root / host
        env = dict(
            env,
            FAULTLINE_BIND=f"127.0.0.1:{self.port}",
            SPOOL_DIR=str(spool_root),
            SPOOL_HOST=host,
            SPOOL_REPLAY_INTERVAL="1",
            WEB_WORKERS="2",
            DB_CONN_MAX_AGE="300",  # kept-alive connections, as in production
        )
        self.process = Process(WEB_COMMAND, env, LOG_DIR / f"{name}.log").start()
        wait_for(self._healthy, timeout=60, message=f"{name} to answer")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            assert self.process.popen.poll() is None, self.process.output()
            return False

    def health(self) -> dict:
        with urllib.request.urlopen(self.base + "/_health/", timeout=5) as response:
            return json.loads(response.read())


def bench_event(i: int) -> dict:
    return {
        "event_id": uuid.uuid4().hex,
        "platform": "python",
        "user": {"id": str(i % 7)},
        "exception": {
            "values": [
                {
                    "type": "TimeoutError",
                    "value": f"gateway timed out after {i} ms",
                    "stacktrace": {
                        "frames": [
                            {
                                "module": "shop.payments",
                                "function": "charge",
                                "lineno": 40 + k,
                                "in_app": True,
                                "context_line": "return gateway.charge(amount)",
                            }
                            for k in range(12)
                        ]
                    },
                }
            ]
        },
    }


def post(base: str, key: ProjectKey, event: dict) -> int | str:
    """200, or the reply's status with its detail (which 503 path answered, say): a string."""
    request = urllib.request.Request(
        f"{base}/api/{key.project_id}/store/",
        data=gzip.compress(json.dumps(event).encode()),
        headers={
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "X-Sentry-Auth": f"Sentry sentry_key={key.public_key}, sentry_version=7",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, content_type, body = (response.status, response.headers["Content-Type"],
                                          response.read())
    except urllib.error.HTTPError as exc:
        status, content_type, body = exc.code, exc.headers["Content-Type"], exc.read()
    if content_type != "application/json":
        return f"{status} {content_type}"
    if status == 200:
        return status
    try:
        return f"{status} {json.loads(body).get('detail')}"
    except (ValueError, AttributeError):  # not JSON, or JSON but not an object
        return f"{status} {body[:200]!r}"


class Poster(threading.Thread):
    """Posts events until stopped; remembers the ids answered 200 and when."""

    def __init__(self, base: str, key: ProjectKey, offset: int):
        super().__init__(daemon=True)
        self.base, self.key, self.offset = base, key, offset
        self.accepted: list[tuple[float, str]] = []
        self.other: list[int | str] = []
        self.running = True

    def run(self) -> None:
        i = self.offset
        while self.running:
            event = bench_event(i)
            i += 1
            try:
                status = post(self.base, self.key, event)
            except (OSError, ConnectionError) as exc:  # the server is gone (SIGKILL)
                self.other.append(type(exc).__name__)
                time.sleep(0.05)
                continue
            if status == 200:
                self.accepted.append((time.monotonic(), event["event_id"]))
            else:
                self.other.append(status)


def send_sdk_events(node: Web, key, count: int) -> set[str]:
    """`count` errors through the official sentry-sdk to one node; flushed, so all were sent."""
    client = sentry_sdk.Client(
        dsn=f"http://{key.public_key}@127.0.0.1:{node.port}/{key.project_id}",
        default_integrations=False, auto_enabling_integrations=False,
    )
    ids = set()
    for _ in range(count):
        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(client)
            try:
                buggy_app.checkout(buggy_app.Cart([]))
            except ZeroDivisionError as exc:
                ids.add(scope.capture_exception(exc))
    client.flush(timeout=30)
    client.close()
    return ids


def spooled_ids(root: Path) -> set[str]:
    return {
        r.event_id.hex
        for path in spool.segments(root / "web-host")
        for r in spool.read_segment(path)
    }


def wait_until_stored_once(project_id: int, ids: set[str], timeout: float = 120) -> None:
    def done() -> bool:
        stored = {e.hex for e in Event.objects.filter(project_id=project_id)
                  .values_list("event_id", flat=True)}
        if not ids <= stored:
            sweep_unprocessed(older_than_seconds=5)  # no beat here: wake idle workers
            return False
        return True

    wait_for(done, timeout=timeout, interval=1, message=f"{len(ids)} events stored")
    events = Event.objects.filter(project_id=project_id)
    assert events.count() == events.values("event_id").distinct().count()  # nothing twice
    assert not events.filter(issue__isnull=True).exists()
    assert sum(Issue.objects.filter(project_id=project_id).values_list("times_seen", flat=True)) \
        == events.count()
