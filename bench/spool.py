"""Spool benchmark: the accept rate of a real web server (granian) with PostgreSQL up, then
stopped (events go to the local spool, fsynced before each reply), and the rate at which the web
processes replay the spool into PostgreSQL once it is back.

Prints, for both phases, accepted events/s and p50/p99 latency; then the replay: events, time
from the database's restart to the last spooled event committed, and replayed events/s.

    .venv/bin/python bench/spool.py                         # embedded servers under var/bench
    .venv/bin/python bench/spool.py --events 20000 --concurrency 64 --mode store
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from common import WEB_COMMAND, services, spawn, stop, wait_http

from faultline.localservices import VAR_DIR, EmbeddedPostgres, free_port

_path = Path(__file__).with_name("ingest.py")  # not importable by name: `ingest` is the app
_spec = importlib.util.spec_from_file_location("bench_ingest", _path)
bench_ingest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_ingest)  # its realistic events, request bytes and load generator


def measure(label: str, port: int, requests: list[bytes], concurrency: int) -> list[int]:
    elapsed, latencies, statuses = asyncio.run(
        bench_ingest.load("127.0.0.1", port, requests, concurrency)
    )
    ok = statuses.count(200)
    print(
        f"{label:<22} {ok}/{len(statuses)} answered 200, {ok / elapsed:.0f} events/s, "
        f"p50 {bench_ingest.percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {bench_ingest.percentile(latencies, 0.99) * 1000:.1f} ms"
    )
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--mode", choices=["envelope", "store"], default="envelope")
    parser.add_argument("--web-workers", default="2")
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        raise SystemExit("needs the embedded PostgreSQL (unset DATABASE_URL): it is stopped")
    with services("faultline_bench_spool") as env:
        return run(args, env)


def run(args, env) -> int:
    from ingest.models import RawEvent
    from monitor.models import Organization, Project, ProjectKey

    postgres = EmbeddedPostgres(VAR_DIR / "bench" / "postgres")  # the one services() started
    spool_root = VAR_DIR / "bench" / "spool"
    shutil.rmtree(spool_root, ignore_errors=True)
    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
    project = Project.objects.create(organization=org, name="Shop", slug="shop")
    key = ProjectKey.objects.create(project=project)

    port = free_port()
    web_env = dict(
        env,
        FAULTLINE_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS=args.web_workers,
        SPOOL_DIR=str(spool_root),
        SPOOL_HOST="bench",
        SPOOL_REPLAY_INTERVAL="1",
    )
    web = spawn(WEB_COMMAND, web_env)

    def requests(offset: int) -> list[bytes]:
        return [
            bench_ingest.request_bytes(
                args.mode, project.id, key.public_key, bench_ingest.realistic_event(offset + i)
            )
            for i in range(args.events)
        ]

    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        asyncio.run(
            bench_ingest.load("127.0.0.1", port, requests(0)[:400], 16)
        )  # warm-up: every web process knows the key; the key snapshot is written
        while not (spool_root / "bench" / "keys.json").exists():
            time.sleep(0.1)
        print(
            f"mode={args.mode} events={args.events} concurrency={args.concurrency} "
            f"web_workers={args.web_workers}x{os.environ.get('WEB_THREADS', '16')} threads "
            f"cpus={os.cpu_count()} spool={spool_root}"
        )
        measure("database up:", port, requests(10**6), args.concurrency)
        stored_before = RawEvent.objects.count()

        postgres.stop()
        statuses = measure("database down (spool):", port, requests(2 * 10**6), args.concurrency)
        spooled = statuses.count(200)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_health/") as response:
            print(f"spool after the load:  {response.read().decode()}")

        restarted = time.perf_counter()
        postgres.start()
        from django.db import connections

        connections.close_all()
        first = None
        while (stored := RawEvent.objects.count() - stored_before) < spooled:
            if stored and first is None:
                first = time.perf_counter()
            if time.perf_counter() - restarted > 600:
                raise SystemExit(f"replay did not finish within 10 minutes ({stored}/{spooled})")
            time.sleep(0.05)
        done = time.perf_counter()
        first = first or done
        print(
            f"replay: {spooled} events in PostgreSQL {done - restarted:.1f} s after its restart "
            f"(first after {first - restarted:.1f} s: the replayers poll every second); "
            f"{spooled / max(done - first, 1e-9):.0f} events/s"
        )
    finally:
        stop(web)
    return 0


if __name__ == "__main__":
    sys.exit(main())
