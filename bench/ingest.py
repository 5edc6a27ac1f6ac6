"""Ingest benchmark: concurrent keep-alive clients post realistic events to the real web server
(granian, faultline/serve.py), a real Celery worker processes them into known issues.

Prints accepted events/s, p50/p99 accept latency, processed events/s (while loaded, and for the
backlog once the load stops) and the peak RSS of the web and worker process trees.

    .venv/bin/python bench/ingest.py                      # embedded servers under var/bench
    .venv/bin/python bench/ingest.py --events 30000 --concurrency 64 --mode store
    .venv/bin/python bench/ingest.py --client wrk --duration 10 --events 30000   # needs wrk
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
from common import WEB_COMMAND, celery_worker, services, spawn, stop, wait_http

from faultline.localservices import free_port

BUGS = [
    ("shop.cart", "average_price", "ZeroDivisionError", "division by zero"),
    ("shop.users", "plan_of", "KeyError", "'user-{n}'"),
    ("shop.payments", "charge", "TimeoutError", "gateway timed out after {n} ms"),
    ("shop.search", "parse_query", "ValueError", "invalid literal for int() with base 10: 'x{n}'"),
    ("shop.orders", "load_order", "DoesNotExist", "Order matching query does not exist: {n}"),
]


def realistic_event(i: int) -> dict:
    """A Python SDK-shaped exception event (~6 KB): 18 frames, context, breadcrumbs, request."""
    module, function, exc_type, value = BUGS[i % len(BUGS)]
    frames = [
        {
            "filename": f"django/core/handlers/{name}.py",
            "abs_path": f"/usr/lib/python3.12/site-packages/django/core/handlers/{name}.py",
            "module": f"django.core.handlers.{name}",
            "function": "inner",
            "lineno": 55 + depth,
            "context_line": "    response = get_response(request)",
            "pre_context": ["    try:"],
            "post_context": ["    except Exception as exc:"],
            "in_app": False,
            "vars": {"request": "<WSGIRequest: GET '/cart/'>"},
        }
        for depth, name in enumerate(["exception", "base", "base", "exception", "base"] * 3)
    ]
    frames += [
        {
            "filename": f"{module.replace('.', '/')}.py",
            "abs_path": f"/srv/app/{module.replace('.', '/')}.py",
            "module": module,
            "function": f"{function}_view" if k == 0 else function,
            "lineno": 40 + k * 7,
            "context_line": f"    return {function}(request.user, items)",
            "in_app": True,
            "vars": {"items": "[]", "user": f"<User {i}>"},
        }
        for k in range(3)
    ]
    return {
        "event_id": uuid.uuid4().hex,
        "timestamp": time.time(),
        "platform": "python",
        "level": "error",
        "server_name": "web-3",
        "release": "shop@2.4.1",
        "environment": "production",
        "sdk": {"name": "sentry.python.django", "version": "2.20.0"},
        "user": {"id": str(i % 50), "ip_address": "10.1.2.3"},
        "request": {
            "url": "https://shop.example/cart/",
            "method": "GET",
            "headers": {"User-Agent": "Mozilla/5.0", "Cookie": "sessionid=abc"},
        },
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": f"SELECT * FROM cart WHERE id = {k}"}
                for k in range(10)
            ]
        },
        "contexts": {"runtime": {"name": "CPython", "version": "3.12.1"}},
        "exception": {
            "values": [
                {
                    "type": exc_type,
                    "value": value.format(n=i),
                    "module": "builtins",
                    "mechanism": {"type": "django", "handled": False},
                    "stacktrace": {"frames": frames},
                }
            ]
        },
    }


def request_bytes(mode: str, project_id: int, key: str, event: dict) -> bytes:
    auth = f"Sentry sentry_version=7, sentry_client=bench/1.0, sentry_key={key}"
    if mode == "store":
        body = json.dumps(event).encode()
        path, headers = f"/api/{project_id}/store/", "Content-Type: application/json\r\n"
    else:  # what the Python SDK sends: a gzipped envelope
        payload = json.dumps(event).encode()
        envelope = b"\n".join(
            [
                json.dumps({"event_id": event["event_id"]}).encode(),
                json.dumps({"type": "event", "length": len(payload)}).encode(),
                payload,
            ]
        )
        body = gzip.compress(envelope, 6)
        path = f"/api/{project_id}/envelope/"
        headers = "Content-Type: application/x-sentry-envelope\r\nContent-Encoding: gzip\r\n"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nX-Sentry-Auth: {auth}\r\n{headers}"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


async def client(host, port, requests, latencies, statuses):
    reader, writer = await asyncio.open_connection(host, port)
    for raw in requests:
        started = time.perf_counter()
        writer.write(raw)
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        statuses.append(int(status_line.split()[1]))
    writer.close()


async def load(host, port, requests, concurrency):
    latencies: list[float] = []
    statuses: list[int] = []
    shards = [requests[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    await asyncio.gather(*(client(host, port, s, latencies, statuses) for s in shards))
    return time.perf_counter() - started, latencies, statuses


class RssSampler(threading.Thread):
    """Peak summed RSS of a process and its children, sampled every 200 ms."""

    def __init__(self, pids: dict[str, int]):
        super().__init__(daemon=True)
        self.pids, self.peak = pids, dict.fromkeys(pids, 0)
        self.running = True

    def run(self):
        # Listing a tree reads every process of the machine (psutil's ppid map): done every 5 s,
        # not every sample, or the sampler costs the shared cores more CPU than the web server.
        trees: dict[str, list[psutil.Process]] = {}
        listed = -1e9
        while self.running:
            if time.monotonic() - listed > 5:
                trees = {name: tree(pid) for name, pid in self.pids.items()}
                listed = time.monotonic()
            for name, procs in trees.items():
                rss = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        rss += proc.memory_info().rss
                self.peak[name] = max(self.peak[name], rss)
            time.sleep(0.2)


def tree(pid: int) -> list[psutil.Process]:
    try:
        proc = psutil.Process(pid)
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return []


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time (user+system) of each named process tree, plus PostgreSQL and Valkey servers."""
    out = {}
    for name, pid in pids.items():
        try:
            proc = psutil.Process(pid)
            out[name] = sum(sum(p.cpu_times()[:2]) for p in [proc, *proc.children(recursive=True)])
        except psutil.Error:
            out[name] = 0.0
    for name, marker in (("postgres", "postgres"), ("valkey", "valkey")):
        total = 0.0
        for proc in psutil.process_iter(["name"]):
            try:
                if marker in (proc.info["name"] or ""):
                    total += sum(proc.cpu_times()[:2])
            except psutil.Error:
                pass
        out[name] = total
    return out


WRK_SCRIPT = Path(__file__).with_name("ingest_wrk.lua")


def wrk_load(port: int, requests: list[bytes], args) -> tuple[float, int, int, float, float]:
    """Run wrk with the pre-built requests: (seconds, 200s, sent, p50 s, p99 s)."""
    threads = 2
    with tempfile.NamedTemporaryFile(suffix=".requests") as file:
        for raw in requests:
            file.write(b"%d\n%s" % (len(raw), raw))
        file.flush()
        result = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(args.concurrency), "-d", f"{args.duration}s",
             "--timeout", "10s", "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}",
             "--", file.name, str(threads)],
            capture_output=True, text=True, check=True,
        )
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK "))
    figures = dict(part.split("=") for part in line.split()[1:])
    if int(figures["wrapped"]):
        raise SystemExit(f"wrk sent some requests twice: raise --events\n{result.stdout}")
    sent = int(figures["requests"])
    ok = sent - int(figures["non2xx"]) - int(figures["errors"])
    return (int(figures["duration_us"]) / 1e6, ok, sent, int(figures["p50_us"]) / 1e6,
            int(figures["p99_us"]) / 1e6)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--mode", choices=["envelope", "store"], default="envelope")
    parser.add_argument("--web-workers", default="2")
    parser.add_argument("--worker-concurrency", default="2")
    parser.add_argument("--client", choices=["asyncio", "wrk"], default="asyncio",
                        help="wrk: the C load generator for --duration seconds (it costs the "
                        "server's cores far less CPU than the asyncio client)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load (wrk)")
    args = parser.parse_args()

    with services("faultline_bench") as env:
        return run(args, env)


def run(args, env) -> int:
    from monitor.models import Event, Issue, Organization, Project, ProjectKey

    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
    project = Project.objects.create(organization=org, name="Shop", slug="shop")
    key = ProjectKey.objects.create(project=project)

    port = free_port()
    web_env = dict(env, FAULTLINE_BIND=f"127.0.0.1:{port}", WEB_WORKERS=args.web_workers)
    web = spawn(WEB_COMMAND, web_env)
    worker = celery_worker(env, "ingest,default", int(args.worker_concurrency), "bench-ingest")
    sampler = RssSampler({"web": web.pid, "worker": worker.pid})
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        # Warm-up: create the issues, so the measured events all hit known issues.
        warm = [
            request_bytes(args.mode, project.id, key.public_key, realistic_event(i))
            for i in range(200)
        ]
        asyncio.run(load("127.0.0.1", port, warm, 8))
        while Event.objects.filter(project=project).count() < 200:
            time.sleep(0.1)
        issues_before = Issue.objects.filter(project=project).count()

        requests = [
            request_bytes(args.mode, project.id, key.public_key, realistic_event(i))
            for i in range(args.events)
        ]
        body_sizes = [len(r) for r in requests]
        sampler.start()
        tracked = {"web": web.pid, "worker": worker.pid, "load generator": os.getpid()}
        cpu_before = cpu_seconds(tracked)
        t0 = time.perf_counter()
        if args.client == "wrk":
            elapsed, ok, sent, p50, p99 = wrk_load(port, requests, args)
        else:
            elapsed, latencies, statuses = asyncio.run(
                load("127.0.0.1", port, requests, args.concurrency)
            )
            ok, sent = statuses.count(200), len(statuses)
            p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        processed_at_end = Event.objects.filter(project=project).count() - 200
        t_load_end = time.perf_counter()
        while Event.objects.filter(project=project).count() < 200 + ok:
            time.sleep(0.05)
            if time.perf_counter() - t_load_end > 600:
                raise SystemExit("processing did not finish within 10 minutes")
        t_done = time.perf_counter()
        sampler.running = False
        cpu_after = cpu_seconds(tracked)
        backlog = ok - processed_at_end

        print(
            f"client={args.client} mode={args.mode} "
            f"concurrency={args.concurrency} "
            f"web_workers={args.web_workers}x{os.environ.get('WEB_THREADS', '8')} threads "
            f"worker_concurrency={args.worker_concurrency} "
            f"request_bytes_avg={statistics.mean(body_sizes):.0f} cpus={os.cpu_count()}"
        )
        print(f"accepted:          {ok}/{sent} (non-200: {sent - ok})")
        print(f"accepted events/s: {ok / elapsed:.0f}")
        print(f"accept latency:    p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
        print(
            f"processed events/s (from first accept to last processed): "
            f"{ok / (t_done - t0):.0f}"
        )
        print(
            f"processed during load: {processed_at_end} ({processed_at_end / elapsed:.0f}/s); "
            f"backlog drain after load: {backlog} in {t_done - t_load_end:.1f} s "
            f"({backlog / max(t_done - t_load_end, 1e-9):.0f}/s)"
        )
        print(
            f"issues: {Issue.objects.filter(project=project).count()} "
            f"(known before the run: {issues_before})"
        )
        cpu = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
        print(
            "CPU seconds per 1000 events: "
            + ", ".join(
                f"{name} {seconds * 1000 / max(ok, 1):.2f}" for name, seconds in cpu.items()
            )
        )
        print(
            f"peak RSS: web {sampler.peak['web'] / 2**20:.0f} MiB, "
            f"worker {sampler.peak['worker'] / 2**20:.0f} MiB (process trees)"
        )
    finally:
        sampler.running = False
        stop(web, worker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
