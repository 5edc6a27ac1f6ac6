"""Triage actions shared by the issue page and the API: assign, comment, ignore with conditions
that end by themselves, resolve in the next release. Each writes the activity log."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts import activity
from alerts.models import Activity, Comment
from monitor.locks import lock_issues
from monitor.models import Event, Issue

MAX_IGNORE_MINUTES = 366 * 24 * 60
MAX_COMMENT = 10000


def members_of(issue: Issue):
    return (
        get_user_model()
        .objects.filter(memberships__organization_id=issue.project.organization_id, is_active=True)
        .order_by("username")
    )


NOT_A_MEMBER = "not a member of this organisation"


def member_named(issue: Issue, username: str):
    """The member of the issue's organisation with this username. A user of the instance who
    is not a member gets the same answer as a name nobody has: members cannot probe which
    usernames exist."""
    member = members_of(issue).filter(username=username).first()
    if member is None:
        raise ValidationError({"assignee": NOT_A_MEMBER})
    return member


def _lock(issue: Issue) -> None:
    """Lock the issue (monitor.locks) and read it again: what a triage action changes and logs
    is decided from its state under the lock, so a second submit finds its change made."""
    if issue.pk not in lock_issues([issue.pk]):
        raise ValidationError({"issue": "merged into another issue meanwhile"})
    issue.refresh_from_db()


def assign(issue: Issue, assignee, by) -> Issue:
    """Assign to a member of the issue's organisation (None unassigns); assigning whom it is
    assigned to already changes and logs nothing."""
    if assignee is not None and not members_of(issue).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": NOT_A_MEMBER})
    with transaction.atomic():
        _lock(issue)
        if issue.assignee_id == (assignee.pk if assignee else None):
            return issue
        issue.assignee = assignee
        issue.save(update_fields=["assignee"])
        activity.log(issue.id, Activity.Kind.ASSIGNED, by,
                     to=assignee.username if assignee else None)
    return issue


def comment(issue: Issue, user, text: str) -> Comment:
    text = (text or "").strip()
    if not text or len(text) > MAX_COMMENT:
        raise ValidationError({"text": f"1 to {MAX_COMMENT} characters"})
    note = Comment.objects.create(issue=issue, user=user, text=text)
    activity.log(issue.id, Activity.Kind.COMMENTED, user, comment=note.id, excerpt=text[:120])
    return note


def ignore(issue: Issue, by, minutes: int | None = None, events: int | None = None,
           users: int | None = None) -> Issue:
    """Ignore, optionally until a time, N more events or N more users (whichever comes first).
    "N more" counts from the issue's counters as they are under its lock (_lock): ingest adds to
    them while holding the same lock, so none of its events is counted twice."""
    for name, value in (("minutes", minutes), ("events", events), ("users", users)):
        if value is not None and not (0 < value <= (MAX_IGNORE_MINUTES if name == "minutes"
                                                      else 10**9)):
            raise ValidationError({name: "a positive number within range"})
    with transaction.atomic():
        _lock(issue)
        issue.status = Issue.Status.IGNORED
        issue.resolved_at = None
        issue.resolved_in_release = ""
        issue.ignore_until = timezone.now() + dt.timedelta(minutes=minutes) if minutes else None
        issue.ignore_until_events = issue.times_seen + events if events else None
        issue.ignore_until_users = issue.users_seen + users if users else None
        issue.ignore_until_escalating = False
        issue.save(update_fields=["status", "resolved_at", "resolved_in_release", "ignore_until",
                                  "ignore_until_events", "ignore_until_users",
                                  "ignore_until_escalating"])
        conditions = {k: v for k, v in (("minutes", minutes), ("events", events),
                                        ("users", users)) if v}
        activity.log(issue.id, Activity.Kind.IGNORED, by, **conditions)
    return issue


def latest_release(issue: Issue) -> str:
    return (
        Event.objects.filter(issue=issue).exclude(release="").order_by("-timestamp", "-id")
        .values_list("release", flat=True).first() or ""
    )


def resolve_in_next_release(issue: Issue, by) -> Issue:
    """Resolved; only events of a release this issue has not been seen in reopen it. Without
    any release seen it is a plain resolve. The newest release is read under the issue's lock
    (events a batch adds meanwhile count); an issue resolved in that release already changes
    and logs nothing."""
    with transaction.atomic():
        _lock(issue)
        release = latest_release(issue)
        if issue.status == Issue.Status.RESOLVED and issue.resolved_in_release == release:
            return issue
        issue.status = Issue.Status.RESOLVED
        issue.resolved_at = timezone.now()
        issue.regressed = False
        issue.resolved_in_release = release
        issue.ignore_until = issue.ignore_until_events = issue.ignore_until_users = None
        issue.ignore_until_escalating = False
        issue.save(update_fields=[
            "status", "resolved_at", "regressed", "resolved_in_release", "ignore_until",
            "ignore_until_events", "ignore_until_users", "ignore_until_escalating",
        ])
        activity.log(issue.id, Activity.Kind.RESOLVED_NEXT if release else Activity.Kind.RESOLVED,
                     by, release=release)
    return issue


def ignore_reason(issue: Issue, now: dt.datetime) -> str | None:
    """Why an ignored issue's condition has ended, or None while it holds."""
    if issue.status != Issue.Status.IGNORED:
        return None
    if issue.ignore_until and now >= issue.ignore_until:
        return "time"
    if issue.ignore_until_events is not None and issue.times_seen >= issue.ignore_until_events:
        return "events"
    if issue.ignore_until_users is not None and issue.users_seen >= issue.ignore_until_users:
        return "users"
    return None


def end_ignore_if_due(issue: Issue, now: dt.datetime) -> str | None:
    """Unignore when a condition has ended (conditional update: exactly once); the reason."""
    reason = ignore_reason(issue, now)
    if reason is None:
        return None
    changed = Issue.objects.filter(pk=issue.pk, status=Issue.Status.IGNORED).update(
        status=Issue.Status.UNRESOLVED, ignore_until=None, ignore_until_events=None,
        ignore_until_users=None,
    )
    if not changed:
        return None
    issue.status = Issue.Status.UNRESOLVED
    activity.log(issue.id, Activity.Kind.UNIGNORED, None, reason=reason)
    return reason


def expired_ignores(now: dt.datetime):
    """Ignored issues whose time is up (the other conditions end when events arrive)."""
    return Issue.objects.filter(status=Issue.Status.IGNORED).filter(Q(ignore_until__lte=now))
