"""The rename path's backfill (`manage.py backfill_rename_records`, grouping.rename_backfill)
per 1,000 stored events: returns-desk's mined events (lab/corpus, 421 events of 31 bugs in four
releases) through the real pipeline in ML mode, `--repeat` times with new event ids, each
repetition's release tagged with one of `--builds` builds (more (fingerprint, release) pairs);
then the records blanked as an installation upgraded from before the path has them, each pass
timed, and a second run (which writes nothing) timed.

    .venv/bin/python bench/rename_backfill.py --repeat 24 --builds 6
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid

from common import ROOT, services


def ingest(repeat: int, builds: int):
    from grouping import ml
    from ingest.accept import store_raw_event
    from ingest.processing import process_pending
    from lab.corpus import read_rows
    from monitor.models import Organization, Project

    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}")
    project = Project.objects.create(organization=org, name="Returns", slug="returns",
                                     platform="python", grouping_mode=Project.GroupingMode.ML)
    rows = list(read_rows(ROOT / "lab" / "corpus" / "python-returns-desk.jsonl.zst"))
    start = time.perf_counter()
    for round_ in range(repeat):
        for row in rows:
            payload = dict(row["event"], release=f"{row['release']}+b{round_ % builds}")
            store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(payload).encode())
        while process_pending(200):
            pass
        while ml.drain(wait_ms=0):
            pass
    return project, time.perf_counter() - start


def blank(project) -> None:
    from embeddings.models import IssueEmbedding
    from grouping.models import FingerprintRelease
    from monitor.models import GroupHash

    GroupHash.objects.filter(project=project).update(site_function="")
    FingerprintRelease.objects.filter(group_hash__project=project).delete()
    IssueEmbedding.objects.filter(project=project).update(statement="", site_function="")


def timed(run, batch: int):
    start = time.perf_counter()
    *_, progress = run(None, batch)
    return progress, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=24)
    parser.add_argument("--builds", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    with services("faultline_bench_rename_backfill"):
        from io import StringIO

        from django.core.management import call_command

        from grouping import rename_backfill
        from monitor.models import Event

        project, ingested = ingest(args.repeat, args.builds)
        events = Event.objects.filter(project=project).count()
        print(f"ingested {events} events in {ingested:.1f} s (processing and ML decisions)")
        blank(project)
        total = 0.0
        for run in (rename_backfill.fingerprints, rename_backfill.vectors,
                    rename_backfill.releases):
            progress, seconds = timed(run, args.batch_size)
            total += seconds
            print(f"{progress.what:15} {progress.read:6} read {progress.written:6} written "
                  f"{seconds:6.2f} s  {seconds * 1e6 / events:7.1f} ms per 1,000 events")
        print(f"{'first run':15} {total:6.2f} s  {total * 1e6 / events:7.1f} ms per 1,000 events")
        start = time.perf_counter()
        out = StringIO()
        call_command("backfill_rename_records", batch_size=args.batch_size, stdout=out)
        again = time.perf_counter() - start
        print(f"{'second run':15} {again:6.2f} s  {again * 1e6 / events:7.1f} ms per 1,000 "
              f"events; {out.getvalue().splitlines()[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
