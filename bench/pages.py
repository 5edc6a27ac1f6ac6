"""Server time of the triage pages with a big project: 5,000 issues and 100,000 events (with
tags, releases and environments), rendered through Django's full request path.

    .venv/bin/python bench/pages.py [--issues 5000 --events 100000 --repeat 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from common import services

# Django's test client sends Host: testserver (production hosts come from FAULTLINE_URL).
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")


def seed(project, issues: int, events: int) -> None:
    from django.db import connection

    from monitor import eventstore

    event = {"platform": "python", "level": "error", "exception": [{
        "type": "ZeroDivisionError", "value": "division by zero", "stacktrace": {"frames": [
            {"module": "shop.cart", "function": "average_price", "lineno": 41, "in_app": True,
             "context_line": "return sum(self.items) / len(self.items)",
             "pre_context": ["def average_price(self):"], "post_context": [""]},
            {"module": "django.core.handlers.base", "function": "_get_response", "lineno": 197,
             "in_app": False, "context_line": "response = callback(request)"}]}}],
        "breadcrumbs": [{"category": "query", "message": f"SELECT {i}"} for i in range(10)],
        "request": {"url": "https://shop.example/cart/", "method": "GET"},
        "grouping": {"hash": "0" * 32, "variant": "in-app"},
        "title": "x", "culprit": "x"}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO monitor_issue (project_id, title, culprit, type, level, platform, status,"
            " regressed, first_seen, last_seen, times_seen, users_seen)"
            " SELECT %s, 'Error ' || g || ': something failed in module ' || (g %% 97),"
            " 'shop.module' || (g %% 97) || ' in handler', 'error',"
            " (ARRAY['error','warning','fatal'])[1 + g %% 3], 'python',"
            " (ARRAY['unresolved','unresolved','unresolved','resolved','ignored'])[1 + g %% 5],"
            " false, now() - (g || ' minutes')::interval,"
            " now() - ((g %% 600) || ' minutes')::interval,"
            " 0, 0 FROM generate_series(1, %s) AS g",
            [project.id, issues],
        )
        cursor.execute("SELECT min(id), max(id) FROM monitor_issue WHERE project_id = %s",
                       [project.id])
        low, high = cursor.fetchone()
        cursor.execute(
            "INSERT INTO monitor_event (project_id, issue_id, event_id, timestamp, received,"
            ' grouping_hash, level, platform, title, release, environment, "user", tags)'
            " SELECT %s, %s + (floor(power(random(), 3) * (%s - %s + 1)))::int,"
            " gen_random_uuid(), now() - (random() * interval '2 days'), now(), md5(g::text),"
            " 'error', 'python', 'Error', 'shop@1.' || (g %% 5),"
            " (ARRAY['production','staging'])[1 + g %% 2],"
            " jsonb_build_object('id', (g %% 300)::text),"
            " jsonb_build_array("
            "   jsonb_build_array('environment', (ARRAY['production','staging'])[1 + g %% 2]),"
            "                   jsonb_build_array('release', 'shop@1.' || (g %% 5)),"
            "                   jsonb_build_array('user', 'id:' || (g %% 300)))"
            " FROM generate_series(1, %s) AS g",
            [project.id, low, high, low, events],
        )
        cursor.execute(  # one payload for all (monitor.eventstore)
            "INSERT INTO monitor_eventpayload (event_id, received, body)"
            " SELECT id, received, %s FROM monitor_event WHERE project_id = %s",
            [eventstore.encode(event), project.id],
        )
        cursor.execute(
            "UPDATE monitor_issue i SET times_seen = c.n, last_seen = c.last"
            " FROM (SELECT issue_id, count(*) n, max(timestamp) last"
            " FROM monitor_event WHERE project_id = %s GROUP BY 1) c"
            " WHERE c.issue_id = i.id", [project.id],
        )
        # events arrive when they happen; the stored hourly counts are kept by arrival
        cursor.execute("UPDATE monitor_event SET received = timestamp WHERE project_id = %s",
                       [project.id])
        cursor.execute(
            "INSERT INTO monitor_issuehourlycount (issue_id, hour, count)"
            " SELECT issue_id, date_trunc('hour', received), count(*) FROM monitor_event"
            " WHERE project_id = %s GROUP BY 1, 2", [project.id],
        )
        cursor.execute(  # what ingest records beside the events (priority.assess)
            "INSERT INTO monitor_projectrelease (project_id, version, first_seen)"
            " SELECT project_id, release, min(received) FROM monitor_event"
            " WHERE project_id = %s GROUP BY 1, 2", [project.id])
        cursor.execute(
            "INSERT INTO monitor_issuetag (issue_id, key, value, times_seen, first_seen, last_seen)"
            " SELECT e.issue_id, t->>0, t->>1, count(*), min(e.timestamp), max(e.timestamp)"
            " FROM monitor_event e, jsonb_array_elements(e.tags) t WHERE e.project_id = %s"
            " GROUP BY 1, 2, 3", [project.id],
        )
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=5000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with services("faultline_pages_bench"):
        from django.contrib.auth import get_user_model
        from django.test import Client

        from monitor.models import Issue, Membership, Organization, Project

        org = Organization.objects.create(name="Big", slug="big")
        project = Project.objects.create(organization=org, name="Shop", slug="shop")
        user = get_user_model().objects.create_user("bench", password="x")
        Membership.objects.create(user=user, organization=org)
        started = time.perf_counter()
        seed(project, args.issues, args.events)
        print(f"seeded {args.issues} issues and {args.events} events in "
              f"{time.perf_counter() - started:.0f} s")
        client = Client()
        client.force_login(user)
        biggest = Issue.objects.filter(project=project).order_by("-times_seen").first()
        small = (Issue.objects.filter(project=project, times_seen__gte=3)
                 .order_by("times_seen", "-id").first())  # late ids: a far walk by event id
        pages = {
            "stream (unresolved, last seen)": "/big/shop/issues/",
            "stream, environment filter": "/big/shop/issues/?environment=staging",
            "stream, search": "/big/shop/issues/?query=module+42&status=all",
            "stream, empty query (every status)": "/big/shop/issues/?query=",
            "stream, sort by events, page 20": "/big/shop/issues/?sort=events&page=20",
            "stream, search syntax": "/big/shop/issues/?query=is:unresolved+level:error"
                                     "+release:shop@1.3+environment:staging+module",
            "stream, user search": "/big/shop/issues/?query=user:42&status=all",
            "stream, release filter (counts follow)": "/big/shop/issues/?release=shop@1.2",
            f"issue detail ({biggest.times_seen} events)": f"/big/shop/issues/{biggest.id}/",
            f"issue detail ({small.times_seen} events)": f"/big/shop/issues/{small.id}/",
            "issue detail, oldest event": f"/big/shop/issues/{biggest.id}/?event="
                                          f"{biggest.events.order_by('id').first().id}",
            "stream, negation and comparisons": "/big/shop/issues/?query=!level:info"
                                                "+times_seen:>10+firstSeen:-30d+has:user",
            "stream, release wildcard": "/big/shop/issues/?query=release:shop@1.*",
            "search suggestions (tag values)": "/big/shop/searches/suggest/?token=release:sh",
            "releases": "/big/shop/releases/",
            "release shop@1.2": "/big/shop/releases/shop@1.2/",
        }
        from releases import users

        while users.collect(settle_seconds=0):
            pass
        for label, url in pages.items():
            assert client.get(url).status_code == 200
            samples = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            print(f"{label:<38} p50 {np.percentile(samples, 50):6.1f} ms  "
                  f"p95 {np.percentile(samples, 95):6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
