"""What people's triage says of an issue's severity, read from the real state changes: the
activity log (monitor.state announces every assign, resolve, ignore and escalation there; a
comment is logged by alerts.comments) and the first-view records (priority.models.IssueView).

- severe: assigned, commented on, resolved in the next release (a fix shipped), or escalated;
- not severe: ignored (archived), or never opened by anyone while its events kept coming for
  UNOPENED_DAYS (received time, the server's clock);
- anything else (opened and left, resolved without a release) says nothing and is left out.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Min

from alerts.models import Activity
from monitor import limits
from monitor.models import Event, Issue
from priority.models import IssueView

Kind = Activity.Kind
# Strongest first: the label's name is the first that applies.
SEVERE = (Kind.ESCALATING, Kind.RESOLVED_NEXT, Kind.ASSIGNED, Kind.COMMENTED)
NOT_SEVERE = (Kind.IGNORED,)
UNOPENED = "unopened"
UNOPENED_DAYS = 7


RECORDED_VIEWS = 10_000  # (issue, user) pairs a process remembers as recorded, then forgets
_recorded: set[tuple[int, int]] = set()


def record_view(issue_id: int, user) -> None:
    """Remember that `user` opened the issue. Only the first view matters (it labels "opened"):
    a pair this process has recorded costs no query again, one recorded by another process a
    read, never a write."""
    if not getattr(user, "is_authenticated", False):
        return
    pair = (issue_id, user.pk)
    if pair in _recorded:
        return
    if not IssueView.objects.filter(issue_id=issue_id, user_id=user.pk).exists():
        IssueView.objects.bulk_create([IssueView(issue_id=issue_id, user_id=user.pk)],
                                      ignore_conflicts=True)
    transaction.on_commit(lambda: _remember(pair))  # a rolled-back view is not remembered


def _remember(pair: tuple[int, int]) -> None:
    if len(_recorded) >= RECORDED_VIEWS:
        _recorded.clear()
    _recorded.add(pair)


def labels(project_id: int) -> dict[int, tuple[bool, str]]:
    """issue id → (severe, what said so) for the project's newest issues that triage labels."""
    issue_ids = list(Issue.objects.filter(project_id=project_id).order_by("-id")
                     .values_list("id", flat=True)[:limits.SEVERITY_LABEL_ISSUES_PER_PROJECT])
    kinds: dict[int, set[str]] = {}
    for issue_id, kind in (Activity.objects.filter(issue_id__in=issue_ids,
                                                   kind__in=SEVERE + NOT_SEVERE)
                           .exclude(kind=Kind.ASSIGNED, data__to=None)  # an unassignment
                           .values_list("issue_id", "kind")):
        kinds.setdefault(issue_id, set()).add(kind)
    out: dict[int, tuple[bool, str]] = {}
    for issue_id, seen in kinds.items():
        severe = next((str(k) for k in SEVERE if k in seen), None)
        out[issue_id] = (True, severe) if severe else (False, str(NOT_SEVERE[0]))
    for issue_id in unopened(set(issue_ids) - set(out)):
        out[issue_id] = (False, UNOPENED)
    return out


def unopened(issue_ids: set[int]) -> list[int]:
    """The issues nobody opened although their events span UNOPENED_DAYS or more."""
    opened = set(IssueView.objects.filter(issue_id__in=issue_ids)
                 .values_list("issue_id", flat=True))
    spans = (Event.objects.filter(issue_id__in=issue_ids - opened).values("issue_id")
             .annotate(first=Min("received"), last=Max("received")))
    return sorted(row["issue_id"] for row in spans
                  if row["last"] - row["first"] >= dt.timedelta(days=UNOPENED_DAYS))
