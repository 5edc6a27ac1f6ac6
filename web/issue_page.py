"""What the issue page reads from its request: the event asked for, the stream's query to go
back to, and the threshold a grouping decision used. Pure of rendering; the view is
web.views.issue_detail."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from grouping.models import DecisionRecord
from monitor import limits
from monitor.issue_events import events_of
from monitor.models import Event, Issue
from monitor.params import is_id


def stream_query(request, org, project) -> str:
    """The stream's query string to return to: carried in `stream` from page to page, first
    taken from the Referer when the member came from this project's stream (or from this page,
    when a triage action redirected back to it)."""
    if "stream" in request.GET:
        return request.GET["stream"][:limits.PAGE_STREAM_QUERY_CHARS]
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc and referer.netloc != request.get_host():
        return ""
    if referer.path == reverse("web:stream", args=[org, project.slug]):
        return referer.query[:limits.PAGE_STREAM_QUERY_CHARS]
    if referer.path == request.path:  # back from an action's redirect
        return parse_qs(referer.query).get("stream", [""])[0][:limits.PAGE_STREAM_QUERY_CHARS]
    return ""


def event_uuid(text: str) -> uuid.UUID | None:
    """An SDK event id: 32 hex digits, or a UUID with its dashes."""
    if len(text) not in (32, 36):
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def chosen_event(issue: Issue, wanted: str):
    """(event, moved, error) for `?event=`: a database id or a 32-hex event id; an id of this
    project's other issue is "moved" (a merge or unmerge took it), anything else an error."""
    events = events_of(issue)
    if not wanted:
        return events.order_by("-id").first(), None, ""
    found = None
    if is_id(wanted):
        found = Event.objects.filter(project_id=issue.project_id, pk=wanted)
    elif (event_id := event_uuid(wanted)) is not None:
        found = Event.objects.filter(project_id=issue.project_id, event_id=event_id)
    if found is None:
        return None, None, f"“{wanted[:40]}” is not an event id."
    event = found.only("id", "issue_id").first()
    if event is None:
        return None, None, f"This project has no event {wanted[:40]}."
    if event.issue_id != issue.id:
        return events.order_by("-id").first(), event, ""
    return events.filter(pk=event.pk).first(), None, ""


def decided_threshold(record: DecisionRecord | None, today: float) -> float:
    """The threshold a fingerprint's ML decision used (its record), else today's."""
    return record.threshold if record is not None and record.threshold is not None else today
