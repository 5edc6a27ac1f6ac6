"""The priority and escalation state changes of an issue, each made once under the issue's row
lock (monitor.locks, taken by the caller or here) and written to the activity log.

- escalate: the hour it crossed and the limit; priority one step up (unless a person set it),
  remembered to return to; an issue ignored until escalating wakes up;
- deescalate: back under the limit; the priority returns;
- set_priority: a person's choice, which locks it (nothing automatic changes it again);
- ignore_until_escalating: ignored, woken by escalate.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts import activity
from alerts import outbox as alert_outbox
from alerts.models import Activity, AlertFact
from monitor.locks import lock_issues
from monitor.models import Issue, Priority
from priority.rules import Assessment, escalated

NEW_DAYS = 7
MAX_FACT_COUNT = 2**31 - 1  # AlertFact.count's column
SUBSTATUSES = ("new", "ongoing", "escalating", "regressed", "archived_until_escalating",
               "archived_until_condition_met", "archived_forever")


def substatus(issue: Issue, now: dt.datetime | None = None) -> str | None:
    """Sentry's substatus names: new, ongoing, escalating, regressed (unresolved issues),
    archived_until_escalating, archived_until_condition_met, archived_forever (ignored ones);
    None for resolved issues."""
    now = now or timezone.now()
    if issue.status == Issue.Status.RESOLVED:
        return None
    if issue.status == Issue.Status.IGNORED:
        if issue.ignore_until_escalating:
            return "archived_until_escalating"
        if issue.ignore_until or issue.ignore_until_events or issue.ignore_until_users:
            return "archived_until_condition_met"
        return "archived_forever"
    if issue.escalating_since:
        return "escalating"
    if issue.regressed:
        return "regressed"
    if issue.first_seen >= now - dt.timedelta(days=NEW_DAYS):
        return "new"
    return "ongoing"


def escalate(issue_id: int, hour: dt.datetime, count: int, limit: float) -> bool:
    """Mark the (locked) issue escalating; False when it is already, or not eligible."""
    issue = (Issue.objects.filter(pk=issue_id, escalating_since__isnull=True)
             .filter(Q(status=Issue.Status.UNRESOLVED)
                     | Q(status=Issue.Status.IGNORED, ignore_until_escalating=True)).first())
    if issue is None:
        return False
    fields = ["escalating_since"]
    issue.escalating_since = hour
    woke = issue.status == Issue.Status.IGNORED
    if woke:
        issue.status = Issue.Status.UNRESOLVED
        issue.ignore_until_escalating = False
        fields += ["status", "ignore_until_escalating"]
    if not issue.priority_locked:
        issue.priority_before_escalation = issue.priority
        issue.priority = escalated(issue.priority)
        fields += ["priority", "priority_before_escalation"]
    issue.save(update_fields=fields)
    activity.log(issue.id, Activity.Kind.ESCALATING, None, hour=hour.isoformat(), count=count,
                 limit=round(limit, 1), priority=issue.get_priority_display(), woke=woke)
    AlertFact.objects.create(project_id=issue.project_id, issue_id=issue.id,
                             kind=AlertFact.Kind.ESCALATING, count=min(count, MAX_FACT_COUNT),
                             level=issue.level, at=timezone.now())
    transaction.on_commit(alert_outbox.wake)
    return True


def deescalate(issue_id: int) -> bool:
    """Back under its limit: not escalating, and its priority from before (the caller holds the
    lock)."""
    issue = Issue.objects.filter(pk=issue_id, escalating_since__isnull=False).first()
    if issue is None:
        return False
    issue.escalating_since = None
    if not issue.priority_locked and issue.priority_before_escalation is not None:
        issue.priority = issue.priority_before_escalation
    issue.priority_before_escalation = None
    issue.save(update_fields=["escalating_since", "priority", "priority_before_escalation"])
    activity.log(issue.id, Activity.Kind.DEESCALATED, None,
                 priority=issue.get_priority_display())
    return True


def _lock(issue: Issue) -> None:
    if issue.pk not in lock_issues([issue.pk]):
        raise ValidationError({"issue": "merged into another issue meanwhile"})
    issue.refresh_from_db()


def priority_value(label) -> int:
    """"high"/"medium"/"low" (or 75/50/25) → the stored value; ValidationError otherwise."""
    for choice in Priority:
        if label in (choice.label, choice.value, str(choice.value)):
            return int(choice.value)
    raise ValidationError({"priority": "one of high, medium, low"})


def set_priority(issue: Issue, label, by) -> Issue:
    """A person's priority: set and locked; the same value again changes and logs nothing."""
    value = priority_value(label)
    with transaction.atomic():
        _lock(issue)
        if issue.priority == value and issue.priority_locked:
            return issue
        before = issue.get_priority_display()
        issue.priority, issue.priority_locked = value, True
        issue.priority_before_escalation = None
        issue.save(update_fields=["priority", "priority_locked", "priority_before_escalation"])
        activity.log(issue.id, Activity.Kind.PRIORITY, by, before=before,
                     to=issue.get_priority_display())
    return issue


def ignore_until_escalating(issue: Issue, by) -> Issue:
    with transaction.atomic():
        _lock(issue)
        if issue.status == Issue.Status.IGNORED and issue.ignore_until_escalating:
            return issue
        issue.status = Issue.Status.IGNORED
        issue.ignore_until_escalating = True
        issue.resolved_at = None
        issue.resolved_in_release = ""
        issue.ignore_until = issue.ignore_until_events = issue.ignore_until_users = None
        issue.save(update_fields=["status", "ignore_until_escalating", "resolved_at",
                                  "resolved_in_release", "ignore_until", "ignore_until_events",
                                  "ignore_until_users"])
        activity.log(issue.id, Activity.Kind.IGNORED, by, until="escalating")
    return issue


def apply_assessment(issue_id: int, assessment: Assessment, severity: float | None) -> bool:
    """Give the (locked) issue the assessed priority unless a person set one; while it is
    escalating the assessment is what it returns to, and it stays one step higher."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.priority_locked:
        return False
    issue.severity = severity
    issue.priority_factors = assessment.factors
    if issue.escalating_since:
        issue.priority_before_escalation = assessment.priority
        issue.priority = escalated(assessment.priority)
    else:
        issue.priority = assessment.priority
    issue.save(update_fields=["severity", "priority_factors", "priority",
                              "priority_before_escalation"])
    return True
