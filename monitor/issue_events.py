"""An issue's events, as every page and API that lists them reads them."""

from __future__ import annotations

from django.db.models import QuerySet

from monitor.models import Event, Issue


def events_of(issue: Issue) -> QuerySet[Event]:
    """The issue's events, bounded by its received span (Issue.received_from/until, which the
    database keeps around every event of the issue): the planner then reads only the partitions
    of that span, not every partition of the table. An issue without a span has no events."""
    events = Event.objects.filter(issue_id=issue.id)
    if issue.received_from is None or issue.received_until is None:
        return events
    return events.filter(received__gte=issue.received_from, received__lt=issue.received_until)
