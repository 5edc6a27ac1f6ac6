"""Read-side queries of the triage pages: the filtered stream, tags, sparklines (from the stored
hourly counts). Which projects
a user sees is access.visible_projects."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import F, Min, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from monitor.issues import SORTS, apply_search, sort_issues, tag_keys
from monitor.models import Event, Issue, IssueHourlyCount, IssueTag, Project
from monitor.search import (
    MAX_SUGGESTIONS,
    MAX_VALUE_LENGTH,
    Search,
    fixed_suggestions,
    has_wildcard,
    split_token,
)

SPARK_HOURS = 24


def stream(project: Project, search: Search, sort: str | None, user=None) -> QuerySet[Issue]:
    """Raises SearchError for a term the project's data cannot answer (an unknown tag key)."""
    issues = apply_search(Issue.objects.filter(project=project), search, user=user)
    return sort_issues(issues.select_related("assignee"), sort if sort in SORTS else None,
                       default="attention")


def event_by_id(project: Project, event_id: str) -> Event | None:
    return Event.objects.filter(project=project, event_id=event_id).only("id", "issue_id").first()


def event_filters(search: Search) -> dict[str, str]:
    """The active filters that event-level counts can follow (columns of monitor_event)."""
    return {key: value for key, value in search.tags
            if key in ("environment", "release") and not has_wildcard(value)}


def tag_values(project: Project, keys: tuple[str, ...]) -> dict[str, list[str]]:
    """Values of each tag key in the project, newest first seen first (so 1.10 follows 1.9), at
    most 50 per key: one query for all the keys (the stream's selects)."""
    ranked = (
        IssueTag.objects.filter(issue__project=project, key__in=keys)
        .values("key", "value")
        .annotate(first=Min("first_seen"))
        .annotate(rank=Window(RowNumber(), partition_by=F("key"),
                              order_by=[F("first").desc(), F("value").asc()]))
        .filter(rank__lte=50)
        .order_by("key", "rank")
        .values_list("key", "value")
    )
    values: dict[str, list[str]] = {key: [] for key in keys}
    for key, value in ranked:
        values[key].append(value)
    return values


def suggestions(project: Project, token: str) -> list[str]:
    """Completions of the search box's last token: keys and fixed values from the syntax, a
    tag's most frequent values (by prefix) from the data; at most MAX_SUGGESTIONS."""
    fixed = fixed_suggestions(token, lambda: tag_keys(Issue.objects.filter(project=project)))
    if fixed is not None:
        return fixed
    sign, key, partial = split_token(token[:MAX_VALUE_LENGTH])
    values = (IssueTag.objects.filter(issue__project=project, key=key,
                                      value__istartswith=partial)
              .values("value").annotate(n=Sum("times_seen")).order_by("-n", "value")
              .values_list("value", flat=True)[:MAX_SUGGESTIONS])
    return [f'{sign}{key}:"{v}"' if " " in v else f"{sign}{key}:{v}" for v in values]


def filtered_counts(issue_ids: list[int], filters: dict[str, str]) -> dict[int, int]:
    """Events per issue under the environment/release filters, for the page's issues: from the
    tag counts for one filter (an index lookup), from the events for both."""
    if not issue_ids or not filters:
        return {}
    if len(filters) == 1:
        ((key, value),) = filters.items()
        return dict(IssueTag.objects.filter(issue_id__in=issue_ids, key=key, value=value)
                    .values_list("issue_id", "times_seen"))
    where = " AND ".join(f"{column} = %s" for column in filters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT issue_id, COUNT(*) FROM monitor_event WHERE issue_id = ANY(%s) AND {where}"
            " GROUP BY 1",
            [issue_ids, *filters.values()],
        )
        return dict(cursor.fetchall())


def sparklines(issue_ids: list[int], now: dt.datetime | None = None) -> dict[int, list[int]]:
    """Events per hour over the last day, by the hour they were received (the stored hourly
    counts, monitor.IssueHourlyCount: an index read, never a scan of events); the current,
    partial hour last. One query for the whole page."""
    now = now or timezone.now()
    current = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    start = current - dt.timedelta(hours=SPARK_HOURS - 1)
    lines = {issue_id: [0] * SPARK_HOURS for issue_id in issue_ids}
    for issue_id, hour, count in IssueHourlyCount.objects.filter(
        issue_id__in=issue_ids, hour__gte=start, hour__lte=current
    ).values_list("issue_id", "hour", "count"):
        lines[issue_id][int((hour - start).total_seconds() // 3600)] = count
    return lines


def spark_points(counts: list[int], width: int = 96, height: int = 20) -> str:
    peak = max(counts) or 1
    step = width / (len(counts) - 1)
    return " ".join(
        f"{i * step:.1f},{height - c / peak * height:.1f}" for i, c in enumerate(counts)
    )
