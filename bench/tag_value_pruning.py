"""What keeping ProjectTagValue exact costs: deleting issue tags with the delete trigger that
queues their values (monitor migration 0017) against without it, then the check of the queued
values (monitor.tag_values.prune, beat); inserting tags with the insert trigger's advisory locks
against the insert trigger before them. Each case runs in a transaction rolled back, so every
variant deletes the same rows of the same table; variants alternate and the median of the
rounds is printed.

    .venv/bin/python bench/tag_value_pruning.py --projects 20 --issues 5000
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time

from common import services

# The insert trigger as migration 0014 made it: no lock, no pruning on delete.
UNLOCKED_INSERT = importlib.import_module(
    "monitor.migrations.0014_project_tag_values").INSERT_FUNCTION + """
ALTER TABLE monitor_issuetag DISABLE TRIGGER monitor_issuetag_check_project_values;
"""

TAGS = """
INSERT INTO monitor_issuetag (issue_id, key, value, times_seen, first_seen, last_seen)
SELECT i.id, tag.key, tag.value, 1, now(), now()
FROM (SELECT id, project_id, row_number() OVER (PARTITION BY project_id ORDER BY id) AS n
      FROM monitor_issue) i JOIN monitor_project p ON p.id = i.project_id,
LATERAL (VALUES
    ('release', p.slug || '@' || (i.n %% 50)),
    ('environment', (ARRAY['production', 'staging', 'dev'])[1 + i.n %% 3]),
    ('user', 'id:' || (i.n %% 997)),
    ('browser', 'Chrome ' || (i.n %% 40))) AS tag(key, value)
WHERE p.organization_id = %s
"""


def fill(projects: int, issues: int) -> list[list[int]]:
    """Each project's issues (by id), every one with a release of 50, an environment of 3
    (shared by every project), a user and a browser."""
    from django.db import connection
    from django.utils import timezone

    from monitor.models import Issue, Organization, Project

    org = Organization.objects.create(name="Bench", slug="bench-tags")
    made = Project.objects.bulk_create([Project(organization=org, name=f"p{n}", slug=f"p{n}",
                                                platform="python") for n in range(projects)])
    now = timezone.now()
    for project in made:
        Issue.objects.bulk_create([Issue(project=project, title=f"bench {n}", first_seen=now,
                                         last_seen=now) for n in range(issues)],
                                  batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(TAGS, [org.id])
        for table in ("monitor_issue", "monitor_issuetag", "monitor_projecttagvalue"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM monitor_issuetag")
        print(f"{cursor.fetchone()[0]:,} tag rows, {projects} projects of {issues:,} issues")
    return [list(Issue.objects.filter(project=p).order_by("id").values_list("id", flat=True))
            for p in made]


def _timed(statements: list[tuple[str, list]], pruning: bool) -> tuple[float, float, int]:
    """Seconds the statements took (in one transaction, rolled back), seconds the check of the
    values they queued took and the values it deleted."""
    from django.db import connection, transaction

    from monitor import tag_values

    with transaction.atomic(), connection.cursor() as cursor:
        if not pruning:
            cursor.execute(UNLOCKED_INSERT)
        start = time.perf_counter()
        for sql, params in statements:
            cursor.execute(sql, params)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        pruned = tag_values.prune() if pruning else 0
        checking = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, checking, pruned


def compare(name: str, statements: list[tuple[str, list]], rounds: int) -> None:
    times: dict[bool, list[float]] = {False: [], True: []}
    checks: list[float] = []
    pruned = 0
    for _ in range(rounds):
        for pruning in (False, True):
            seconds, checking, gone = _timed(statements, pruning)
            times[pruning].append(seconds)
            if pruning:
                checks.append(checking)
                pruned = gone
    before, after = (statistics.median(times[p]) * 1e3 for p in (False, True))
    check = statistics.median(checks) * 1e3
    print(f"{name:56} {before:8.1f} ms -> {after:8.1f} ms; check {check:7.1f}"
          f" ms, {pruned} values pruned")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--issues", type=int, default=5000, help="per project")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with services("faultline_bench_tag_values"):

        issues = fill(args.projects, args.issues)
        by_issue = "DELETE FROM monitor_issuetag WHERE issue_id = ANY(%s)"
        rounds = args.rounds
        half = issues[0][: len(issues[0]) // 2]
        compare(f"{len(half) * 4:,} tags of {len(half):,} issues, their values kept",
                [(by_issue, [half])], rounds)
        compare(f"a whole project's {len(issues[0]) * 4:,} tags, every value pruned",
                [(by_issue, [issues[0]])], rounds)
        compare(f"{len(half):,} issues, a statement each, values kept",
                [(by_issue, [[i]]) for i in half], rounds)
        release = issues[1][7::50]
        compare(f"a release's {len(release)} issues (its last ones), one statement",
                [(by_issue, [release])], rounds)
        compare("one issue, its values kept, one statement",
                [(by_issue, [[issues[2][0]]])], rounds)
        insert = ("INSERT INTO monitor_issuetag (issue_id, key, value, times_seen, first_seen,"
                  " last_seen) SELECT i, k, v, 1, now(), now() FROM unnest(%s::bigint[],"
                  " %s::text[], %s::text[]) AS t(i, k, v)")
        compare("2,000 inserts of 5 new tags (release, environment, 3 others)",
                [(insert, [[i] * 5, ["release", "environment", "a", "b", "c"],
                           [f"new@{i % 7}", f"canary{i % 3}", "x", "y", "z"]])
                 for i in issues[0][:2000]], rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
