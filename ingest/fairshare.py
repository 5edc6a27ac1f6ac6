"""Which pending raw events a batch takes: a fair share per organisation, not the oldest rows.

Workers claim events of every tenant from one table. Taking the oldest rows first lets one
organisation's flood (a crash loop in a busy app, a hostile sender) starve everyone else for as
long as its backlog lasts. Instead a batch looks at up to FAN_OUT projects with waiting events,
starting after the last project the previous batch of this process looked at (a rotation), takes
a few of the oldest events of each, and fills the batch round-robin across organisations, then
across their projects. Both queries walk indexes only: a loose index scan over project ids, then
the oldest ids of each project that no other worker holds (locked here, SKIP LOCKED, so
concurrent workers take different rows; the few locked but not taken are free again at commit).
Callers run it inside their batch transaction.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

from django.db import connection

FAN_OUT = 64  # projects considered per batch

PROJECTS_SQL = """
WITH RECURSIVE pending(project_id, depth) AS (
    (SELECT project_id, 1 FROM ingest_rawevent WHERE project_id > %(after)s
     ORDER BY project_id LIMIT 1)
    UNION ALL
    SELECT (SELECT r.project_id FROM ingest_rawevent r WHERE r.project_id > pending.project_id
            ORDER BY r.project_id LIMIT 1), depth + 1
    FROM pending WHERE pending.project_id IS NOT NULL AND depth < %(fan_out)s
)
SELECT pending.project_id, p.organization_id
FROM pending JOIN monitor_project p ON p.id = pending.project_id
"""

CANDIDATES_SQL = """
SELECT c.project_id, c.id
FROM unnest(%(projects)s::bigint[]) AS wanted(project_id)
CROSS JOIN LATERAL (
    SELECT r.project_id, r.id FROM ingest_rawevent r
    WHERE r.project_id = wanted.project_id AND r.attempts < %(max_attempts)s
      AND (r.retry_at IS NULL OR r.retry_at <= now())
    ORDER BY r.id LIMIT %(per_project)s
    FOR UPDATE SKIP LOCKED
) c
"""

_rotation = {"after": 0}


def _projects(after: int) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(PROJECTS_SQL, {"after": after, "fan_out": FAN_OUT})
        return cursor.fetchall()


def fair_ids(limit: int, max_attempts: int) -> list[int]:
    """Up to `limit` raw event ids, shared fairly across organisations (see module docstring)."""
    projects = _projects(_rotation["after"])
    if len(projects) < FAN_OUT and _rotation["after"]:
        seen = {p for p, _ in projects}
        projects += [row for row in _projects(0) if row[0] not in seen][: FAN_OUT - len(projects)]
    if not projects:
        _rotation["after"] = 0
        return []
    _rotation["after"] = projects[-1][0] if len(projects) >= FAN_OUT else 0
    per_project = max(1, math.ceil(limit / len(projects)))
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, {"projects": [p for p, _ in projects],
                                        "max_attempts": max_attempts,
                                        "per_project": limit if len(projects) == 1
                                        else per_project * 2})
        candidates = cursor.fetchall()
    org_of = dict(projects)
    by_org: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for project_id, raw_id in candidates:
        by_org[org_of[project_id]][project_id].append(raw_id)
    # Round-robin: organisations, and inside each its projects, one event at a time.
    streams = [_round_robin(list(projects.values())) for projects in by_org.values()]
    return list(itertools.islice(_round_robin_iters(streams), limit))


def _round_robin(lists: list[list[int]]):
    for group in itertools.zip_longest(*lists):
        yield from (item for item in group if item is not None)


def _round_robin_iters(iterators):
    active = list(iterators)
    while active:
        for iterator in list(active):
            try:
                yield next(iterator)
            except StopIteration:
                active.remove(iterator)
