"""Shared set-up of the benchmarks: embedded servers, a fresh database, Django, child processes."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEB_COMMAND = [sys.executable, "-m", "faultline.serve"]  # the web server, as `make run` starts it
sys.path.insert(0, str(ROOT))

from faultline.localservices import VAR_DIR, EmbeddedPostgres, EmbeddedValkey  # noqa: E402

RUNNING: dict[str, object] = {}  # the embedded servers started by `services`, by name


@functools.cache
def bench_ingest():
    """bench/ingest.py (its realistic events, request bytes and load generator), loaded by path:
    its module name is the ingest app's."""
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def services(database: str, fresh: bool = True):
    """Embedded PostgreSQL and Valkey (unless DATABASE_URL / REDIS_URL are set), a fresh
    `database` (or the one left there, `fresh=False`), Django set up and migrated. Yields the
    environment for child processes."""
    started = []
    env = dict(os.environ, PYTHONUNBUFFERED="1", DB_CONN_MAX_AGE="600")
    if not env.get("DATABASE_URL"):
        postgres = EmbeddedPostgres(VAR_DIR / "bench" / "postgres")
        postgres.start()
        started.append(postgres)
        RUNNING["postgres"] = postgres
        import psycopg

        with psycopg.connect(postgres.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [database]).fetchone()
            if fresh or not exists:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = postgres.url(database)
    if not env.get("REDIS_URL"):
        valkey = EmbeddedValkey(VAR_DIR / "bench" / f"valkey-{os.getpid()}")
        valkey.start()
        started.append(valkey)
        RUNNING["valkey"] = valkey
        env["REDIS_URL"] = valkey.url
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        yield env
    finally:
        from django.db import connections

        connections.close_all()
        for service in reversed(started):
            service.stop()


def spawn(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def celery_worker(env: dict, queues: str, concurrency: int, name: str) -> subprocess.Popen:
    command = [str(BIN / "celery"), "-A", "faultline", "worker", "-Q", queues,
               "-c", str(concurrency), "-n", f"{name}@%h", "--loglevel", "ERROR"]
    return spawn(command, env)


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def tree_rss(pid: int) -> int:
    try:
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
    except psutil.Error:
        return 0
