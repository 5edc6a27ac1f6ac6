"""Taking events out of their issues' tag counts before they are deleted, so that a tag value
(`user=email:…`, an IP) whose events are all gone leaves the issue, its `users_seen` and the
`user:` search with them.

Subtracting what the deleted events added costs as much as the deletion, where a recount
(grouping.merge.recount, which erasure uses) reads every event the issue keeps. The issue rows
are locked first, in id order, as the ingest pipeline locks them (grouping.assign), so counts
added concurrently are neither lost nor deadlocked on. An issue keeps its lifetime counters
(times_seen, first_seen, last_seen).
"""

from __future__ import annotations

from collections import Counter

from django.db import connection

LOCK_ISSUES_SQL = """
SELECT id FROM monitor_issue
WHERE id IN (SELECT DISTINCT issue_id FROM {events} WHERE id = ANY(%s))
ORDER BY id FOR UPDATE
"""

GONE_SQL = """
SELECT e.issue_id, tag->>0, tag->>1, COUNT(*)
FROM {events} e, jsonb_array_elements(e.tags) AS tag
WHERE e.id = ANY(%s)
GROUP BY 1, 2, 3
"""

# The counts come in as arrays, not as a join on the events: the planner guesses 100 tags per
# event for jsonb_array_elements, and for a chunk of a few hundred events chose to hash-join
# a full scan of every issue's tag counts (seconds, growing with the table) over the index.
SUBTRACT_SQL = """
UPDATE monitor_issuetag t SET times_seen = t.times_seen - gone.n
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[]) AS gone(issue_id, key, value, n)
WHERE t.issue_id = gone.issue_id AND t.key = gone.key AND t.value = gone.value
RETURNING t.id, t.issue_id, t.key, t.times_seen
"""

DROP_SQL = "DELETE FROM monitor_issuetag WHERE id = ANY(%s)"

# users_seen counts an issue's `user` tag rows (ingest adds one per new row, grouping.assign):
# the rows dropped here come off it. A recount read every user row of each issue touched, per
# chunk (20,000 rows of a large issue, 500 events at a time): retention's longest step at 8 M.
USERS_SEEN_SQL = """
UPDATE monitor_issue i SET users_seen = GREATEST(0, i.users_seen - lost.n)
FROM unnest(%s::bigint[], %s::int[]) AS lost(issue_id, n)
WHERE i.id = lost.issue_id
"""


def subtract_events(event_ids: list[int], events: str = "monitor_event") -> list[int]:
    """Within the caller's transaction, before the events are deleted: take them out of their
    issues' tag counts; returns the issues touched. `events` names the table holding them (a
    detached partition, when retention drops a whole one). Only the tag rows the events
    counted are read and written (a value left at zero goes, and a user's takes one off its
    issue's `users_seen`), so the cost and the time the issue rows stay locked follow
    the chunk, not how many tag values its issues have."""
    if not event_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(LOCK_ISSUES_SQL.format(events=events), [event_ids])
        issue_ids = [row[0] for row in cursor.fetchall()]
        if not issue_ids:
            return []
        cursor.execute(GONE_SQL.format(events=events), [event_ids])
        gone = cursor.fetchall()
        cursor.execute(SUBTRACT_SQL, [list(column) for column in zip(*gone, strict=True)]
                       if gone else [[], [], [], []])
        emptied = [(tag_id, issue_id, key) for tag_id, issue_id, key, left
                   in cursor.fetchall() if left <= 0]
        if emptied:
            cursor.execute(DROP_SQL, [[tag_id for tag_id, _, _ in emptied]])
            users_lost = Counter(issue_id for _, issue_id, key in emptied if key == "user")
            if users_lost:
                issues = sorted(users_lost)
                cursor.execute(USERS_SEEN_SQL, [issues, [users_lost[i] for i in issues]])
    return issue_ids
