"""What each release brought: read-side queries of the releases page and API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from monitor.models import Issue, Project

SUMMARY_SQL = """
WITH tags AS (
    SELECT it.issue_id, it.value, it.times_seen, it.first_seen, it.last_seen
    FROM monitor_issuetag it JOIN monitor_issue i ON i.id = it.issue_id
    WHERE i.project_id = %(project)s AND it.key = 'release'
), per_release AS (
    SELECT value, MIN(first_seen) AS first_seen, MAX(last_seen) AS last_seen,
           SUM(times_seen)::bigint AS events, COUNT(*) AS issues
    FROM tags GROUP BY value
), firsts AS (
    SELECT DISTINCT ON (issue_id) issue_id, value FROM tags ORDER BY issue_id, first_seen, value
), new_issues AS (
    SELECT value, COUNT(*) AS n FROM firsts GROUP BY value
), regressions AS (
    SELECT a.data ->> 'release' AS value, COUNT(DISTINCT a.issue_id) AS n
    FROM alerts_activity a JOIN monitor_issue i ON i.id = a.issue_id
    WHERE i.project_id = %(project)s AND a.kind = 'regressed'
    GROUP BY a.data ->> 'release'
), users AS (
    SELECT release AS value, COUNT(*) AS n FROM releases_releaseuser
    WHERE project_id = %(project)s GROUP BY release
)
SELECT r.value, r.first_seen, r.last_seen, r.events, r.issues,
       COALESCE(n.n, 0), COALESCE(g.n, 0), COALESCE(u.n, 0)
FROM per_release r
LEFT JOIN new_issues n ON n.value = r.value
LEFT JOIN regressions g ON g.value = r.value
LEFT JOIN users u ON u.value = r.value
WHERE %(version)s::text IS NULL OR r.value = %(version)s
ORDER BY r.first_seen DESC, r.value
LIMIT %(limit)s OFFSET %(offset)s
"""


@dataclass(frozen=True)
class ReleaseSummary:
    version: str
    first_event: dt.datetime
    last_event: dt.datetime
    events: int
    issues: int  # issues with at least one event in the release
    new_issues: int  # issues whose first event was in the release
    regressed_issues: int  # resolved issues reopened by an event of the release
    users: int  # distinct users with an event in the release (as beat has counted them)


def summaries(project: Project, limit: int = 50, offset: int = 0,
              version: str | None = None) -> list[ReleaseSummary]:
    """The project's releases (or one of them), newest first seen first."""
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SQL, {"project": project.id, "limit": limit, "offset": offset,
                                     "version": version})
        return [ReleaseSummary(*row) for row in cursor.fetchall()]


def summary(project: Project, version: str) -> ReleaseSummary | None:
    found = summaries(project, limit=1, version=version)
    return found[0] if found else None


def introduced(project: Project, version: str) -> list[Issue]:
    """Issues whose first event came with this release."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT issue_id FROM (
                   SELECT DISTINCT ON (it.issue_id) it.issue_id, it.value
                   FROM monitor_issuetag it JOIN monitor_issue i ON i.id = it.issue_id
                   WHERE i.project_id = %s AND it.key = 'release'
                   ORDER BY it.issue_id, it.first_seen, it.value) firsts
               WHERE value = %s""", [project.id, version])
        ids = [row[0] for row in cursor.fetchall()]
    return list(Issue.objects.filter(id__in=ids).order_by("-last_seen")[:200])


def regressed(project: Project, version: str) -> list[Issue]:
    """Resolved issues that an event of this release reopened."""
    return list(Issue.objects.filter(project=project, activity__kind="regressed",
                                     activity__data__release=version)
                .distinct().order_by("-last_seen")[:200])
