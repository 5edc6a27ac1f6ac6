"""Feedback of an issue: feedback whose event belongs to the issue (follows merges)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from feedback.models import UserFeedback
from monitor.models import Event, Issue


def for_issue(issue: Issue) -> QuerySet[UserFeedback]:
    events = Event.objects.filter(project_id=issue.project_id, event_id=OuterRef("event_id"),
                                  issue_id=issue.id)
    return (UserFeedback.objects.filter(project_id=issue.project_id)
            .filter(Exists(events)).order_by("-received_at"))
