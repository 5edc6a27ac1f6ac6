"""Issue stream filters and status changes, shared by the web pages and the REST API."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from monitor.models import Issue, IssueTag
from monitor.signals import status_changed

SORTS = {"last_seen": "-last_seen", "first_seen": "-first_seen", "events": "-times_seen",
         "users": "-users_seen"}  # fmt: skip


def filter_issues(
    issues: QuerySet[Issue], params, default_status: str = "all", user=None
) -> QuerySet:
    """status (or "all"), level, environment, release, query over title and culprit, and
    assigned ("me" with `user`, "none", or a username)."""
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
    if assigned := (params.get("assigned") or "").strip():
        if assigned == "me":
            issues = issues.filter(assignee=user) if user else issues.none()
        elif assigned == "none":
            issues = issues.filter(assignee__isnull=True)
        else:
            issues = issues.filter(assignee__username=assigned)
    return issues


def sort_issues(issues: QuerySet[Issue], sort: str | None) -> QuerySet[Issue]:
    """Raises KeyError for an unknown sort."""
    return issues.order_by(SORTS[sort or "last_seen"], "-id")


def set_status(issues: QuerySet[Issue], status: str, by=None) -> int:
    """Resolving stamps resolved_at and clears the regression flag (a later event reopens it).
    Any change clears ignore conditions and "resolved in next release"; the activity log hears
    of it through monitor.signals.status_changed."""
    fields: dict = {"status": status, "resolved_at": None, "ignore_until": None,
                    "ignore_until_events": None, "ignore_until_users": None,
                    "resolved_in_release": ""}  # fmt: skip
    if status == Issue.Status.RESOLVED:
        fields.update(resolved_at=timezone.now(), regressed=False)
    ids = list(issues.exclude(status=status).values_list("id", flat=True))
    count = issues.update(**fields)
    if ids:
        status_changed.send(sender=Issue, issue_ids=ids, status=status, user=by)
    return count
