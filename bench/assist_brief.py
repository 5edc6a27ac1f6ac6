"""Server time of the issue brief (assist.brief.gather): the queries and the composition the
issue page runs for its default card, on an issue with many events, tag values and resolved
neighbours with notes (pgvector retrieval over every project of the organisation).

    .venv/bin/python bench/assist_brief.py --events 20000 --resolved 30 --projects 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid

from common import services


def payload(n: int, caller: str = "checkout_view") -> dict:
    return {
        "platform": "python", "release": f"shop@1.{n % 7}", "environment": "production",
        "contexts": {"runtime": {"name": "CPython", "version": "3.11.7"},
                     "browser": {"name": ["Chrome", "Firefox", "Safari"][n % 3]}},
        "user": {"id": f"u{n % 300}"},
        "exception": {"values": [{"type": "ZeroDivisionError", "value": "division by zero",
                                  "stacktrace": {"frames": [
            {"module": "shop.views", "function": caller, "lineno": 40 + n % 3, "in_app": True,
             "context_line": "return round(cart.average_price(), 2)"},
            {"module": "shop.cart", "function": f"average_price_{n}", "lineno": 12,
             "in_app": True, "context_line": "return sum(self.items) / len(self.items)"}]}}]},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--resolved", type=int, default=30)
    parser.add_argument("--projects", type=int, default=5)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with services("bench_assist_brief"):
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from assist import brief
        from assist.models import ResolutionNote
        from grouping import ml
        from ingest.accept import store_raw_event
        from ingest.processing import process_pending
        from monitor import eventstore
        from monitor.models import Event, Issue, Organization, Project

        org = Organization.objects.create(name="Acme", slug="acme")
        projects = [Project.objects.create(organization=org, name=f"p{i}", slug=f"p{i}",
                                           platform="python", grouping_mode="shadow")
                    for i in range(args.projects)]

        def ingest(project, body):
            store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())
            while process_pending(100):
                pass

        for n in range(args.resolved):
            ingest(projects[n % len(projects)], payload(n, caller=f"job_{n}"))
        ml.drain(wait_ms=0)
        for issue in Issue.objects.all():
            Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.RESOLVED,
                                                     resolved_in_release="shop@1.3")
            ResolutionNote.objects.create(issue=issue, text=f"guarded the empty cart {issue.id}")
        for n in range(200):
            ingest(projects[0], payload(10_000, caller="checkout_view") | {
                "release": f"shop@1.{n % 7}", "user": {"id": f"u{n}"}})
        ml.drain(wait_ms=0)
        target = Issue.objects.filter(status=Issue.Status.UNRESOLVED).order_by("-times_seen")[0]
        template = Event.objects.filter(issue=target).first()
        extra = max(0, args.events - Event.objects.filter(issue=target).count())
        rows = [Event(project_id=template.project_id, issue=target, event_id=uuid.uuid4(),
                      timestamp=template.timestamp, received=template.received,
                      grouping_hash=template.grouping_hash, title=template.title,
                      release=template.release, data=template.data) for _ in range(extra)]
        with transaction.atomic():
            eventstore.insert_events(rows)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        event = Event.objects.filter(issue=target).order_by("-timestamp", "-id").first()
        target = Issue.objects.select_related("project").get(pk=target.pk)
        brief.gather(target, event)  # warm: encoder spec, model row
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            made = brief.gather(target, event)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            brief.gather(target, event)
        events = Event.objects.filter(issue=target).count()
        print(f"issue with {events} events, {len(made.facts.tags)} tag keys, "
              f"{len(made.resolved)} resolved neighbours shown of {args.resolved} resolved "
              f"issues in {args.projects} projects")
        print(f"brief server time over {args.runs} runs: p50 {statistics.median(times):.1f} ms, "
              f"p95 {sorted(times)[int(len(times) * 0.95) - 1]:.1f} ms, max {max(times):.1f} ms;"
              f" {len(queries)} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
