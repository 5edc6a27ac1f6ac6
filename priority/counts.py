"""Hourly event counts per issue (monitor.IssueHourlyCount), kept cheaply and exactly.

Ingest adds a batch's counts in one upsert inside its transaction, while it holds the issues'
row locks (grouping.assign); merges move them and unmerges recount them from the events, under
the same locks, so no count is lost or counted twice by concurrent work. An event counts in the
hour it was *received*, capped at the current hour: an SDK's clock (skewed, in the future)
cannot move counts into another hour.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import connection

from monitor.models import Event, IssueHourlyCount

UPSERT_SQL = """
WITH batch AS (
    SELECT i AS issue_id, LEAST(date_trunc('hour', h), date_trunc('hour', now())) AS hour,
           SUM(n)::bigint AS count
    FROM unnest(%s::bigint[], %s::timestamptz[], %s::bigint[]) AS t(i, h, n)
    GROUP BY 1, 2 ORDER BY 1, 2
), up AS (
    INSERT INTO monitor_issuehourlycount (issue_id, hour, count)
    SELECT issue_id, hour, count FROM batch
    ON CONFLICT (issue_id, hour) DO UPDATE
    SET count = monitor_issuehourlycount.count + EXCLUDED.count
    RETURNING issue_id, hour, count
)
SELECT up.issue_id, up.hour, up.count, issue.escalation_limit FROM up
JOIN monitor_issue issue ON issue.id = up.issue_id
WHERE up.hour = date_trunc('hour', now())
  AND issue.escalation_limit IS NOT NULL AND up.count > issue.escalation_limit
  AND issue.escalating_since IS NULL
  AND (issue.status = 'unresolved' OR (issue.status = 'ignored' AND issue.ignore_until_escalating))
"""

MOVE_SQL = """
INSERT INTO monitor_issuehourlycount (issue_id, hour, count)
SELECT %s, hour, SUM(count) FROM monitor_issuehourlycount WHERE issue_id = ANY(%s)
GROUP BY hour ORDER BY hour
ON CONFLICT (issue_id, hour) DO UPDATE SET count = monitor_issuehourlycount.count + EXCLUDED.count
"""

RECOUNT_SQL = """
INSERT INTO monitor_issuehourlycount (issue_id, hour, count)
SELECT issue_id, LEAST(date_trunc('hour', received), date_trunc('hour', now())), COUNT(*)
FROM monitor_event WHERE issue_id = ANY(%s) GROUP BY 1, 2 ORDER BY 1, 2
"""


def _hour(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def add(events: Iterable[Event]) -> list[tuple[int, dt.datetime, int, float]]:
    """Add the events to their issues' hourly counts (the caller holds the issues' locks).
    Returns (issue, hour, count, limit) for each issue whose count this hour has just gone past
    its stored escalation limit."""
    counts = Counter((event.issue_id, _hour(event.received)) for event in events)
    if not counts:
        return []
    rows = sorted((issue, hour, n) for (issue, hour), n in counts.items())
    with connection.cursor() as cursor:
        cursor.execute(UPSERT_SQL, [list(c) for c in zip(*rows, strict=True)])
        return [(i, h, int(n), float(limit)) for i, h, n, limit in cursor.fetchall()]


def move(target_id: int, source_ids: list[int]) -> None:
    """A merge: the sources' counts join the target's (the caller holds all their locks)."""
    if not source_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(MOVE_SQL, [target_id, sorted(source_ids)])
        cursor.execute("DELETE FROM monitor_issuehourlycount WHERE issue_id = ANY(%s)",
                       [sorted(source_ids)])


def recount(issue_ids: Iterable[int]) -> None:
    """Rebuild the issues' counts from their stored events (an unmerge moved some)."""
    ids = sorted(set(issue_ids))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM monitor_issuehourlycount WHERE issue_id = ANY(%s)", [ids])
        cursor.execute(RECOUNT_SQL, [ids])


def week(issue_id: int, hour: dt.datetime, hours: int = 7 * 24) -> list[int]:
    """The `hours` hourly counts before `hour` (oldest first, zeros where nothing came)."""
    start = hour - dt.timedelta(hours=hours)
    found = dict(
        IssueHourlyCount.objects.filter(issue_id=issue_id, hour__gte=start, hour__lt=hour)
        .values_list("hour", "count")
    )
    return [int(found.get(start + dt.timedelta(hours=n), 0)) for n in range(hours)]
