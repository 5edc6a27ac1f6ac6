"""Privacy costs: the retention purge taking expired events out of their issues' tag counts
(privacy.tagcounts) against recounting those issues from their events (grouping.merge.recount),
and what the erasure check (privacy.register) adds to processing: no erasure, erasures older
than the events (the steady state), and an erasure newer than the events (payloads parsed).

    .venv/bin/python bench/retention.py --events 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import uuid

from common import ROOT, services


def realistic_event():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.realistic_event


def make_project():
    from monitor.models import Organization, Project

    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}",
                                      retention_days=30)  # fmt: skip
    return Project.objects.create(organization=org, name="Shop", slug="shop", platform="python",
                                  grouping_mode=Project.GroupingMode.FINGERPRINT)  # fmt: skip


def ingest(project, count: int, make, received: dt.datetime | None = None) -> float:
    """Store `count` raw events (users and 20 fingerprints spread over them), then time the
    processing; returns seconds."""
    from ingest.accept import store_raw_event
    from ingest.models import RawEvent
    from ingest.processing import process_pending

    for i in range(count):
        event = make(i)
        event["user"] = {"email": f"user{i % 500}@example.com", "ip_address": f"10.0.{i % 250}.1"}
        event["fingerprint"] = [f"bug-{i % 20}"]
        store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(event).encode())
    if received is not None:
        RawEvent.objects.filter(project=project).update(received_at=received)
    start = time.perf_counter()
    while process_pending(200):
        pass
    return time.perf_counter() - start


def retention(count: int, make) -> None:
    from django.utils import timezone

    from grouping.merge import recount
    from monitor.models import Event, Issue, IssueTag
    from privacy import deletion

    project = make_project()
    ingest(project, count, make)
    ids = list(Event.objects.filter(project=project).order_by("id").values_list("id", flat=True))
    old = timezone.now() - dt.timedelta(days=31)
    Event.objects.filter(id__in=ids[: count // 2]).update(received=old)
    tags_before = IssueTag.objects.filter(issue__project=project).count()
    start = time.perf_counter()
    purged = deletion.purge_expired()
    purge = time.perf_counter() - start
    tags_after = IssueTag.objects.filter(issue__project=project).count()
    start = time.perf_counter()
    for issue in Issue.objects.filter(project=project):
        recount(issue)
    recounted = time.perf_counter() - start
    assert IssueTag.objects.filter(issue__project=project).count() == tags_after
    print(f"retention purge            {purged['events']} of {count} events in {purge:.2f} s"
          f" ({purged['events'] / purge:.0f} events/s, tag counts subtracted);"
          f" tag values {tags_before} → {tags_after}")  # fmt: skip
    print(f"recount instead            {recounted:.2f} s for the 20 issues left"
          f" ({count - purged['events']} events read), on top of the deletion")  # fmt: skip


def erasure_check(count: int, make) -> None:
    from django.utils import timezone

    from privacy import register
    from privacy.models import ErasedIdentity

    cases = []
    project = make_project()
    cases.append(("no erasure", ingest(project, count, make)))
    long_ago = timezone.now() - dt.timedelta(days=7)
    ErasedIdentity.objects.bulk_create([
        ErasedIdentity(organization_id=project.organization_id, kind="email",
                       digest=register.digest("email", f"gone{i}@example.com"),
                       erased_at=long_ago) for i in range(1000)])  # fmt: skip
    cases.append(("1,000 older erasures", ingest(project, count, make)))
    ErasedIdentity.objects.filter(organization_id=project.organization_id).update(
        erased_at=timezone.now())
    received = timezone.now() - dt.timedelta(hours=1)
    cases.append(("1,000 newer erasures", ingest(project, count, make, received)))
    for name, seconds in cases:
        print(f"processing, {name:22} {seconds * 1e6 / count:8.1f} µs/event")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    args = parser.parse_args()
    with services("faultline_bench_retention"):
        make = realistic_event()
        retention(args.events, make)
        erasure_check(args.events, make)
    return 0


if __name__ == "__main__":
    sys.exit(main())
