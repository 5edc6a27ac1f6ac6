"""Where a processed event's CPU goes: bench/ingest.py's realistic events as raw rows, processed in
process by the drain's own loop (ingest.processing.process_pending, batches of 100), under
cProfile with a CPU clock. Prints the CPU per event and the inclusive share of the stages
(cProfile inflates many small Python calls: read the shares, not the milliseconds).

    .venv/bin/python bench/process_profile.py --events 2000
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
import uuid

from common import bench_ingest as common_bench_ingest
from common import services

# (label, file path suffix, function name): inclusive CPU of each, as a share of processing.
STAGES = [
    ("processing (process_pending)", "ingest/processing.py", "process_pending"),
    ("  prepare (parse, normalize, scrub, fingerprint)", "ingest/processing.py", "prepare"),
    ("    normalize", "ingest/normalize.py", "normalize_event"),
    ("      frames", "ingest/normalize.py", "normalize_frame"),
    ("    scrub", "ingest/scrub.py", "scrub_event"),
    ("    fingerprint", "grouping/fingerprint.py", "group"),
    ("  save (issues, events, counters)", "ingest/processing.py", "save"),
    ("    store the events (rows and payloads)", "monitor/eventstore.py", "insert_events"),
    ("      encode the payloads", "monitor/eventstore.py", "encode"),
    ("        jsonb key order", "monitor/eventstore.py", "jsonb_order"),
]




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--top", type=int, default=0,
                        help="also print the N functions with the most CPU of their own")
    parser.add_argument("--unprofiled", action="store_true",
                        help="measure the CPU per event without cProfile (no shares)")
    args = parser.parse_args()
    bench_ingest = common_bench_ingest()
    with services("faultline_process_profile"):
        from django.utils import timezone

        from ingest.models import RawEvent
        from ingest.processing import process_pending
        from monitor.models import Organization, Project

        org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        project = Project.objects.create(organization=org, name="Shop", slug="shop")
        rows = []
        for n in range(args.events):
            event = dict(bench_ingest.realistic_event(n), event_id=uuid.uuid4().hex)
            rows.append(RawEvent(project_id=project.id, event_id=uuid.UUID(event["event_id"]),
                                 kind="event", payload=json.dumps(event).encode(),
                                 received_at=timezone.now()))
        RawEvent.objects.bulk_create(rows)
        profile = cProfile.Profile(time.process_time)
        started = time.process_time()
        if not args.unprofiled:
            profile.enable()
        while process_pending(100):
            pass
        profile.disable()
        cpu = time.process_time() - started
    if args.unprofiled:
        print(f"{args.events} events processed; CPU {cpu / args.events * 1000:.3f} ms per event "
              "(not profiled)")
        return 0
    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    print(f"{args.events} events processed; CPU {cpu / args.events * 1000:.2f} ms per event "
          "(profiled)")
    for label, suffix, name in STAGES:
        inclusive = sum(ct for (file, _, func), (_, _, _, ct, _) in stats.items()
                        if file.endswith(suffix) and func == name)
        print(f"{label:50} {inclusive / args.events * 1000:7.3f} ms  {inclusive / cpu:6.1%}")
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
