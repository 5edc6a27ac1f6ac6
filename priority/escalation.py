"""Escalation: an issue whose events this hour go past the limit forecast from its own last
week (priority.forecast) is *escalating*; it stops when an hour that has ended stayed under the
limit again.

Two paths mark an issue escalating, both with its row locked: ingest, when a batch takes the
current hour's count past the stored limit (priority.counts.add says which), and the beat task
`priority.evaluate`, which forecasts limits (a bounded number of issues per run, stalest first),
checks them, and de-escalates. Hours are the server's (events count in the hour they were
received), so no SDK clock, skewed or in the future, can mark an issue escalating.

The state changes themselves (escalate, de-escalate) are in monitor.state.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from monitor import state
from monitor.locks import lock_issues
from monitor.models import Issue, IssueHourlyCount
from priority import counts, forecast

BATCH = 500
KEEP_HOURS = 8 * 24  # a week of history plus the current day


def current_hour(now: dt.datetime | None = None) -> dt.datetime:
    now = (now or timezone.now()).astimezone(dt.UTC)
    return now.replace(minute=0, second=0, microsecond=0)


def history_hours(issue_id: int, hour: dt.datetime) -> int:
    first = (IssueHourlyCount.objects.filter(issue_id=issue_id).order_by("hour")
             .values_list("hour", flat=True).first())
    return 0 if first is None else max(0, int((hour - first).total_seconds() // 3600))


def count_at(issue_id: int, hour: dt.datetime) -> int:
    return int(IssueHourlyCount.objects.filter(issue_id=issue_id, hour=hour)
               .values_list("count", flat=True).first() or 0)


def forecast_issue(issue_id: int, hour: dt.datetime) -> float | None:
    return forecast.limit(counts.week(issue_id, hour), history_hours(issue_id, hour))


STALE_SQL = """
SELECT issue.id FROM monitor_issue issue
WHERE (issue.escalation_limit_at IS NULL OR issue.escalation_limit_at < %(hour)s)
  AND (issue.status = 'unresolved' OR (issue.status = 'ignored' AND issue.ignore_until_escalating))
  AND EXISTS (SELECT 1 FROM monitor_issuehourlycount c
              WHERE c.issue_id = issue.id AND c.hour >= %(since)s)
ORDER BY issue.escalation_limit_at NULLS FIRST, issue.id LIMIT %(limit)s
"""


def stale_issues(hour: dt.datetime, limit: int) -> list[int]:
    """Issues with events in the last week whose limit was not forecast for this hour."""
    with connection.cursor() as cursor:
        cursor.execute(STALE_SQL, {"hour": hour, "since": hour - dt.timedelta(days=7),
                                   "limit": limit})
        return [row[0] for row in cursor.fetchall()]


def refresh(issue_id: int, hour: dt.datetime) -> str | None:
    """Forecast the issue's limit for this hour and escalate it when the hour is already past
    it; returns "escalated" or None."""
    limit_value = forecast_issue(issue_id, hour)
    with transaction.atomic():
        if issue_id not in lock_issues([issue_id]):
            return None
        Issue.objects.filter(pk=issue_id).update(escalation_limit=limit_value,
                                                 escalation_limit_at=hour)
        count = count_at(issue_id, hour)
        if forecast.crossed(count, limit_value) and state.escalate(issue_id, hour, count,
                                                                   limit_value):
            return "escalated"
    return None


def deescalate_due(hour: dt.datetime, limit: int) -> int:
    """Escalating issues whose last ended hour and current hour are both back under the limit."""
    done = 0
    previous = hour - dt.timedelta(hours=1)
    for issue_id, limit_value in (
        Issue.objects.filter(escalating_since__isnull=False, escalating_since__lt=hour)
        .order_by("escalating_since", "id").values_list("id", "escalation_limit")[:limit]
    ):
        busiest = max(count_at(issue_id, previous), count_at(issue_id, hour))
        if forecast.crossed(busiest, limit_value):
            continue
        with transaction.atomic():
            if issue_id in lock_issues([issue_id]) and state.deescalate(issue_id):
                done += 1
    return done


def prune(hour: dt.datetime, limit: int = 10000) -> int:
    """Counts older than the forecast reads (bounded per run)."""
    old = IssueHourlyCount.objects.filter(
        hour__lt=hour - dt.timedelta(hours=KEEP_HOURS)).values_list("id", flat=True)[:limit]
    return IssueHourlyCount.objects.filter(id__in=list(old)).delete()[0]


def evaluate(now: dt.datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """One bounded run of the beat task."""
    hour = current_hour(now)
    escalated = sum(refresh(i, hour) == "escalated" for i in stale_issues(hour, limit))
    return {"escalated": escalated, "deescalated": deescalate_due(hour, limit),
            "pruned": prune(hour)}


def on_ingest(crossings: list[tuple[int, dt.datetime, int, float]]) -> int:
    """Ingest saw these issues' counts go past their limits this hour (priority.counts.add); the
    caller holds their locks."""
    return sum(bool(state.escalate(issue_id, hour, count, limit_value))
               for issue_id, hour, count, limit_value in crossings)
