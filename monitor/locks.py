"""Row locks on issue state, in the one order every writer takes them: issue rows by id, then
fingerprint (GroupHash) rows by id.

Ingest, merges, unmerges, the ML decision step and every change of issue state (monitor.state)
lock through here before they write, so no two of them can wait on each other in a cycle: none
holds a fingerprint row while it waits for an issue. Callers run inside a transaction and read
what they act on again after locking: a row read before the lock may have been merged away or
changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from monitor import roundtrips
from monitor.models import Issue

LOCK_ISSUES_SQL = "SELECT id FROM monitor_issue WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
LOCK_FINGERPRINTS_SQL = """
SELECT id FROM monitor_grouphash WHERE id = ANY(%s) OR issue_id = ANY(%s) ORDER BY id FOR UPDATE
"""


def lock_issues(issue_ids: Iterable[int], fingerprint_ids: Iterable[int] = (),
                with_fingerprints: bool | Iterable[int] = False) -> set[int]:
    """Lock the issues, then the fingerprints (those named, and with `with_fingerprints` every
    fingerprint of the issues, or of the issues it names), each in id order. Returns the ids of
    the issues that still exist (one that is missing was merged away or deleted)."""
    return lock_and_read(issue_ids, fingerprint_ids, with_fingerprints)[0]


def lock_and_read(issue_ids: Iterable[int], fingerprint_ids: Iterable[int] = (),
                  with_fingerprints: bool | Iterable[int] = False,
                  then: tuple[str, Sequence] | None = None) -> tuple[set[int], list[tuple]]:
    """lock_issues, and `then` (a query and its parameters: what the caller reads again under
    the locks) in the same round trip; returns the issues that still exist and its rows."""
    ids, hashes = sorted(set(issue_ids)), sorted(set(fingerprint_ids))
    holders = (ids if with_fingerprints is True
               else sorted(set(with_fingerprints or ())))  # issues whose fingerprints lock too
    # The statements in one round trip, run in this order: the issues' fingerprints are those
    # pointing at them once their locks are held (a merged-away issue's point elsewhere by then).
    with (connection.cursor() as issues, connection.cursor() as fingerprints,
          connection.cursor() as again):
        with roundtrips.together():
            if ids:
                issues.execute(LOCK_ISSUES_SQL, [ids])
            if hashes or holders:
                fingerprints.execute(LOCK_FINGERPRINTS_SQL, [hashes, holders])
            if then is not None:
                again.execute(*then)
        present = {row[0] for row in issues.fetchall()} if ids else set()
        return present, again.fetchall() if then is not None else []


def lock_issue(issue_id: int) -> Issue | None:
    """One issue, locked and read in one statement (a single row has no order to keep); None
    when it was merged away or deleted."""
    return Issue.objects.select_for_update().filter(pk=issue_id).first()


def locked_issues(issue_ids: Iterable[int]) -> list[Issue]:
    """Issues locked and read in one statement, in id order (the order every writer takes);
    those merged away or deleted are missing."""
    return list(Issue.objects.select_for_update().filter(pk__in=sorted(set(issue_ids)))
                .order_by("id"))
