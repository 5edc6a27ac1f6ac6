"""Faults under load: while the ingest benchmark's clients post events to a real web server
(granian) and real Celery workers, restart PostgreSQL, stop and restart the broker, SIGKILL the
ingest worker and a web worker. Then wait for everything to settle and count, per event id, what
was answered 200 against what was stored: lost and doubled must both be 0.

    .venv/bin/python bench/faults.py --events 6000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
import uuid

import psutil
from common import (
    BIN,
    RUNNING,
    WEB_COMMAND,
    bench_ingest,
    celery_worker,
    services,
    spawn,
    stop,
    wait_http,
)

from faultline.localservices import free_port

# bench/ingest.py's event shapes (its module name is taken by the ingest app).
realistic_event, request_bytes = bench_ingest().realistic_event, bench_ingest().request_bytes


async def _client(host, port, shard, accepted, refused, pause):
    """Posts its requests in order; reconnects when the server goes away (as SDKs do)."""
    reader = writer = None
    for event_id, raw in shard:
        for _ in range(3):
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(raw)
                status_line = await asyncio.wait_for(reader.readline(), 30)
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                if not status_line:
                    raise ConnectionError("closed")
                status = int(status_line.split()[1])
                (accepted if status == 200 else refused).append((event_id, status))
                break
            except (OSError, ConnectionError, asyncio.IncompleteReadError, TimeoutError):
                writer = None  # the reply never came: not acknowledged; try again
                await asyncio.sleep(0.2)
        else:
            refused.append((event_id, 0))
        await asyncio.sleep(pause)  # a steady stream rather than a burst


def _load(port, requests, concurrency, rate, accepted, refused):
    shards = [requests[i::concurrency] for i in range(concurrency)]
    pause = concurrency / rate

    async def run():
        await asyncio.gather(
            *(_client("127.0.0.1", port, s, accepted, refused, pause) for s in shards)
        )

    asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=150, help="events/s offered")
    args = parser.parse_args()
    with services("faultline_faults") as env:
        return run(args, env)


def run(args, env) -> int:
    from django.db import connections

    from monitor.models import Event, Issue, Organization, Project, ProjectKey

    org = Organization.objects.create(name="Faults", slug=f"faults-{uuid.uuid4().hex[:6]}")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     grouping_mode="fingerprint")
    key = ProjectKey.objects.create(project=project)
    port = free_port()
    spool = str(BIN.parent.parent / "var" / "bench" / f"spool-{uuid.uuid4().hex[:6]}")
    env = dict(env, SPOOL_DIR=spool, SPOOL_REPLAY_INTERVAL="1", INGEST_SWEEP_AFTER_SECONDS="5",
               INGEST_SWEEP_INTERVAL="5", DB_CONN_MAX_AGE="60")
    web_env = dict(env, FAULTLINE_BIND=f"127.0.0.1:{port}", WEB_WORKERS="2")
    web = spawn(WEB_COMMAND, web_env)
    worker = celery_worker(env, "ingest,default", 2, "faults-ingest")
    beat = spawn([str(BIN / "celery"), "-A", "faultline", "beat", "--loglevel", "ERROR",
                  "-s", spool + "-beat"], env)
    wait_http(f"http://127.0.0.1:{port}/healthz")
    requests = []
    for i in range(args.events):
        event = realistic_event(i)
        requests.append((event["event_id"], request_bytes("envelope", project.id,
                                                          key.public_key, event)))
    accepted: list = []
    refused: list = []
    loader = threading.Thread(target=_load, args=(port, requests, args.concurrency, args.rate,
                                                  accepted, refused))
    postgres, valkey = RUNNING.get("postgres"), RUNNING.get("valkey")
    timeline = []
    started = time.monotonic()

    def mark(what):
        timeline.append((time.monotonic() - started, len(accepted), what))
        print(f"{timeline[-1][0]:6.1f} s  {len(accepted):6d} accepted  {what}", flush=True)

    loader.start()
    time.sleep(4)
    if postgres is not None:
        connections.close_all()
        mark("PostgreSQL stopped")
        postgres.stop()
        time.sleep(4)
        postgres.start()
        mark("PostgreSQL started")
    time.sleep(4)
    if valkey is not None:
        mark("broker stopped")
        valkey.stop()
        time.sleep(4)
        valkey.start()
        mark("broker started")
    time.sleep(3)
    mark("ingest worker SIGKILLed")
    for child in psutil.Process(worker.pid).children(recursive=True):
        child.kill()  # the pool processes too, mid-batch
    worker.kill()
    worker.wait()
    worker = celery_worker(env, "ingest,default", 2, "faults-ingest")
    mark("ingest worker restarted")
    time.sleep(3)
    web_children = psutil.Process(web.pid).children()
    if web_children:
        web_children[0].kill()
        mark("a web worker SIGKILLed (granian starts another)")
    loader.join()
    mark("load finished")
    ids = {event_id for event_id, _ in accepted}
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline:
        stored = Event.objects.filter(project=project).count()
        if stored >= len(ids):
            break
        time.sleep(1)
    mark("settled")
    rows = Event.objects.filter(project=project).values_list("event_id", flat=True)
    stored_ids = [row.hex for row in rows]
    doubled = len(stored_ids) - len(set(stored_ids))
    lost = len(ids - set(stored_ids))
    times_seen = sum(Issue.objects.filter(project=project).values_list("times_seen", flat=True))
    print(f"events sent {args.events}, answered 200: {len(accepted)}, refused or unanswered: "
          f"{len(refused)} (statuses {sorted({s for _, s in refused})})")
    print(f"stored {len(stored_ids)}; lost (answered 200, not stored): {lost}; doubled: "
          f"{doubled}; issue counters {times_seen} (must equal stored)")
    stop(web, worker, beat)
    return 0 if lost == 0 and doubled == 0 and times_seen == len(stored_ids) else 1


if __name__ == "__main__":
    sys.exit(main())
