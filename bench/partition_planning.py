"""What the number of event partitions costs the pages: the planning time of every statement
the triage pages run against the events (bench/scale.py's pages, a small world), as empty
older spans are added up to each count. The length of a span sets the count: a 90-day
retention is ~96 spans of a day or ~19 of a week; a year, ~370 or ~58.

    .venv/bin/python bench/partition_planning.py --counts 20,100,200,400

Statements that filter on `received` are pruned at planning time; the others (by issue, by
project) plan every partition, which is what grows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

import numpy as np
import scale
from common import services

DATABASE = "faultline_partition_planning"


def statements(client, pages: dict[str, str]) -> dict[str, list[str]]:
    """Each page's SELECTs that read events, as Django ran them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = {}
    for label, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        out[label] = [q["sql"] for q in captured.captured_queries
                      if q["sql"].startswith("SELECT") and "monitor_event" in q["sql"]]
    return out


def planning_ms(sqls: list[str], repeat: int) -> tuple[float, float]:
    """Median over `repeat` runs of the summed planning and execution times."""
    from django.db import connection

    plans, runs = [], []
    for _ in range(repeat):
        plan = run = 0.0
        for sql in sqls:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, SUMMARY, TIMING OFF) " + sql)
                for (line,) in cursor.fetchall():
                    if line.startswith("Planning Time"):
                        plan += float(line.split()[2])
                    elif line.startswith("Execution Time"):
                        run += float(line.split()[2])
        plans.append(plan)
        runs.append(run)
    return statistics.median(plans), statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="20,100,200,400")
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    counts = sorted(int(x) for x in args.counts.split(","))
    with services(DATABASE):
        from django.contrib.auth import get_user_model
        from django.test import Client

        from monitor import partitions
        from monitor.models import Membership, Organization

        end = dt.datetime.now(dt.UTC).replace(microsecond=0)
        start = end - dt.timedelta(days=scale.SPAN_DAYS)
        world = scale.build_world(4, (300, 600), 7, start, end)
        partitions.ensure(start, ahead=scale.SPAN_DAYS + 5)
        user = get_user_model().objects.create_user("bench", password="x")
        for org in Organization.objects.all():
            Membership.objects.create(user=user, organization=org, role="owner")
        scale.fill(world, np.random.default_rng(7), args.events, 0, args.events)
        client = Client()
        client.force_login(user)
        pages = scale.page_set(world)
        by_page = statements(client, pages)
        oldest = partitions.existing()[0]
        rows = []
        for count in counts:
            while len(partitions.existing()) < count:  # older, empty spans of a day
                oldest = partitions.span_of(oldest.start - dt.timedelta(days=1), days=1)
                partitions.create(oldest)
            have = len(partitions.existing())
            started = time.perf_counter()
            row = {label: planning_ms(sqls, args.repeat) for label, sqls in by_page.items()}
            rows.append((have, row))
            print(f"{have} partitions measured in {time.perf_counter() - started:.0f} s",
                  flush=True)
    print(f"\n{'planning / execution ms, median':<40}"
          + "".join(f"{have:>14} parts" for have, _ in rows))
    for label, sqls in by_page.items():
        cells = "".join(f"{row[label][0]:>10.1f} /{row[label][1]:>8.1f}" for _, row in rows)
        print(f"{label[:33] + f' ({len(sqls)})':<40}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
