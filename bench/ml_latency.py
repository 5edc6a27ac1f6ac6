"""New-issue latency of ML grouping with a real Celery embeddings worker: new fingerprints arrive
one at a time; for each, the time from its pending GroupHash (committed by ingest processing) to
the worker's decision (embedding, kNN, merge or vector write). Also the worker's RSS, and whether
PyTorch is loaded there (on CPU it should not be: embeddings.onnx_runtime).

With `--ingest-rate R`, the rest of the pipeline runs beside it on the same machine: the web
server (`faultline.serve`, as `make run` starts it) and an ingest worker take R realistic events
a second (bench/ingest.py's, gzipped envelopes as the Python SDK sends them) into a project of
their own, paced over a few kept-alive connections, for as long as the measurement runs.

    .venv/bin/python bench/ml_latency.py --events 300
    .venv/bin/python bench/ml_latency.py --events 300 --ingest-rate 250
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import psutil
from common import (
    WEB_COMMAND,
    bench_ingest,
    celery_worker,
    services,
    spawn,
    stop,
    tree_rss,
    wait_http,
)

CONNECTIONS = 4  # kept-alive connections of the background load


class PacedLoad:
    """Sends `requests` (raw HTTP/1.1 bytes, cycled) at `rate` a second from a process of its
    own (in this one it would take the GIL from the ingest processing measured here) until
    `stop`; reports how many replies of each status came and at what rate."""

    def __init__(self, port: int, requests: list[bytes], rate: float):
        context = multiprocessing.get_context("fork")  # the child touches no database
        self.stopping = context.Event()
        self.results = context.Queue()
        self.process = context.Process(target=self._run, args=(port, requests, rate),
                                       daemon=True)
        self.statuses: dict[int, int] = {}
        self.rate = 0.0

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        if self.process.is_alive() and not self.stopping.is_set():
            self.stopping.set()
            self.statuses, self.rate = self.results.get(timeout=30)
        self.process.join(30)

    def _run(self, port: int, requests: list[bytes], rate: float) -> None:
        statuses: dict[int, int] = {}
        started = time.perf_counter()

        async def connection(n: int) -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            sent = n  # this connection sends requests n, n + CONNECTIONS, ...
            while not self.stopping.is_set():
                if (wait := started + sent / rate - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                writer.write(requests[sent % len(requests)])
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                statuses[status] = statuses.get(status, 0) + 1
                sent += CONNECTIONS
            writer.close()

        async def load() -> None:
            await asyncio.gather(*(connection(n) for n in range(CONNECTIONS)))

        asyncio.run(load())
        self.results.put((statuses, sum(statuses.values()) / (time.perf_counter() - started)))


def maps_torch(pid: int) -> bool:
    """Whether any process of the tree has libtorch mapped (it imported PyTorch)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
        return any("libtorch" in Path(f"/proc/{p.pid}/maps").read_text() for p in processes)
    except (OSError, psutil.Error):
        return False


def background_ingest(env: dict, rate: float, nice: int):
    """The web server and an ingest worker, and the paced load into a project of their own."""
    from faultline.localservices import free_port
    from monitor.models import Organization, Project, ProjectKey

    org = Organization.objects.create(name="load", slug="load")
    project = Project.objects.create(organization=org, name="load", slug="load",
                                     platform="python")
    key = ProjectKey.objects.create(project=project).public_key
    port = free_port()
    web = spawn(WEB_COMMAND, dict(env, FAULTLINE_BIND=f"127.0.0.1:{port}"))
    worker = celery_worker(env, "ingest,default", 2, "ingest")
    wait_http(f"http://127.0.0.1:{port}/healthz")
    for pid in (web.pid, worker.pid) if nice else ():
        for process in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
            process.nice(nice)
    module = bench_ingest()
    requests = [module.request_bytes("envelope", project.id, key, module.realistic_event(i))
                for i in range(5000)]
    load = PacedLoad(port, requests, rate)
    load.start()
    return load, (web, worker)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between arrivals")
    parser.add_argument("--ingest-rate", type=float, default=0,
                        help="events/s of background ingest through the web server meanwhile")
    parser.add_argument("--ingest-nice", type=int, default=0,
                        help="niceness of the background's web server and ingest worker")
    parser.add_argument("--ml-concurrency", type=int, default=1,
                        help="processes of the embeddings worker (its -c)")
    args = parser.parse_args()
    with services("faultline_ml_bench") as env:
        from ingest.accept import accept, store_raw_event
        from ingest.processing import process_pending
        from lab.generate.devset.generate import generate
        from monitor.models import Event, GroupHash, Organization, Project

        org = Organization.objects.create(name="ml", slug="ml")
        project = Project.objects.create(organization=org, name="ml", slug="ml")
        rows = generate()
        worker = celery_worker(env, "embeddings", args.ml_concurrency, "embeddings")
        load, background = None, ()
        try:
            if args.ingest_rate:
                load, background = background_ingest(env, args.ingest_rate, args.ingest_nice)
                load_before = os.getloadavg()[0]
            # warm-up: each of the worker's processes loads the model on its first batch; the
            # further processes' first batches go to a project of their own, a moment apart
            # (the busy process has claimed the one before)
            warm = Project.objects.create(organization=org, name="warm", slug="warm")
            for n in range(args.ml_concurrency):
                store_raw_event(warm.id if n else project.id, uuid.uuid4(), "event",
                                json.dumps(rows[n]["event"]).encode())
                process_pending(100)
                time.sleep(0.5)
            while GroupHash.objects.filter(ml_state="pending").exists():
                time.sleep(0.1)
            sent = 0
            accepted, committed = {}, {}  # event id → when it was durable, processed (wall clock)
            for row in rows[1:]:
                if sent >= args.events:
                    break
                event_id = uuid.uuid4()
                payload = json.dumps(row["event"]).encode()
                if args.ingest_rate:  # the ingest worker processes it, beside the load's events
                    accept(project.id, event_id, "event", payload)
                    accepted[event_id] = time.time()
                else:
                    store_raw_event(project.id, event_id, "event", payload)
                    accepted[event_id] = time.time()
                    process_pending(100)
                    committed[event_id] = time.time()
                sent += 1
                time.sleep(args.interval)
            deadline = time.time() + 120
            # accepted events are processed by the ingest worker: until it has stored them all,
            # their fingerprints may not be pending yet (a fast embeddings worker leaves none)
            while (Event.objects.filter(project=project).count() < sent + 1
                   and time.time() < deadline):
                time.sleep(0.1)
            while (GroupHash.objects.filter(project=project, ml_state="pending").exists()
                   and time.time() < deadline):
                time.sleep(0.1)
            if load:
                load.stop()
                print(f"background ingest: {load.rate:.0f} events/s (asked "
                      f"{args.ingest_rate:.0f}), replies {dict(sorted(load.statuses.items()))}; "
                      f"load average "
                      f"{load_before:.2f} → {os.getloadavg()[0]:.2f}")
            decided = GroupHash.objects.filter(project=project, ml_state="done").exclude(
                ml_decided_at=None
            )[1:]
            latency = np.array([(h.ml_decided_at - h.created_at).total_seconds() * 1000
                                for h in decided])
            events_of = {h.pk: list(Event.objects.filter(project=project, grouping_hash=h.hash)
                                    .values_list("event_id", flat=True)) for h in decided}

            def since(moments: dict) -> np.ndarray:
                """From the moment of the fingerprint's first event to arrive."""
                return np.array([
                    (h.ml_decided_at.timestamp()
                     - min(moments[e] for e in events_of[h.pk] if e in moments)) * 1000
                    for h in decided if any(e in moments for e in events_of[h.pk])])

            joined = GroupHash.objects.filter(project=project, decided_by="ml").count()
            print(
                f"{sent} events at one per {args.interval * 1000:.0f} ms; "
                f"{len(latency)} new fingerprints decided, {joined} joined an existing issue"
            )
            print(
                f"new fingerprint → ML decision: p50 {np.percentile(latency, 50):.0f} ms, "
                f"p95 {np.percentile(latency, 95):.0f} ms, p99 {np.percentile(latency, 99):.0f} ms"
            )
            for name, part in (("joined (merge included)", [h.decided_by == "ml" for h in decided]),
                               ("kept its issue", [h.decided_by != "ml" for h in decided])):
                chosen = latency[np.array(part, dtype=bool)] if len(latency) else latency
                if len(chosen):
                    print(f"  of which {name}: {len(chosen)}, p50 "
                          f"{np.percentile(chosen, 50):.0f} ms, p95 "
                          f"{np.percentile(chosen, 95):.0f} ms")
            for name, moments in (("accepted (durable)", accepted),
                                  ("processing committed (its fingerprint issue visible)",
                                   committed)):
                if moments:
                    waited = since(moments)
                    print(f"{name} → ML decision: p50 {np.percentile(waited, 50):.0f} ms, "
                          f"p95 {np.percentile(waited, 95):.0f} ms, "
                          f"p99 {np.percentile(waited, 99):.0f} ms")
            print(f"embeddings worker RSS (process tree): {tree_rss(worker.pid) / 2**20:.0f} MiB"
                  f"; PyTorch loaded there: {'yes' if maps_torch(worker.pid) else 'no'}")
        finally:
            if load:
                load.stop()
            stop(worker, *background)
    return 0


if __name__ == "__main__":
    sys.exit(main())
