"""Template helpers of the triage pages: times with their absolute value on hover, and nested
event data (contexts, request data) as readable key/value pairs instead of Python reprs."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from monitor import limits
from web.stacktrace import as_sent

register = template.Library()


@register.simple_tag
def when(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """`<time>` reading "3 hours ago" (or "just now") with the UTC time as its tooltip."""
    if value is None:
        return ""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    text = ago(seconds) if seconds >= 0 else f"in {ago(-seconds)[:-4]}"
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(),
                       absolute(value), text)


@register.filter
def absolute(value: dt.datetime | None) -> str:
    """The UTC time as every page shows it on hover (`when`'s tooltip)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


@register.filter
def number(value) -> str:
    """A count with thousands separated by a thin space: 12 345."""
    return f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else str(value or 0)


UNITS = ((86400 * 365, "year"), (86400 * 30, "month"), (86400 * 7, "week"), (86400, "day"),
         (3600, "hour"), (60, "minute"))


def ago(seconds: float) -> str:
    """"just now", "1 minute ago", "3 hours ago": the largest whole unit (cheaper than timesince
    on a page with fifty times)."""
    for size, name in UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {name}{'s' if count != 1 else ''} ago"
    return "just now"


@register.filter
def entries(mapping) -> list:
    """`{% for key, value in mapping|entries %}`: a dict's items as they are. Django's lookup of
    `mapping.items` would read a key named "items" first (an SDK can send one)."""
    return list(mapping.items()) if isinstance(mapping, dict) else []


@register.filter
def pairs(value) -> list[tuple[str, str]]:
    """A dict → [(key, text)]; nested dicts flatten to dotted keys one level deep, anything
    deeper or a list reads as the SDK sent it (web.stacktrace.as_sent); None values are
    dropped."""
    if not isinstance(value, dict):
        return [("", _text(value))] if value not in (None, "", {}, []) else []
    out: list[tuple[str, str]] = []
    for key, item in value.items():
        if isinstance(item, dict):
            out.extend((f"{key}.{k}", _text(v)) for k, v in item.items() if v is not None)
        elif item is not None:
            out.append((str(key), _text(item)))
        if len(out) >= limits.PAGE_KEY_VALUE_PAIRS:
            break
    return out[:limits.PAGE_KEY_VALUE_PAIRS]


def _text(value) -> str:
    return as_sent(value)


@register.filter
def query_pairs(value) -> list[tuple[str, str]]:
    """A request's query string (as sent: string, pairs or dict) → [(name, value)]."""
    from urllib.parse import parse_qsl

    if isinstance(value, str):
        return parse_qsl(value.lstrip("?"), keep_blank_values=True)[:limits.PAGE_KEY_VALUE_PAIRS]
    if isinstance(value, dict):
        return [(str(k), _text(v)) for k, v in value.items()][:limits.PAGE_KEY_VALUE_PAIRS]
    if isinstance(value, list):
        return [(str(p[0]), _text(p[1])) for p in value
                if isinstance(p, (list, tuple)) and len(p) == 2][:limits.PAGE_KEY_VALUE_PAIRS]
    return []


@register.filter
def is_long(value) -> bool:
    """Text that should fold: several lines or more than 300 characters."""
    return isinstance(value, str) and (len(value) > 300 or "\n" in value)


@register.simple_tag
def setup_steps(dsn: str) -> list:
    """Per SDK: (platform, [(id suffix, title, code)]) with this DSN (web.onboarding)."""
    from web.onboarding import PLATFORMS

    return [(platform, platform.steps(dsn)) for platform in PLATFORMS]
