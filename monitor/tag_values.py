"""Taking a value out of ProjectTagValue once no tag-count row of its project has it.

The delete trigger on monitor_issuetag queues the values of the rows deleted
(ProjectTagValueCheck); `prune` takes a batch of them, probes each value that is still listed
and deletes those no row of the project has. A probe is planned for its value (literal
parameters): the planner reads the value's rows of every project or the project's issues,
whichever its statistics say is fewer.

Against a concurrent insert of the same value (whose row this transaction cannot see until it
commits, and whose trigger found the value listed and wrote nothing), a value found unreferenced
is locked (a transaction advisory lock that the insert trigger takes shared before it lists
values, migration 0017) and probed again in a statement of its own, which sees every inserter
that held the lock committed; an insert that waits for the lock finds the value gone and lists
it again. The check never waits: a value whose lock an inserter holds is queued again for the
next run, so it holds no lock an inserter waits for while it waits for another."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Max

from monitor import limits
from monitor.models import ProjectTagValueCheck

LOCK_CLASS = 0x7476  # the advisory locks of monitor_projecttagvalue (class, key hash)

CLAIM_SQL = """
DELETE FROM monitor_projecttagvaluecheck WHERE id IN (
    SELECT id FROM monitor_projecttagvaluecheck WHERE id <= %s
    ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
RETURNING project_id, key, value
"""

LISTED_SQL = """
SELECT v.project_id, v.key, v.value FROM monitor_projecttagvalue v
JOIN unnest(%s::bigint[], %s::text[], %s::text[]) AS c(project_id, key, value)
  ON v.project_id = c.project_id AND v.key = c.key AND v.value = c.value
"""

HELD_SQL = """
SELECT EXISTS (SELECT 1 FROM monitor_issuetag t JOIN monitor_issue i ON i.id = t.issue_id
               WHERE i.project_id = %s AND t.key = %s AND t.value = %s)
"""

LOCK_SQL = f"""
SELECT c.project_id, c.key, c.value
FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS c(project_id, key, value)
WHERE pg_try_advisory_xact_lock(
    {LOCK_CLASS}, monitor_projecttagvalue_lock(c.project_id, c.key, c.value))
"""

REQUEUE_SQL = """
INSERT INTO monitor_projecttagvaluecheck (project_id, key, value)
SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[])
"""

DROP_SQL = """
DELETE FROM monitor_projecttagvalue v
WHERE v.project_id = %s AND v.key = %s AND v.value = %s
  AND NOT EXISTS (SELECT 1 FROM monitor_issuetag t JOIN monitor_issue i ON i.id = t.issue_id
                  WHERE i.project_id = v.project_id AND t.key = v.key AND t.value = v.value)
"""

Value = tuple[int, str, str]


def _columns(values: list[Value]) -> list[list]:
    return [list(column) for column in zip(*values, strict=True)] if values else [[], [], []]


def prune_batch(last: int) -> tuple[int, int]:
    """One transaction: check up to limits.TAG_VALUE_CHECKS values queued up to row `last`;
    returns the queued rows taken and the values deleted."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, [last, limits.TAG_VALUE_CHECKS])
        claimed = cursor.fetchall()
        if not claimed:
            return 0, 0
        cursor.execute(LISTED_SQL, _columns(sorted(set(claimed))))
        gone = []
        for value in sorted(cursor.fetchall()):
            cursor.execute(HELD_SQL, value)
            if not cursor.fetchone()[0]:
                gone.append(value)
        if not gone:
            return len(claimed), 0
        cursor.execute(LOCK_SQL, _columns(gone))
        locked = set(cursor.fetchall())
        if busy := [value for value in gone if value not in locked]:
            cursor.execute(REQUEUE_SQL, _columns(busy))  # being inserted: the next run's
        deleted = 0
        for value in sorted(locked):  # probed again: what committed before the lock is seen
            cursor.execute(DROP_SQL, value)
            deleted += cursor.rowcount
    return len(claimed), deleted


def prune() -> int:
    """Check the values queued before the run began, a batch per transaction and at most
    limits.TAG_VALUE_CHECK_BATCHES batches; returns the values deleted. What is queued meanwhile
    (requeued values included) waits for the next run, so a run ends however fast deletions
    come, and the rest of a large backlog is the next runs' (beat, every minute)."""
    last = ProjectTagValueCheck.objects.aggregate(last=Max("id"))["last"]
    deleted = 0
    for _ in range(limits.TAG_VALUE_CHECK_BATCHES if last is not None else 0):
        taken, gone = prune_batch(last)
        deleted += gone
        if taken < limits.TAG_VALUE_CHECKS:
            break
    return deleted
