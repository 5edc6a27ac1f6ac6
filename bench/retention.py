"""Privacy costs: the retention purge taking expired events out of their issues' tag counts
(privacy.tagcounts) against a plain delete plus a recount of the issues (grouping.merge.recount),
and what the erasure check (privacy.register) adds to a processing batch: no erasure, erasures
older than the events (the steady state), and erasures newer than them (payloads parsed).

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
                                      retention_days=30)
    return Project.objects.create(organization=org, name="Shop", slug="shop", platform="python",
                                  grouping_mode=Project.GroupingMode.FINGERPRINT)


def ingest(project, count: int, make, received: dt.datetime | None = None) -> float:
    """Store `count` raw events over 20 fingerprints, the first half from 250 users and the
    second half from 250 others, then time the processing; returns seconds."""
    from ingest.accept import store_raw_event
    from ingest.models import RawEvent
    from ingest.processing import process_pending

    for i in range(count):
        event = make(i)
        user = i % 250 + 250 * (2 * i >= count)
        event["user"] = {"email": f"user{user}@example.com", "ip_address": f"10.0.{user % 250}.1"}
        event["fingerprint"] = [f"bug-{i % 20}"]
        store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(event).encode())
    if received is not None:
        RawEvent.objects.filter(project=project).update(received_at=received)
    start = time.perf_counter()
    while process_pending(200):
        pass
    return time.perf_counter() - start


def retention(count: int, make) -> None:
    """Two identical projects lose their older half: one through the purge's deletion (tag
    counts subtracted), one through a plain chunked delete followed by a recount of its
    issues (what correct tag counts would cost without the subtraction)."""
    from django.utils import timezone

    from grouping.merge import recount
    from monitor.models import Event, Issue, IssueTag
    from privacy import deletion

    projects = [make_project(), make_project()]
    old = timezone.now() - dt.timedelta(days=31)
    for project in projects:
        ingest(project, count, make)
        ids = Event.objects.filter(project=project).order_by("id").values_list("id", flat=True)
        Event.objects.filter(id__in=list(ids[: count // 2])).update(received=old)
    subtracted, plain = projects
    tags_before = IssueTag.objects.filter(issue__project=subtracted).count()
    start = time.perf_counter()
    deleted = deletion.delete_events_in_chunks(
        Event.objects.filter(project=subtracted, received__lt=old + dt.timedelta(seconds=1)))
    subtract = time.perf_counter() - start
    tags_after = IssueTag.objects.filter(issue__project=subtracted).count()
    start = time.perf_counter()
    deletion.delete_in_chunks(
        Event.objects.filter(project=plain, received__lt=old + dt.timedelta(seconds=1)))
    delete = time.perf_counter() - start
    start = time.perf_counter()
    for issue in Issue.objects.filter(project=plain):
        recount(issue)
    recounted = time.perf_counter() - start
    assert IssueTag.objects.filter(issue__project=plain).count() == tags_after
    print(f"events deleted             {deleted} of {count}; tag values {tags_before} → "
          f"{tags_after}")
    print(f"delete, tags subtracted    {subtract:6.2f} s ({deleted / subtract:.0f} events/s)")
    print(f"delete, tags left stale    {delete:6.2f} s ({deleted / delete:.0f} events/s)")
    print(f"  + recount of the issues  {recounted:6.2f} s ({count - deleted} events read)")


def erasure_check(make, batch: int = 200, rounds: int = 200) -> None:
    """The check one processing batch runs (privacy.register.erased), timed alone: with no
    erasure, with 1,000 erasures older than the events (the steady state) and with 1,000 newer
    ones (every payload parsed and hashed)."""
    from django.utils import timezone

    from privacy import register
    from privacy.models import ErasedIdentity

    project = make_project()
    received = timezone.now() - dt.timedelta(hours=1)
    waiting = []
    for i in range(batch):
        event = make(i)
        event["user"] = {"email": f"user{i}@example.com", "ip_address": "10.0.0.1"}
        waiting.append(register.Waiting(project.organization_id, received,
                                        json.dumps(event).encode()))

    def timed() -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            assert not register.erased(waiting)
        return (time.perf_counter() - start) / rounds

    cases = [("no erasure", timed())]
    day_before = received - dt.timedelta(days=1)
    ErasedIdentity.objects.bulk_create([
        ErasedIdentity(organization_id=project.organization_id, kind="email",
                       digest=register.digest("email", f"gone{i}@example.com"),
                       erased_at=day_before) for i in range(1000)])
    cases.append(("1,000 older erasures", timed()))
    ErasedIdentity.objects.filter(organization_id=project.organization_id).update(
        erased_at=timezone.now())
    cases.append(("1,000 newer erasures", timed()))
    size = sum(len(w.payload) for w in waiting) // batch
    for name, seconds in cases:
        print(f"erasure check, {name:21} {seconds * 1e3:7.2f} ms per batch of {batch}"
              f" ({seconds * 1e6 / batch:6.1f} µs/event; payloads of {size} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    args = parser.parse_args()
    with services("faultline_bench_retention"):
        make = realistic_event()
        retention(args.events, make)
        erasure_check(make)
    return 0


if __name__ == "__main__":
    sys.exit(main())
