"""Several nodes on one machine: web nodes (granian, own ports, own spool directories) and Celery
worker sets sharing one PostgreSQL, behind a real PgBouncer in transaction pooling mode
(docs/deploy.md), and one Valkey. Posts the ingest benchmark's realistic events to every node at
once and prints each node's accept rate, each worker set's share (drain tasks, CPU seconds), the
end-to-end rate until every event is stored, and duplicates/losses (both must be 0).

    .venv/bin/python bench/nodes.py                           # 2 nodes, 2 worker sets
    .venv/bin/python bench/nodes.py --nodes 3 --worker-sets 3 --events 3000 --direct
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
import uuid

from common import bench_ingest as load_bench_ingest
from common import celery_worker, services, spawn, stop, wait_http

from faultline.localservices import VAR_DIR, EmbeddedPgBouncer, EmbeddedPostgres, free_port

bench_ingest = load_bench_ingest()  # its realistic events, request bytes and load generator


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--worker-sets", type=int, default=2)
    parser.add_argument("--events", type=int, default=2000, help="per node")
    parser.add_argument("--concurrency", type=int, default=16, help="clients per node")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--web-workers", default="2")
    parser.add_argument("--mode", choices=["envelope", "store"], default="envelope")
    parser.add_argument("--direct", action="store_true", help="no PgBouncer")
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        raise SystemExit("needs the embedded PostgreSQL (unset DATABASE_URL): PgBouncer fronts it")
    with services("faultline_bench_nodes") as env:
        return run(args, env)


def run(args, env) -> int:
    from faultline.celery import app
    from monitor.models import Event, Issue, Organization, Project, ProjectKey

    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
    project = Project.objects.create(organization=org, name="Shop", slug="shop")
    key = ProjectKey.objects.create(project=project)
    root = VAR_DIR / "bench" / "nodes"
    shutil.rmtree(root, ignore_errors=True)

    bouncer = None
    slots = args.worker_sets * args.worker_concurrency
    node_env = dict(env, INGEST_DRAIN_SLOTS=str(slots))
    if not args.direct:
        postgres = EmbeddedPostgres(VAR_DIR / "bench" / "postgres")  # the one services() started
        bouncer = EmbeddedPgBouncer(root / "pgbouncer", postgres)
        bouncer.start()
        node_env.update(DATABASE_URL=bouncer.url("faultline_bench_nodes"),
                        DB_TRANSACTION_POOLING="true")
    sets = [f"set-{n}" for n in range(args.worker_sets)]
    workers = {name: celery_worker(node_env, "ingest,default", args.worker_concurrency, name)
               for name in sets}
    ports = [free_port() for _ in range(args.nodes)]
    nodes = [spawn([sys.executable, "-m", "faultline.serve"], dict(
        node_env, FAULTLINE_BIND=f"127.0.0.1:{port}", WEB_WORKERS=args.web_workers,
        SPOOL_DIR=str(root / f"spool-{n}"), SPOOL_HOST=f"node-{n}"))
        for n, port in enumerate(ports)]

    def requests(offset: int, count: int) -> list[bytes]:
        return [bench_ingest.request_bytes(args.mode, project.id, key.public_key,
                                           bench_ingest.realistic_event(offset + i))
                for i in range(count)]

    async def load_all(batches: list[list[bytes]], concurrency: int):
        return await asyncio.gather(*(bench_ingest.load("127.0.0.1", port, batch, concurrency)
                                      for port, batch in zip(ports, batches, strict=True)))

    try:
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        while len(app.control.inspect(timeout=2).ping() or {}) < len(sets):
            time.sleep(0.5)
        warm = [requests(10**7 * (n + 1), 50) for n in range(args.nodes)]
        asyncio.run(load_all(warm, 8))
        while Event.objects.filter(project=project).count() < 50 * args.nodes:
            time.sleep(0.2)
        pids = {name: worker.pid for name, worker in workers.items()}
        cpu_before = bench_ingest.cpu_seconds(pids)
        drains_before = drain_counts(app, sets)
        base = Event.objects.filter(project=project).count()
        print(f"nodes={args.nodes} worker_sets={args.worker_sets}x{args.worker_concurrency} "
              f"events={args.events}/node clients={args.concurrency}/node mode={args.mode} "
              f"pgbouncer={'no' if args.direct else 'transaction pooling'} cpus={os.cpu_count()}")

        batches = [requests(10**6 * (n + 1), args.events) for n in range(args.nodes)]
        started = time.perf_counter()
        results = asyncio.run(load_all(batches, args.concurrency))
        accepted = 0
        for n, (elapsed, latencies, statuses) in enumerate(results):
            ok = statuses.count(200)
            accepted += ok
            print(f"node-{n}: {ok}/{len(statuses)} answered 200, {ok / elapsed:.0f} events/s, "
                  f"p50 {bench_ingest.percentile(latencies, 0.5) * 1000:.0f} ms, "
                  f"p99 {bench_ingest.percentile(latencies, 0.99) * 1000:.0f} ms")
        while (stored := Event.objects.filter(project=project).count() - base) < accepted:
            if time.perf_counter() - started > 900:
                raise SystemExit(f"not all stored within 15 minutes ({stored}/{accepted})")
            time.sleep(0.2)
        done = time.perf_counter() - started
        events = Event.objects.filter(project=project)
        duplicates = events.count() - events.values("event_id").distinct().count()
        counted = sum(Issue.objects.filter(project=project).values_list("times_seen", flat=True))
        cpu_after = bench_ingest.cpu_seconds(pids)
        drains = drain_counts(app, sets)
        shares = ", ".join(
            f"{name}: {drains[name] - drains_before[name]} drain tasks, "
            f"{cpu_after[name] - cpu_before[name]:.1f} CPU s" for name in sets)
        print(f"stored: {stored} of {accepted} accepted, {done:.1f} s from the first post "
              f"({stored / done:.0f} events/s end to end); duplicates {duplicates}, "
              f"lost {accepted - stored}, issues count {counted - base} of them")
        print(f"worker sets: {shares}")
        spooled = sum(len(list((root / f"spool-{n}").rglob("*.seg"))) for n in range(args.nodes))
        print(f"spool segments left: {spooled}")
    finally:
        stop(*nodes, *workers.values())
        if bouncer is not None:
            bouncer.stop()
    return 0


def drain_counts(app, names: list[str]) -> dict[str, int]:
    replies = app.control.inspect(timeout=5).stats() or {}
    return {name: next((v["total"].get("ingest.drain", 0) for k, v in replies.items()
                        if k.startswith(f"{name}@")), 0) for name in names}


if __name__ == "__main__":
    sys.exit(main())
