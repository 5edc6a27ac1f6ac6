"""Read-side queries of the triage pages: scoped projects, the filtered stream, sparklines."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from monitor.issues import SORTS, filter_issues, sort_issues
from monitor.models import Issue, IssueTag, Project

SPARK_HOURS = 24


def visible_projects(user) -> QuerySet[Project]:
    return (
        Project.objects.filter(organization__memberships__user=user)
        .select_related("organization")
        .order_by("organization__slug", "slug")
    )


def project_for(user, org_slug: str, project_slug: str) -> Project:
    return get_object_or_404(visible_projects(user), organization__slug=org_slug, slug=project_slug)


def stream(project: Project, params, user=None) -> QuerySet[Issue]:
    issues = filter_issues(Issue.objects.filter(project=project), params, "unresolved", user)
    sort = params.get("sort")
    return sort_issues(issues, sort if sort in SORTS else None)


def tag_values(project: Project, key: str) -> list[str]:
    return list(
        IssueTag.objects.filter(issue__project=project, key=key)
        .values_list("value", flat=True)
        .distinct()
        .order_by("value")[:50]
    )


def sparklines(issue_ids: list[int], now: dt.datetime | None = None) -> dict[int, list[int]]:
    """Events per hour over the last day, one query for the whole page."""
    now = now or timezone.now()
    start = now - dt.timedelta(hours=SPARK_HOURS)
    lines = {issue_id: [0] * SPARK_HOURS for issue_id in issue_ids}
    if not issue_ids:
        return lines
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT issue_id, FLOOR(EXTRACT(EPOCH FROM (timestamp - %s)) / 3600)::int AS hour,"
            " COUNT(*) FROM monitor_event WHERE issue_id = ANY(%s) AND timestamp >= %s"
            " AND timestamp < %s GROUP BY 1, 2",
            [start, issue_ids, start, now],
        )
        for issue_id, hour, count in cursor.fetchall():
            if 0 <= hour < SPARK_HOURS:
                lines[issue_id][hour] = count
    return lines


def spark_points(counts: list[int], width: int = 96, height: int = 20) -> str:
    peak = max(counts) or 1
    step = width / (len(counts) - 1)
    return " ".join(
        f"{i * step:.1f},{height - c / peak * height:.1f}" for i, c in enumerate(counts)
    )
