"""Shared fixtures: organisations and keys, and real web (granian) / Celery worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from faultline.localservices import free_port
from faultline.testing.workers import Worker, node_name, session_workers
from tests.helpers.browser import browser  # noqa: F401 - the browser tests' Chromium
from tests.helpers.cast import cast  # noqa: F401 - alice owns, bob is a member, charlie is not

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEB_COMMAND = [sys.executable, "-m", "faultline.serve"]  # the web server, as `make run` starts it
SDK_PAYLOADS = Path(
    os.environ.get("FAULTLINE_SDK_PAYLOADS", ROOT.parent / "shared" / "sdk-payloads")
)


def wait_for(
    predicate: Callable[[], object],
    timeout: float = 60.0,
    interval: float = 0.1,
    message: str = "condition",
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def wait_healthy(base: str, process) -> None:
    """Wait until the web server at `base` answers /healthz (failing at once if it died)."""

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            assert process.popen.poll() is None, process.output()
            return False

    wait_for(healthy, timeout=60, message="the web server to answer")


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on loopback, and Django's mail settings pointed at it."""
    from tests.helpers.alert_receivers import SMTPServer

    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    yield server
    server.stop()


@pytest.fixture
def org(db):
    from monitor.models import Organization

    return Organization.objects.create(name="Acme", slug="acme")


@pytest.fixture
def project(org):
    from monitor.models import Project

    return Project.objects.create(
        organization=org, name="Backend", slug="backend", platform="python"
    )


@pytest.fixture
def project_key(project):
    from monitor.models import ProjectKey

    return ProjectKey.objects.create(project=project)


@pytest.fixture(autouse=True)
def _fresh_ingest_state():
    """Key cache and publish breaker are per process; tests must not inherit them."""
    from ingest.accept import publish_breaker
    from ingest.auth import clear_key_cache

    clear_key_cache()
    publish_breaker.reset()
    yield
    clear_key_cache()
    publish_breaker.reset()
    from ingest import claims

    claims.close()


@pytest.fixture
def redis_client():
    from monitor.redis import client

    return client()


@pytest.fixture
def no_breaker(redis_client):
    """The ML embedder's breaker open neither before nor after the test (it lives in Redis)."""
    from grouping import ml

    redis_client.delete(ml.BREAKER_KEY)
    yield
    redis_client.delete(ml.BREAKER_KEY)


@pytest.fixture(scope="session")
def live_env(django_db_setup, django_db_blocker) -> dict[str, str]:
    """Environment for child processes: the test database, the test broker."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "PYTHONUNBUFFERED": "1", "DB_CONN_MAX_AGE": "0"})
    return env


class Process:
    """A child process in its own session, so it (and its children) can be killed together."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path):
        self.command, self.env, self.log_path = command, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        self.log.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


LOG_DIR = ROOT / "var" / "test" / "logs"


def start_worker(
    env: dict[str, str], name: str, concurrency: int = 2, queues: str = "ingest,default"
) -> Process:
    """A real Celery worker; `name` is also a private queue it consumes besides `queues`."""
    command = [
        str(BIN / "celery"),
        "-A",
        "faultline",
        "worker",
        "-Q",
        f"{queues},{name}",
        "-c",
        str(concurrency),
        "-n",
        f"{name}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]
    return Process(command, env, LOG_DIR / f"{name}.log").start()


def session_worker(env: dict[str, str], name: str, **options):
    """A worker for the whole session, paused while transactional tests' tables are flushed."""
    process = start_worker(env, name, **options)
    queues = (*options.get("queues", "ingest,default").split(","), name)
    registered = Worker(node_name(f"{name}-{os.getpid()}"), queues,
                        lambda: process.popen.poll() is None)
    session_workers.add(registered)
    yield process
    session_workers.remove(registered.node)
    process.stop()


@pytest.fixture(scope="session")
def worker(live_env):
    yield from session_worker(live_env, "worker")


@pytest.fixture(scope="session")
def embeddings_worker(live_env):
    """The ML grouping worker: queue `embeddings`, one process with the real model."""
    yield from session_worker(live_env, "embedder", concurrency=1, queues="embeddings")


def _transactional(request) -> bool:
    """Whether pytest-django flushes the tables after this test (as it decides)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                   or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"}
                & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _session_workers_idle_during_flush(request):
    """A transactional test's committed rows may be in a session worker's hands when it ends:
    the workers pause and finish their tasks before the flush, and resume for the next test."""
    session_workers.resume()
    if not _transactional(request):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so flushed after the pause
    yield
    session_workers.pause()


@pytest.fixture(scope="session")
def web(live_env) -> str:
    """The web server serving the app on a free port; yields its base URL."""
    port = free_port()
    env = dict(
        live_env, FAULTLINE_BIND=f"127.0.0.1:{port}", FAULTLINE_URL=f"http://127.0.0.1:{port}",
        # faultline.test: a plain-HTTP hostname the triage browser test maps to 127.0.0.1.
        ALLOWED_HOSTS="127.0.0.1,localhost,faultline.test",
        # The spool's replay thread idles here (tests/slow/test_spool_outage.py runs its own web
        # processes): its periodic key snapshot could deadlock with the per-test TRUNCATE.
        SPOOL_REPLAY_INTERVAL="3600",
    )
    process = Process(
        WEB_COMMAND, env, LOG_DIR / "web.log"
    ).start()
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process)
    yield base
    process.stop()
