"""Issue stream filters, shared by the web pages and the REST API (state changes: monitor.state).

Filtering has one entry point, `filter_issues`: the separate parameters (status, level,
environment, release) and the search query (`monitor.search`) narrow the same queryset.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from monitor.models import Event, Issue, IssueTag, Priority
from monitor.search import Search, SearchError, parse, user_tag_values

SORTS = {"last_seen": ("-last_seen",), "first_seen": ("-first_seen",),
         "events": ("-times_seen",), "users": ("-users_seen",),
         "priority": ("-priority", "-last_seen"),
         # escalating first, then by priority, then the most recent
         "attention": (F("escalating_since").desc(nulls_last=True), "-priority", "-last_seen")}
NEW_DAYS = 7  # is:new: first seen in the last week (Sentry's "new" substatus)

__all__ = ["SORTS", "SearchError", "active_search", "apply_search", "filter_issues", "sort_issues"]


def active_search(params, default_status: str = "all") -> Search:
    """The parsed query plus the separate parameters (a parameter wins over the same term)."""
    search = parse(params.get("query") or "")
    if status := params.get("status"):
        search.status = None if status == "all" else status
    elif search.status is None and default_status != "all" and not search.event_id:
        search.status = default_status
    if level := params.get("level"):
        search.level = level
    for key in ("environment", "release", "browser.name", "os.name", "device"):
        if value := params.get(key):
            search.tags = [(k, v) for k, v in search.tags if k != key] + [(key, value)]
    return search


def filter_issues(
    issues: QuerySet[Issue], params, default_status: str = "all", user=None
) -> QuerySet:
    """The search (docs/ui.md) plus `assigned` ("me" with `user`, "none", or a username).
    Raises SearchError for a query that cannot be run."""
    issues = apply_search(issues, active_search(params, default_status))
    if assigned := (params.get("assigned") or "").strip():
        if assigned == "me":
            issues = issues.filter(assignee=user) if user else issues.none()
        elif assigned == "none":
            issues = issues.filter(assignee__isnull=True)
        else:
            issues = issues.filter(assignee__username=assigned)
    return issues


def _has_tag(key: str, value) -> Exists:
    """Correlated with each issue (the (issue, key, value) index): never a scan of every
    tenant's tags."""
    values = value if isinstance(value, (list, tuple, set)) else [value]
    return Exists(IssueTag.objects.filter(issue_id=OuterRef("pk"), key=key, value__in=values))


def apply_search(issues: QuerySet[Issue], search: Search) -> QuerySet[Issue]:
    if search.status:
        issues = issues.filter(status=search.status)
    if search.level:
        issues = issues.filter(level=search.level)
    if search.priority:
        issues = issues.filter(priority=Priority[search.priority.upper()])
    if "regressed" in search.flags:
        issues = issues.filter(regressed=True)
    if "escalating" in search.flags:
        issues = issues.filter(escalating_since__isnull=False)
    if "new" in search.flags:
        issues = issues.filter(first_seen__gte=timezone.now() - dt.timedelta(days=NEW_DAYS))
    for flag in search.flags & {"assigned", "unassigned"}:
        issues = _assignment(issues, assigned=flag == "assigned")
    for key, value in search.tags:
        issues = issues.filter(_has_tag(key, value))
    if search.user:
        issues = issues.filter(_user_filter(search.user))
    for word in search.text:
        issues = issues.filter(Q(title__icontains=word) | Q(culprit__icontains=word))
    if search.event_id:
        issues = issues.filter(
            Exists(Event.objects.filter(issue_id=OuterRef("pk"), event_id=search.event_id))
        )
    return issues


def _user_filter(value: str) -> Q:
    """Issues whose `user` tag is this id, email, username or IP; an email or IP is also looked
    up in the events' user data (the tag holds only the first identity an SDK sent)."""
    by_tag = Q(_has_tag("user", list(user_tag_values(value))))
    field = "email" if "@" in value else "ip_address" if _is_ip(value) else None
    if field is None:
        return by_tag
    return by_tag | Q(Exists(Event.objects.filter(issue_id=OuterRef("pk"),
                                                  **{f"user__{field}": value})))


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _assignment(issues: QuerySet[Issue], assigned: bool) -> QuerySet[Issue]:
    """`is:assigned` needs an `assignee` field on Issue (the triage workflow adds it); without
    one nothing is assigned."""
    try:
        Issue._meta.get_field("assignee")
    except FieldDoesNotExist:
        return issues if not assigned else issues.none()
    return issues.filter(assignee__isnull=not assigned)


def sort_issues(issues: QuerySet[Issue], sort: str | None,
                default: str = "last_seen") -> QuerySet[Issue]:
    """Raises KeyError for an unknown sort."""
    return issues.order_by(*SORTS[sort or default], "-id")

