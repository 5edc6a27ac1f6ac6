"""Breadcrumbs as the issue page shows them: newest first, time relative to the event, an icon
per category and level, and the data that matters (URL, method, status, query) pulled out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from monitor import limits
from web.stacktrace import show_value

SHOWN = 10  # the newest crumbs shown; the rest behind a toggle
ICONS = {"http": "⇄", "fetch": "⇄", "xhr": "⇄", "query": "⛁", "navigation": "➜",
         "ui": "☝", "console": "›", "log": "›", "error": "✖", "exception": "✖",
         "default": "•"}
HIGHLIGHT = ("method", "http.method", "url", "http.query", "status_code", "reason", "from", "to")


@dataclass
class Crumb:
    icon: str
    category: str
    level: str
    message: str
    offset: str  # "-2.3 s" before the event, "" when the crumb has no usable time
    timestamp: dt.datetime | None
    highlights: list[tuple[str, str]]  # method, url, status, navigation
    data: list[tuple[str, str]]  # everything else in `data`


def to_datetime(value) -> dt.datetime | None:
    """Unix seconds (SDKs send floats) or ISO 8601 → aware datetime."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        if isinstance(value, str) and value:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def relative(seconds: float) -> str:
    """Signed offset from the event, short: "-420 ms", "-4.20 s", "-3 min 5 s", "-2 h 10 min"."""
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    if seconds < 0.0005:
        return "0 ms"
    if seconds < 1:
        return f"{sign}{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{sign}{seconds:.2f} s"
    if seconds < 60:
        return f"{sign}{seconds:.0f} s"
    if seconds < 3600:
        return f"{sign}{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"{sign}{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"


def icon_of(crumb: dict) -> str:
    category = str(crumb.get("category") or crumb.get("type") or "default").lower()
    return ICONS.get(category.split(".", 1)[0], ICONS.get(str(crumb.get("type")), ICONS["default"]))


def breadcrumbs_of(data: dict) -> list[Crumb]:
    """The event's breadcrumbs, newest first."""
    raw = data.get("breadcrumbs")
    if isinstance(raw, dict):
        raw = raw.get("values")
    if not isinstance(raw, list):
        return []
    event_time = to_datetime(data.get("timestamp"))
    crumbs = []
    for crumb in reversed(raw[-limits.PAGE_BREADCRUMBS:]):
        if not isinstance(crumb, dict):
            continue
        when = to_datetime(crumb.get("timestamp"))
        payload = crumb.get("data") if isinstance(crumb.get("data"), dict) else {}
        items = list(payload.items())[:limits.PAGE_BREADCRUMB_DATA_ITEMS]
        highlights = [(k, show_value(v)) for k, v in items if k in HIGHLIGHT]
        rest = [(str(k), show_value(v)) for k, v in items if k not in HIGHLIGHT]
        crumbs.append(Crumb(
            icon=icon_of(crumb), category=str(crumb.get("category") or crumb.get("type") or ""),
            level=str(crumb.get("level") or "info"), message=show_value(crumb.get("message") or ""),
            offset=relative((when - event_time).total_seconds()) if when and event_time else "",
            timestamp=when, highlights=highlights, data=rest,
        ))
    return crumbs
