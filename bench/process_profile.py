"""Where a processed event's CPU goes: bench/ingest.py's realistic events as raw rows, processed in
process by the drain's own loop (ingest.processing.process_pending, batches of 100), under
cProfile with a CPU clock. Prints the CPU per event and the inclusive share of the stages
(cProfile inflates many small Python calls: read the shares, not the milliseconds).

    .venv/bin/python bench/process_profile.py --events 2000
    .venv/bin/python bench/process_profile.py --events 2000 --unprofiled --runs 5 --stages
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import statistics
import sys
import time
import uuid

from common import bench_ingest as common_bench_ingest
from common import services

# (label, file path suffix, function name): inclusive CPU of each, as a share of processing.
STAGES = [
    ("processing (process_pending)", "ingest/processing.py", "process_pending"),
    ("  prepare (parse, normalize, scrub, fingerprint, encode)", "ingest/processing.py",
     "prepare"),
    ("    normalize", "ingest/normalize.py", "normalize_event"),
    ("      frames", "ingest/normalize.py", "normalize_frame"),
    ("    scrub", "ingest/scrub.py", "scrub_event"),
    ("    fingerprint", "grouping/fingerprint.py", "group"),
    ("    encode the payload", "monitor/eventstore.py", "encode"),
    ("      jsonb key order", "monitor/eventstore.py", "jsonb_order"),
    ("  save (issues, events, counters)", "ingest/processing.py", "save"),
    ("    store the events (rows and payloads)", "monitor/eventstore.py", "insert_events"),
]



def _as_a_worker() -> None:
    """What a started Celery worker does before its first task, in trees that do it (the
    garbage collector's full passes leave the startup heap out: faultline.celery)."""
    try:
        from faultline.celery import freeze_startup_heap
    except ImportError:
        return
    freeze_startup_heap()


def _unprofiled(args: argparse.Namespace, rows: list, project: object) -> int:
    """CPU per event of process_pending (claim, prepare, save, delete) without a profiler, fresh
    rows each run; with --stages, the pure stages alone as well."""
    from ingest.models import RawEvent
    from ingest.processing import process_pending

    runs = []
    for run in range(args.runs):
        fresh = [RawEvent(project_id=r.project_id, event_id=uuid.uuid4(), kind=r.kind,
                          payload=r.payload, received_at=r.received_at) for r in rows]
        RawEvent.objects.bulk_create(fresh)
        started = time.process_time()
        while process_pending(100):
            pass
        runs.append((time.process_time() - started) / args.events * 1000)
        print(f"run {run + 1}: {runs[-1]:.3f} ms per event", flush=True)
    print(f"{args.events} events processed {args.runs} times; CPU median "
          f"{statistics.median(runs):.3f} ms per event (not profiled)")
    if args.stages:
        _stages(args, rows, project)
    return 0


def _stages(args: argparse.Namespace, rows: list, project: object) -> None:
    """Each pure stage over all events, unprofiled: medians of --runs passes (the garbage
    collector's passes over the events kept here for it left out)."""
    from grouping.fingerprint import group
    from ingest.normalize import normalize_event
    from ingest.payload import loads
    from ingest.processing import prepare
    from ingest.scrub import scrub_event
    from monitor.eventstore import encode

    payloads = [loads(bytes(r.payload)) for r in rows]
    normalized = [normalize_event(p, r.received_at.timestamp(), r.event_id.hex)
                  for p, r in zip(payloads, rows, strict=True)]
    scrubbed = [scrub_event(n) for n in normalized]
    data = [p.event.data for p in (prepare(r, project) for r in rows)]
    gc.collect()
    gc.freeze()  # the inputs and outputs kept here are not the worker's: no full passes over them
    stages = {
        "prepare (all of it)": lambda: [prepare(r, project) for r in rows],
        "  parse": lambda: [loads(bytes(r.payload)) for r in rows],
        "  normalize": lambda: [normalize_event(p, r.received_at.timestamp(), r.event_id.hex)
                                for p, r in zip(payloads, rows, strict=True)],
        "  scrub": lambda: [scrub_event(n) for n in normalized],
        "  fingerprint": lambda: [group(s) for s in scrubbed],
        "  encode": lambda: [encode(d) for d in data],
    }
    for label, stage in stages.items():
        times = []
        for _ in range(args.runs):
            started = time.process_time()
            stage()
            times.append((time.process_time() - started) / args.events * 1000)
        print(f"{label:24} {statistics.median(times):.3f} ms per event")
    gc.unfreeze()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--top", type=int, default=0,
                        help="also print the N functions with the most CPU of their own")
    parser.add_argument("--unprofiled", action="store_true",
                        help="measure the CPU per event without cProfile (no shares)")
    parser.add_argument("--runs", type=int, default=1,
                        help="with --unprofiled: process the events this many times (fresh rows "
                        "each time) and print the median")
    parser.add_argument("--stages", action="store_true",
                        help="with --unprofiled: also time the pure stages alone, unprofiled "
                        "(medians of --runs passes over the events)")
    args = parser.parse_args()
    bench_ingest = common_bench_ingest()
    with services("faultline_process_profile"):
        from django.utils import timezone

        from ingest.models import RawEvent
        from ingest.processing import process_pending
        from monitor.models import Organization, Project

        _as_a_worker()
        org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        project = Project.objects.create(organization=org, name="Shop", slug="shop")
        rows = []
        for n in range(args.events):
            event = dict(bench_ingest.realistic_event(n), event_id=uuid.uuid4().hex)
            rows.append(RawEvent(project_id=project.id, event_id=uuid.UUID(event["event_id"]),
                                 kind="event", payload=json.dumps(event).encode(),
                                 received_at=timezone.now()))
        if args.unprofiled:
            return _unprofiled(args, rows, project)
        RawEvent.objects.bulk_create(rows)
        profile = cProfile.Profile(time.process_time)
        started = time.process_time()
        profile.enable()
        while process_pending(100):
            pass
        profile.disable()
        cpu = time.process_time() - started
    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    print(f"{args.events} events processed; CPU {cpu / args.events * 1000:.2f} ms per event "
          "(profiled)")
    for label, suffix, name in STAGES:
        inclusive = sum(ct for (file, _, func), (_, _, _, ct, _) in stats.items()
                        if file.endswith(suffix) and func == name)
        print(f"{label:58} {inclusive / args.events * 1000:7.3f} ms  {inclusive / cpu:6.1%}")
    if args.top:
        print(f"\nthe {args.top} functions with the most CPU of their own:")
        own = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:args.top]
        for (file, line, func), (_, calls, tottime, _, _) in own:
            where = f"{file.rsplit('/', 2)[-2:][-1]}:{line} {func}" if line else func
            print(f"{tottime / args.events * 1000:7.3f} ms {tottime / cpu:6.1%} "
                  f"{calls / args.events:8.1f} calls/event  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
