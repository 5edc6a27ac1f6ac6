"""What one line of the issue stream shows beyond the issue's columns: its short id, its
substatus markers, a compact age, its sparkline and event count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from monitor.models import Issue
from monitor.short_ids import short_id
from monitor.state import substatus

MARKERS = ("new", "regressed", "escalating")  # the substatuses the stream marks
AGE_UNITS = ((86400 * 365, "y"), (86400 * 7, "w"), (86400, "d"), (3600, "h"), (60, "min"))


@dataclass(frozen=True)
class Row:
    issue: Issue
    short_id: str
    markers: list[str]
    age: str  # since first seen
    last_seen: str
    points: str  # the sparkline's SVG points
    events: int  # total, or under the page's environment/release filters


def compact_age(seconds: float) -> str:
    """"5min", "3h", "2d", "4w", "1y": the largest whole unit, short enough for a column."""
    for size, unit in AGE_UNITS:
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "now"


def markers(issue: Issue, now: dt.datetime) -> list[str]:
    found = substatus(issue, now)
    return [found] if found in MARKERS else []


def row(issue: Issue, project_slug: str, now: dt.datetime, points: str, events: int) -> Row:
    return Row(issue=issue, short_id=short_id(project_slug, issue.id),
               markers=markers(issue, now),
               age=compact_age((now - issue.first_seen).total_seconds()),
               last_seen=compact_age((now - issue.last_seen).total_seconds()),
               points=points, events=events)
