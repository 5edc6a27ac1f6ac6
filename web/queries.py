"""Read-side queries of the triage pages: the filtered stream, tags, sparklines (from the stored
hourly counts). Which projects
a user sees is access.visible_projects."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from monitor import limits
from monitor.issues import SORTS, apply_search, sort_issues, tag_keys
from monitor.models import Event, Issue, IssueHourlyCount, IssueTag, Project, ProjectRelease
from monitor.search import (
    EVENT_FILTERS,
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
            if key in EVENT_FILTERS and not has_wildcard(value)}


def filter_choices(project: Project) -> dict[str, list[str]]:
    """What each select of EVENT_FILTERS offers: the project's values newest first seen first
    (so 1.10 follows 1.9), at most 50. Not from the tag counts, which grow with every deploy
    times every issue: releases from the project's own list (one row per release, indexed by
    first seen), environments by one index descent each."""
    return {key: CHOICES[key](project) for key in EVENT_FILTERS}


def _releases(project: Project) -> list[str]:
    return list(ProjectRelease.objects.filter(project=project).order_by("-first_seen", "-id")
                .values_list("version", flat=True)[:50])


# One index descent per environment (event_project_env_idx), however many events there are:
# the next environment after the last one found, then when each was first received.
ENVIRONMENTS_SQL = """
WITH RECURSIVE found(environment) AS (
    (SELECT environment FROM monitor_event WHERE project_id = %(project)s AND environment > ''
     ORDER BY environment LIMIT 1)
    UNION ALL
    SELECT (SELECT e.environment FROM monitor_event e
            WHERE e.project_id = %(project)s AND e.environment > found.environment
            ORDER BY e.environment LIMIT 1)
    FROM found WHERE found.environment IS NOT NULL
)
SELECT environment FROM found WHERE environment IS NOT NULL
ORDER BY (SELECT min(received) FROM monitor_event
          WHERE project_id = %(project)s AND environment = found.environment) DESC, environment
LIMIT 50
"""


def _environments(project: Project) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(ENVIRONMENTS_SQL, {"project": project.id})
        return [row[0] for row in cursor.fetchall()]


CHOICES = {"environment": _environments, "release": _releases}


def suggestions(project: Project, token: str) -> list[str]:
    """Completions of the search box's last token: keys and fixed values from the syntax, a
    tag's most frequent values (by prefix) from the data; at most limits.SEARCH_SUGGESTIONS."""
    fixed = fixed_suggestions(token, lambda: tag_keys(Issue.objects.filter(project=project)))
    if fixed is not None:
        return fixed
    sign, key, partial = split_token(token[:limits.SEARCH_VALUE_CHARS])
    values = frequent_values(project, key or "", partial)
    return [f'{sign}{key}:"{v}"' if " " in v else f"{sign}{key}:{v}" for v in values]


def frequent_values(project: Project, key: str, prefix: str) -> list[str]:
    """A tag's most frequent values starting with `prefix` (any case), among the tag counts of
    the project's limits.SEARCH_SUGGESTION_ISSUES most recently seen issues, at most
    limits.SEARCH_SUGGESTION_ROWS of them: index lookups of a bounded number of issues, never
    every tag value of every issue of the project (which grows with every deploy and user)."""
    recent = (Issue.objects.filter(project=project).order_by("-last_seen")
              .values("id")[:limits.SEARCH_SUGGESTION_ISSUES])
    rows = (IssueTag.objects.filter(issue_id__in=recent, key=key, value__istartswith=prefix)
            .values_list("value", "times_seen")[:limits.SEARCH_SUGGESTION_ROWS])
    totals: Counter[str] = Counter()
    for value, times_seen in rows:
        totals[value] += times_seen
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [value for value, _ in ranked[:limits.SEARCH_SUGGESTIONS]]


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


def hourly_counts(issue_id: int, since: dt.datetime) -> dict[dt.datetime, int]:
    """The issue's stored events per received hour since `since` (at most 720 rows)."""
    return dict(IssueHourlyCount.objects.filter(issue_id=issue_id, hour__gte=since)
                .values_list("hour", "count"))




def chart_marks(issue: Issue, since: dt.datetime) -> list[tuple[str, dt.datetime, str]]:
    """What the chart marks: first seen, the last regression, and the project's releases whose
    first event came in the window (ProjectRelease, one indexed range)."""
    marks = [("first-seen", issue.first_seen, "first seen")]
    if issue.regressed_at:
        marks.append(("regression", issue.regressed_at, "regression"))
    releases = (ProjectRelease.objects.filter(project_id=issue.project_id, first_seen__gte=since)
                .order_by("-first_seen").values_list("version", "first_seen")
                [:limits.PAGE_CHART_RELEASE_MARKS])
    marks.extend(("release", at, f"release {version}") for version, at in releases)
    return marks


@dataclass
class TagValue:
    value: str
    count: int
    percent: int
    query: str  # the stream's query string that filters on this value, or ""


@dataclass
class TagKey:
    key: str
    total: int  # events with this tag
    distinct: int  # how many values it has
    values: list[TagValue]  # the most frequent, at most TAG_VALUES_SHOWN
    other: int  # events of the values not shown

    @property
    def other_percent(self) -> int:
        return round(100 * self.other / self.total) if self.total else 0


TAG_VALUES_SHOWN = 5
SEARCH_KEY = re.compile(r"[A-Za-z][\w.\-]{0,63}")  # a key monitor.search reads


def filter_query(key: str, value: str) -> str:
    """The stream's query string that keeps the issues with this tag value (monitor.search
    syntax, quoted when the value has a space); "" where the syntax cannot say the value (a
    double quote in it, an empty value)."""
    if not value or '"' in value or not SEARCH_KEY.fullmatch(key):
        return ""
    term = f'{key}:"{value}"' if any(c.isspace() for c in value) else f"{key}:{value}"
    return urlencode({"query": term})


def tag_distribution(issue: Issue) -> list[TagKey]:
    """Every tag key of the issue (up to limits.PAGE_TAG_KEYS) with its most frequent values and
    their share of the events that carry the key: one query over the issue's tag counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, value, times_seen, total, distinct_values FROM ("
            " SELECT key, value, times_seen,"
            " SUM(times_seen) OVER (PARTITION BY key) AS total,"
            " COUNT(*) OVER (PARTITION BY key) AS distinct_values,"
            " ROW_NUMBER() OVER (PARTITION BY key ORDER BY times_seen DESC, value) AS rank,"
            " DENSE_RANK() OVER (ORDER BY key) AS key_rank"
            " FROM monitor_issuetag WHERE issue_id = %s) ranked"
            " WHERE rank <= %s AND key_rank <= %s ORDER BY key, rank",
            [issue.id, TAG_VALUES_SHOWN, limits.PAGE_TAG_KEYS],
        )
        rows = cursor.fetchall()
    keys: dict[str, TagKey] = {}
    for key, value, count, total, distinct in rows:
        tag = keys.setdefault(key, TagKey(key, int(total), distinct, [], int(total)))
        tag.values.append(TagValue(value, count, round(100 * count / total) if total else 0,
                                   filter_query(key, value)))
        tag.other -= count
    return list(keys.values())


def event_tags(event: Event) -> list[tuple[str, str, str]]:
    """The shown event's own tags as (key, value, stream query string)."""
    tags = event.tags if isinstance(event.tags, list) else []
    return [(str(pair[0]), str(pair[1]), filter_query(str(pair[0]), str(pair[1])))
            for pair in tags[:limits.PAGE_TAG_KEYS]
            if isinstance(pair, list | tuple) and len(pair) == 2]


@dataclass
class EventNavigation:
    """The oldest, older, newer and latest event ids (None where that is the shown event),
    by id: arrival order, unique (the SDK's timestamps can repeat or run backwards); and the
    releases of the oldest and the latest stored event, read by the same queries."""

    oldest: int | None
    older: int | None
    newer: int | None
    latest: int | None
    first_release: str
    last_release: str

    @property
    def links(self) -> list[tuple[str, int | None]]:
        return [("oldest", self.oldest), ("older", self.older), ("newer", self.newer),
                ("latest", self.latest)]


def event_navigation(events: QuerySet[Event], event: Event) -> EventNavigation:
    def other(event_id: int | None) -> int | None:
        return event_id if event_id != event.id else None

    def first(queryset) -> int | None:
        return queryset.values_list("id", flat=True).first()

    oldest_id, first_release = events.order_by("id").values_list("id", "release").first()
    latest_id, last_release = events.order_by("-id").values_list("id", "release").first()
    return EventNavigation(
        other(oldest_id), first(events.filter(id__lt=event.id).order_by("-id")),
        first(events.filter(id__gt=event.id).order_by("id")), other(latest_id),
        first_release or "", last_release or "")


EVENT_LIST_FIELDS = ("id", "event_id", "timestamp", "release", "environment", "user")


@dataclass
class EventList:
    """One page of an issue's events, newest first (by id: arrival order). `newer` / `older`
    are the keys of the pages either side (the first and last id shown; None: no such page),
    `number` the page's number as the link that led here said it, for display only."""

    rows: list[Event]
    number: int
    newer: int | None
    older: int | None


def event_list(events: QuerySet[Event], before: int | None = None, after: int | None = None,
               number: int = 1, last_page: int = 1, size: int = 20) -> EventList:
    """The page of `events` just older than id `before`, or just newer than `after` (keyset:
    an index range, however deep the page), else page `number` (at most `last_page`, which the
    bounded count gives) by offset: what links of earlier versions of the page name."""
    shown = events.only(*EVENT_LIST_FIELDS)
    if after is not None:
        rows = list(shown.filter(id__gt=after).order_by("id")[:size + 1])
        newer = rows[size - 1].id if len(rows) > size else None
        rows = rows[:size][::-1]
        older = rows[-1].id if rows and events.filter(id__lt=rows[-1].id).exists() else None
        return EventList(rows, number, newer, older)
    if before is not None:
        rows = list(shown.filter(id__lt=before).order_by("-id")[:size + 1])
        newer_exists = bool(rows) and events.filter(id__gt=rows[0].id).exists()
    else:
        number = max(1, min(number, last_page))
        offset = (number - 1) * size
        rows = list(shown.order_by("-id")[offset:offset + size + 1])
        newer_exists = number > 1 and bool(rows)
    older = rows[size - 1].id if len(rows) > size else None
    rows = rows[:size]
    return EventList(rows, number, rows[0].id if newer_exists else None, older)
