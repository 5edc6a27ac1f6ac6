"""Accept-path benchmark: two trees' web servers and workers in one run, under the same wrk
load, interleaved.

  gunicorn  the old server: gunicorn with the last gunicorn.conf.py of this repository (gthread,
            2 processes x 8 threads), serving --gunicorn-rev's code (Django's handler)
  base      `python -m faultline.serve` of the baseline revision (--baseline, a git revision)
  this      `python -m faultline.serve` of this tree

Each round starts the server and a real Celery worker of the same tree (--gunicorn-rev's,
--baseline's or this tree's), warms them up (200 events, processed), sends
pre-built gzipped envelopes (unique event ids) from wrk for --duration seconds, waits until the
worker has processed every accepted event, stops both. Prints, per round, accepted events/s,
accept latency p50/p95/p99, processed events/s (first accept to last processed), the web
processes' CPU per 1,000 accepted events and the load average, then the medians per server.
With --accept-only the Celery worker is suspended (SIGSTOP) while wrk runs and resumed after it:
the accept path alone has the cores, as in a burst that processing absorbs afterwards, and
"processed" then counts from the end of the load. With --py-spy DIR, py-spy records each
round's web process tree while wrk runs (samples of threads holding the GIL, the Python side's
CPU; raw collapsed stacks, one file per round and server).

    .venv/bin/python bench/accept.py                          # 3 rounds of each, 8 s of load
    .venv/bin/python bench/accept.py --servers base,this --accept-only
    .venv/bin/python bench/accept.py --rounds 1 --servers this
    .venv/bin/python bench/accept.py --servers this+WEB_THREADS=8,this,gunicorn

A server's name may carry environment settings of its web server and worker after `+` signs
(the last example compares 8 threads a process with this tree's default, 16, and gunicorn;
`this+INGEST_PROCESS_BATCH=20` runs this tree's worker with batches of 20).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

import common
import psutil
from common import BIN, ROOT, services, stop, wait_http

from faultline.localservices import VAR_DIR, free_port

bench_ingest = common.bench_ingest()

BASELINE_REV = "ca9c539"  # main before the background waker and the worker's cheaper encoding
GUNICORN_REV = "8da52fa"  # the code gunicorn served before granian and the lean entry
GUNICORN_CONF_REV = "92b594b~1"  # the last revision with gunicorn.conf.py
WRK_SCRIPT = Path(__file__).with_name("ingest_wrk.lua")
SERVERS = ("gunicorn", "base", "this")


def export_tree(rev: str, directory: Path) -> Path:
    """The files of `rev` under `directory` (once)."""
    marker = directory / ".exported"
    if not marker.exists():
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile() as archive:
            subprocess.run(["git", "-C", str(ROOT), "archive", rev], stdout=archive, check=True)
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                tar.extractall(directory, filter="data")
        marker.write_text(rev)
    return directory


def tree_of(name: str, args) -> Path:
    """The tree whose code a server and its worker run."""
    if name == "this":
        return ROOT
    rev = args.gunicorn_rev if name == "gunicorn" else args.baseline
    return export_tree(rev, VAR_DIR / "bench" / f"tree-{rev}")


def server_command(name: str, conf: Path) -> list[str]:
    if name == "gunicorn":
        return [str(BIN / "gunicorn"), "-c", str(conf), "faultline.wsgi:application"]
    return [sys.executable, "-m", "faultline.serve"]


def start_worker(env: dict, tree: Path, concurrency: int, nice: int = 0) -> subprocess.Popen:
    """A Celery worker of the ingest queues running `tree`'s code."""
    command = ["nice", "-n", str(nice), str(BIN / "celery"), "-A", "faultline", "worker",
               "-Q", "ingest,default", "-c", str(concurrency),
               "-n", f"bench-accept-{uuid.uuid4().hex[:6]}@%h",
               "--loglevel", "ERROR"]
    return subprocess.Popen(command, env=dict(env, PYTHONPATH=str(tree)), cwd=tree,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children."""
    try:
        proc = psutil.Process(pid)
        return sum(sum(p.cpu_times()[:2]) for p in [proc, *proc.children(recursive=True)])
    except psutil.Error:
        return 0.0


def events(project_id: int, key: str, n: int) -> list[bytes]:
    return [bench_ingest.request_bytes("envelope", project_id, key,
                                       bench_ingest.realistic_event(i)) for i in range(n)]


def wrk(port: int, requests: list[bytes], concurrency: int, duration: int) -> dict[str, float]:
    threads = 2
    with tempfile.NamedTemporaryFile(suffix=".requests") as file:
        for raw in requests:
            file.write(b"%d\n%s" % (len(raw), raw))
        file.flush()
        result = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration}s",
             "--timeout", "10s", "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}",
             "--", file.name, str(threads)],
            capture_output=True, text=True, check=True,
        )
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK "))
    figures = {name: int(value) for name, value in (p.split("=") for p in line.split()[1:])}
    if figures["wrapped"]:
        raise SystemExit(f"wrk sent some requests twice: raise --events\n{result.stdout}")
    return figures


def py_spy(pid: int, output: Path, duration: int) -> subprocess.Popen:
    """py-spy recording the process tree of `pid` for `duration` seconds (GIL holders only)."""
    return subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(pid), "--subprocesses",
                             "--gil", "--nonblocking", "--rate", "250", "--duration",
                             str(duration), "--format", "raw", "--output", str(output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def suspended(process: subprocess.Popen | None, stop_it: bool):
    """The worker's process tree, stopped (SIGSTOP) while the block runs when `stop_it`."""
    import contextlib

    @contextlib.contextmanager
    def block():
        tree = []
        if stop_it and process is not None:
            parent = psutil.Process(process.pid)
            tree = [parent, *parent.children(recursive=True)]
            for member in tree:
                member.suspend()
        try:
            yield
        finally:
            for member in tree:
                member.resume()
    return block()


def one_round(name: str, args, env: dict, project, key, conf: Path) -> dict:
    from monitor.models import Event

    port = free_port()
    server, *settings = name.split("+")  # e.g. this+WEB_WORKERS=1+WEB_THREADS=16
    cwd = tree_of(server, args)
    overrides = dict(setting.split("=", 1) for setting in settings)  # the web's and worker's
    web_env = dict(env, FAULTLINE_BIND=f"127.0.0.1:{port}", PYTHONPATH=str(cwd), **overrides)
    log = open(VAR_DIR / "bench" / f"accept-{server}.log", "ab")  # noqa: SIM115
    web = subprocess.Popen(server_command(server, conf), env=web_env, cwd=cwd, stdout=log,
                           stderr=log)
    worker = start_worker(dict(env, **overrides), cwd, args.worker_concurrency, args.worker_nice)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        before = Event.objects.filter(project=project).count()
        asyncio.run(bench_ingest.load("127.0.0.1", port, events(project.id, key, 200), 8))
        while Event.objects.filter(project=project).count() < before + 200:
            time.sleep(0.1)
        requests = events(project.id, key, args.events)
        before = Event.objects.filter(project=project).count()
        load_before = os.getloadavg()[0]
        cpu_before = tree_cpu(web.pid)
        worker_cpu_before = tree_cpu(worker.pid)
        t0 = time.perf_counter()
        spy = None
        if args.py_spy:
            args.py_spy.mkdir(parents=True, exist_ok=True)
            spy = py_spy(web.pid, args.py_spy / f"{name}-{time.strftime('%H%M%S')}.txt",
                         args.duration)
        with suspended(worker, args.accept_only):
            figures = wrk(port, requests, args.concurrency, args.duration)
            cpu_web = tree_cpu(web.pid) - cpu_before
            load_after = os.getloadavg()[0]
        if spy is not None:
            spy.wait(timeout=60)
        if args.accept_only:
            t0 = time.perf_counter()
        ok = figures["requests"] - figures["non2xx"] - figures["errors"]
        while Event.objects.filter(project=project).count() < before + ok:
            time.sleep(0.05)
            if time.perf_counter() - t0 > 600:
                raise SystemExit("processing did not finish within 10 minutes")
        processed_s = time.perf_counter() - t0
        cpu_worker = tree_cpu(worker.pid) - worker_cpu_before
    finally:
        stop(web, worker)
        log.close()
    seconds = figures["duration_us"] / 1e6
    return {
        "server": name,
        "accepted": ok,
        "refused": figures["requests"] - ok,
        "accepted_per_s": ok / seconds,
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "processed_per_s": ok / processed_s,
        "web_cpu_per_1000": cpu_web * 1000 / max(ok, 1),
        "worker_cpu_per_1000": cpu_worker * 1000 / max(ok, 1),
        "load": (load_before, load_after),
    }


def report(row: dict) -> str:
    return (f"{row['server']:9} accepted {row['accepted_per_s']:6.0f}/s "
            f"({row['accepted']} ok, {row['refused']} not)  "
            f"p50/p95/p99 {row['p50_ms']:.1f}/{row['p95_ms']:.1f}/{row['p99_ms']:.1f} ms  "
            f"processed {row['processed_per_s']:5.0f}/s  "
            f"web CPU {row['web_cpu_per_1000']:.2f} s/1000  "
            f"worker CPU {row['worker_cpu_per_1000']:.2f} s/1000  "
            f"load {row['load'][0]:.1f}->{row['load'][1]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per round")
    parser.add_argument("--events", type=int, default=24000, help="pre-built requests a round")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--baseline", default=BASELINE_REV, help="the revision `base` serves")
    parser.add_argument("--gunicorn-rev", default=GUNICORN_REV,
                        help="the revision gunicorn serves")
    parser.add_argument("--worker-nice", type=int, default=0,
                        help="run the worker under `nice -n N` (the accept path first)")
    parser.add_argument("--py-spy", type=Path, metavar="DIR",
                        help="record each round's web processes with py-spy into DIR")
    parser.add_argument("--accept-only", action="store_true",
                        help="suspend the Celery worker while wrk runs (the accept path alone)")
    args = parser.parse_args()
    servers = args.servers.split(",")

    conf = VAR_DIR / "bench" / "gunicorn.conf.py"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_bytes(subprocess.run(["git", "-C", str(ROOT), "show",
                                     f"{GUNICORN_CONF_REV}:gunicorn.conf.py"],
                                    capture_output=True, check=True).stdout)
    with services("faultline_accept") as env:
        from monitor.models import Organization, Project, ProjectKey

        org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        project = Project.objects.create(organization=org, name="Shop", slug="shop")
        key = ProjectKey.objects.create(project=project).public_key
        rows = []
        print(f"cpus={os.cpu_count()} concurrency={args.concurrency} "
              f"duration={args.duration}s baseline={args.baseline} "
              f"gunicorn serves {args.gunicorn_rev} worker nice {args.worker_nice} "
              f"web: faultline.serve's defaults (2 processes x 16 threads; gunicorn 2 x 8) "
              f"unless a server's name sets them, worker concurrency {args.worker_concurrency}"
              f"{', worker suspended under load' if args.accept_only else ''}")
        for round_no in range(1, args.rounds + 1):
            for name in servers:
                row = one_round(name, args, env, project, key, conf)
                rows.append(row)
                print(f"round {round_no}: {report(row)}", flush=True)
    print("medians:")
    for name in servers:
        mine = [row for row in rows if row["server"] == name]
        median = {field: statistics.median(row[field] for row in mine)
                  for field in ("accepted_per_s", "p50_ms", "p95_ms", "p99_ms",
                                "processed_per_s", "web_cpu_per_1000",
                                "worker_cpu_per_1000")}
        print(f"  {name:9} accepted {median['accepted_per_s']:.0f}/s  p50/p95/p99 "
              f"{median['p50_ms']:.1f}/{median['p95_ms']:.1f}/{median['p99_ms']:.1f} ms  "
              f"processed {median['processed_per_s']:.0f}/s  "
              f"web CPU {median['web_cpu_per_1000']:.2f} s/1000  "
              f"worker CPU {median['worker_cpu_per_1000']:.2f} s/1000")
    return 0


if __name__ == "__main__":
    sys.exit(main())
