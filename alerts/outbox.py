"""The hook in event processing: record alert-worthy facts in the processing transaction.

Cheap by design: a cached lookup of the project's frequency rules, and one INSERT when
there is anything to record (a new issue, a regression, an ignored issue getting events, or
events on a project with frequency rules). Nothing is evaluated or sent here; after commit a
coalesced wake-up asks the `alerts.evaluate` task to look (monitor.wakeup), and beat's
`alerts.sweep` covers a lost wake-up.
"""

from __future__ import annotations

import time
from collections import Counter

from django.conf import settings
from django.db import connection, transaction

from alerts.models import AlertRule
from monitor import wakeup
from monitor.models import Event, Issue
from monitor.state import regressed

QUEUE = "alerts"
publish_breaker = wakeup.Breaker()
INSERT_SQL = (
    "INSERT INTO alerts_alertfact (project_id, issue_id, kind, count, level, environment,"
    " release, at) SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::int[],"
    " %s::text[], %s::text[], %s::text[], %s::timestamptz[])"
)
_frequency_rules: dict[int, tuple[float, bool]] = {}


def has_frequency_rules(project_id: int) -> bool:
    """Whether the project has an enabled N-in-M rule; cached per process for
    INGEST_KEY_CACHE_SECONDS (a new rule counts events from then on)."""
    now = time.monotonic()
    cached = _frequency_rules.get(project_id)
    if cached and cached[0] > now:
        return cached[1]
    value = AlertRule.objects.filter(
        project_id=project_id, enabled=True, trigger=AlertRule.Trigger.FREQUENCY
    ).exists()
    if len(_frequency_rules) > 10000:
        _frequency_rules.clear()
    _frequency_rules[project_id] = (now + settings.INGEST_KEY_CACHE_SECONDS, value)
    return value


def forget_rules() -> None:
    _frequency_rules.clear()


def wake() -> None:
    from alerts.tasks import evaluate

    wakeup.wake(QUEUE, evaluate, 0, publish_breaker)


def facts_for(
    project_id: int,
    events: list[Event],
    created: set[int],
    changes: dict[int, tuple[str, str]],
    frequency: bool,
) -> list[tuple]:
    """The pure part: fact rows for one project's batch (events carry their issue ids)."""
    first: dict[int, Event] = {}
    for event in events:
        first.setdefault(event.issue_id, event)

    def row(issue_id: int, kind: str, count: int = 1, event: Event | None = None) -> tuple:
        event = event or first[issue_id]
        return (project_id, issue_id, kind, count, event.level, event.environment,
                event.release, event.received)

    rows = [row(issue_id, "new") for issue_id in sorted(created) if issue_id in first]
    for issue_id, (before, after) in sorted(changes.items()):
        if regressed(before, after):
            rows.append(row(issue_id, "regression"))
        elif before == Issue.Status.IGNORED:
            rows.append(row(issue_id, "ignored_hit"))
    if frequency:
        counts = Counter((e.issue_id, e.level, e.environment, e.release) for e in events)
        latest = {}
        for event in events:
            key = (event.issue_id, event.level, event.environment, event.release)
            if key not in latest or event.received > latest[key].received:
                latest[key] = event
        for key, count in sorted(counts.items()):
            rows.append(row(key[0], "events", count, latest[key]))
    return rows


def record(
    project_id: int, events: list[Event], created: set[int], changes: dict[int, tuple[str, str]]
) -> int:
    """Write the batch's facts inside the caller's transaction; returns how many."""
    rows = facts_for(project_id, events, created, changes, has_frequency_rules(project_id))
    if rows:
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, [list(column) for column in zip(*rows, strict=True)])
        transaction.on_commit(wake)
    return len(rows)
