"""Issue stream filters and status changes, shared by the web pages and the REST API."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from monitor.models import Issue, IssueTag

SORTS = {"last_seen": "-last_seen", "first_seen": "-first_seen", "events": "-times_seen",
         "users": "-users_seen"}  # fmt: skip


def filter_issues(issues: QuerySet[Issue], params, default_status: str = "all") -> QuerySet:
    """status (or "all"), level, environment, release, query over title and culprit."""
    status = params.get("status") or default_status
    if status != "all":
        issues = issues.filter(status=status)
    if level := params.get("level"):
        issues = issues.filter(level=level)
    for tag in ("environment", "release", "browser.name", "os.name", "device"):
        if value := params.get(tag):
            issues = issues.filter(
                id__in=IssueTag.objects.filter(key=tag, value=value).values("issue_id")
            )
    if query := (params.get("query") or "").strip():
        issues = issues.filter(Q(title__icontains=query) | Q(culprit__icontains=query))
    return issues


def sort_issues(issues: QuerySet[Issue], sort: str | None) -> QuerySet[Issue]:
    """Raises KeyError for an unknown sort."""
    return issues.order_by(SORTS[sort or "last_seen"], "-id")


def set_status(issues: QuerySet[Issue], status: str) -> int:
    """Resolving stamps resolved_at and clears the regression flag (a later event reopens it)."""
    fields: dict = {"status": status, "resolved_at": None}
    if status == Issue.Status.RESOLVED:
        fields.update(resolved_at=timezone.now(), regressed=False)
    return issues.update(**fields)
