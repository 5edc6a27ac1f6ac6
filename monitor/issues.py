"""Issue stream filters, shared by the web pages and the REST API (state changes: monitor.state).

Filtering has one entry point, `filter_issues`: the separate parameters (status, level,
environment, release) and the search query (`monitor.search`) narrow the same queryset.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from monitor import limits
from monitor.models import Event, Issue, IssueTag, Priority, ProjectTagValue
from monitor.search import (
    EVENT_FILTERS,
    Search,
    SearchError,
    has_wildcard,
    parse,
    user_tag_values,
    wildcard_regex,
)

SORTS = {"last_seen": ("-last_seen",), "first_seen": ("-first_seen",),
         "events": ("-times_seen",), "users": ("-users_seen",),
         "priority": ("-priority", "-last_seen"),
         # escalating first, then by priority, then the most recent
         "attention": (F("escalating_since").desc(nulls_last=True), "-priority", "-last_seen")}
NEW_DAYS = 7  # is:new: first seen in the last week (Sentry's "new" substatus)

__all__ = ["SORTS", "SearchError", "active_search", "apply_search", "filter_issues", "sort_issues",
           "tag_keys"]


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
    """The search (docs/ui.md) plus the `assigned` parameter ("me", "none", or a username), the
    same as an `assigned:` term. Raises SearchError for a query that cannot be run."""
    search = active_search(params, default_status)
    if assigned := (params.get("assigned") or "").strip():
        search.assigned.append(assigned)
    return apply_search(issues, search, user=user)


class PerIssueExists(Exists):
    """EXISTS that PostgreSQL evaluates per issue. `OFFSET 0` keeps the planner from turning it
    into a join: for a pattern no index can take, the join read every tenant's rows of the key
    through the (key, value) index and filtered them (957,232 `release` rows, 0.75 s, at 7 M
    events); for the values a pattern resolved to, it read every row of each (40,051 rows in
    25,000 heap pages for `release:app-0@2.*` at 10 M events, 210 ms from cold buffers), where
    probing each of the project's issues stops at its first match (128 ms cold, 42 ms warm)."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def _has_tag(key: str, value=None, scope: QuerySet[Issue] | None = None) -> Exists:
    """Correlated with each issue (the (issue, key, value) index): never a scan of every
    tenant's tags. `value` may be a list, a `*` pattern, or None for any value; a pattern on a
    key of EVENT_FILTERS is first resolved against the values of the projects of `scope` (the
    issues searched), and each issue is then probed for those values (one index lookup) rather
    than having every tag row of the key matched by the pattern."""
    tags = IssueTag.objects.filter(issue_id=OuterRef("pk"), key=key)
    if isinstance(value, (list, tuple, set)):
        tags = tags.filter(value__in=value)
    elif isinstance(value, str) and has_wildcard(value):
        values = matching_values(scope, key, value) if scope is not None else None
        if values is None:
            return PerIssueExists(tags.filter(value__iregex=wildcard_regex(value)))
        return PerIssueExists(tags.filter(value__in=values))
    elif value is not None:
        tags = tags.filter(value=value)
    return Exists(tags)


def matching_values(scope: QuerySet[Issue], key: str, pattern: str) -> list[str] | None:
    """The values of `key` (one of EVENT_FILTERS) that the projects of the issues in `scope` have
    had and that the `*` pattern matches (in PostgreSQL, as the tag counts would be matched); at
    most limits.SEARCH_WILDCARD_VALUES rows are read. None when the key is not kept per project
    or the projects have more values than that: the caller matches issue by issue."""
    if key not in EVENT_FILTERS:
        return None
    matches = ExpressionWrapper(Q(value__iregex=wildcard_regex(pattern)),
                                output_field=BooleanField())
    rows = list(ProjectTagValue.objects
                .filter(project_id__in=scope.order_by().values("project_id"), key=key)
                .annotate(matches=matches).values_list("value", "matches")
                [:limits.SEARCH_WILDCARD_VALUES + 1])
    if len(rows) > limits.SEARCH_WILDCARD_VALUES:
        return None
    return sorted({value for value, matched in rows if matched})


LOOKUPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "=": "exact"}


def apply_search(issues: QuerySet[Issue], search: Search, user=None) -> QuerySet[Issue]:
    """Narrow `issues` by the search; `user` answers `assigned:me`. A tag key that no issue in
    `issues` has is a SearchError naming the keys there are, never a silent empty stream."""
    _check_tag_keys(issues, search.tag_keys() - set(EVENT_FILTERS))
    return issues.filter(search_q(search, user, scope=issues))


def search_q(search: Search, user=None, scope: QuerySet[Issue] | None = None) -> Q:
    """The search as one condition; negated terms are NOT of theirs. `scope`, the issues
    searched, lets a wildcard be resolved against their projects' values first."""
    q = Q()
    if search.status:
        q &= Q(status=search.status)
    if search.level:
        q &= Q(level=search.level)
    if search.priority:
        q &= Q(priority=Priority[search.priority.upper()])
    if "regressed" in search.flags:
        q &= Q(regressed=True)
    if "escalating" in search.flags:
        q &= Q(escalating_since__isnull=False)
    if "new" in search.flags:
        q &= Q(first_seen__gte=timezone.now() - dt.timedelta(days=NEW_DAYS))
    for flag in search.flags & {"assigned", "unassigned"}:
        q &= Q(assignee__isnull=flag == "unassigned")
    for assigned in search.assigned:
        q &= _assigned_q(assigned, user)
    for key, value in search.tags:
        q &= Q(_has_tag(key, value, scope))
    for key in search.has:
        q &= Q(_has_tag(key))
    for bound in search.bounds:
        q &= Q(**{f"{bound.column}__{LOOKUPS[bound.op]}": bound.value})
    if search.user:
        q &= _user_filter(search.user)
    for word in search.text:
        q &= Q(title__icontains=word) | Q(culprit__icontains=word)
    if search.event_id:
        q &= Q(Exists(Event.objects.filter(issue_id=OuterRef("pk"), event_id=search.event_id)))
    for part in search.negated:
        q &= ~search_q(part, user, scope)
    return q


def _assigned_q(assigned: str, user) -> Q:
    if assigned == "me":
        return Q(assignee=user) if user is not None and user.is_authenticated else Q(pk__in=[])
    if assigned == "none":
        return Q(assignee__isnull=True)
    return Q(assignee__username=assigned)


def tag_keys(issues: QuerySet[Issue], limit: int = 40) -> list[str]:
    """Tag keys these issues have, at most `limit` (error hints and suggestions only)."""
    return sorted(IssueTag.objects.filter(issue__in=issues.values("pk"))
                  .values_list("key", flat=True).distinct()[:limit])


def _check_tag_keys(issues: QuerySet[Issue], keys: set[str]) -> None:
    for key in sorted(keys):
        if not IssueTag.objects.filter(issue__in=issues.values("pk"), key=key).exists():
            known = tag_keys(issues, limit=20)
            hint = f" Keys here: {', '.join(known)}." if known else ""
            raise SearchError(f"No issue here has a tag “{key}”: is the key spelt right?{hint}")


def _user_filter(value: str) -> Q:
    """Issues whose `user` tag is this id, email, username or IP; an email or IP is also looked
    up in the events' user data (the tag holds only the first identity an SDK sent)."""
    by_tag = Q(_has_tag("user", list(user_tag_values(value))))
    field = "email" if "@" in value else "ip_address" if _is_ip(value) else None
    if field is None:
        return by_tag
    # Uncorrelated: the events of that identity (an expression index), not a scan of every
    # issue's events for it.
    return by_tag | Q(pk__in=Event.objects.filter(**{f"user__{field}": value})
                      .values("issue_id"))


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def sort_issues(issues: QuerySet[Issue], sort: str | None,
                default: str = "last_seen") -> QuerySet[Issue]:
    """Raises KeyError for an unknown sort."""
    return issues.order_by(*SORTS[sort or default], "-id")

