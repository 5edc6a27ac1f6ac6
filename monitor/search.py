"""The issue search syntax, shared by the stream and the REST API (documented in docs/ui.md).

    database timeout is:unresolved level:error release:shop@1.2 environment:production
    user:alice@example.com browser:"Chrome 120" priority:high is:escalating is:new
    3f2a…(an event id)

`parse` is pure and bounded (query length, term count, value length): a query is user input and
may be hostile. Each term narrows the result (terms are ANDed); quoting keeps spaces in a value.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 512
MAX_TERMS = 16
MAX_VALUE_LENGTH = 200

STATUSES = ("unresolved", "resolved", "ignored")
FLAGS = ("regressed", "assigned", "unassigned", "escalating", "new")
LEVELS = ("debug", "info", "warning", "error", "fatal")
PRIORITIES = ("high", "medium", "low")
KEY_ALIASES = {"env": "environment", "tag": "tag"}

# key:"quoted value" | key:value | "quoted text" | word
TOKEN = re.compile(r'(?:([A-Za-z][\w.\-]{0,63}):)?(?:"([^"]*)"?|(\S+))')


class SearchError(ValueError):
    """A query that cannot be run; the message is safe to show to the user."""


@dataclass
class Search:
    text: list[str] = field(default_factory=list)
    status: str | None = None
    flags: set[str] = field(default_factory=set)
    level: str | None = None
    priority: str | None = None
    user: str | None = None
    tags: list[tuple[str, str]] = field(default_factory=list)  # release, environment, any tag
    event_id: str | None = None

    def tag(self, key: str) -> str | None:
        return next((value for k, value in self.tags if k == key), None)


def event_id_of(text: str) -> str | None:
    """32 hex digits or a dashed UUID → the hex form; anything else → None."""
    if len(text) not in (32, 36):
        return None
    try:
        return uuid.UUID(text).hex
    except ValueError:
        return None


def parse(query: str) -> Search:
    """Raises SearchError for a query over the limits or with an unknown `is:`/`level:` value."""
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchError(f"The search is longer than {MAX_QUERY_LENGTH} characters.")
    search = Search()
    terms = TOKEN.findall(query)
    if len(terms) > MAX_TERMS:
        raise SearchError(f"The search has more than {MAX_TERMS} terms.")
    for key, quoted, bare in terms:
        value = quoted if quoted or not bare else bare
        if len(value) > MAX_VALUE_LENGTH:
            raise SearchError(f"A search value is longer than {MAX_VALUE_LENGTH} characters.")
        if not key:
            if not quoted and (event_id := event_id_of(value)) and len(terms) == 1:
                search.event_id = event_id
            elif value:
                search.text.append(value)
            continue
        if value.startswith("//"):  # a URL, not a key
            search.text.append(f"{key}:{value}")
            continue
        key = KEY_ALIASES.get(key.lower(), key.lower() if key.lower() in _KNOWN else key)
        if not value:
            raise SearchError(f"{key}: needs a value.")
        _apply_term(search, key, value)
    return search


_KNOWN = {"is", "level", "priority", "user", "release", "environment", "env", "tag"}


def _apply_term(search: Search, key: str, value: str) -> None:
    if key == "is":
        value = value.lower()
        if value in STATUSES:
            search.status = value
        elif value in FLAGS:
            search.flags.add(value)
        else:
            raise SearchError(f"is:{value} is unknown; use one of {', '.join(STATUSES + FLAGS)}.")
    elif key == "level":
        if value.lower() not in LEVELS:
            raise SearchError(f"level:{value} is unknown; use one of {', '.join(LEVELS)}.")
        search.level = value.lower()
    elif key == "priority":
        if value.lower() not in PRIORITIES:
            raise SearchError(f"priority:{value} is unknown; use one of {', '.join(PRIORITIES)}.")
        search.priority = value.lower()
    elif key == "user":
        search.user = value
    elif key == "tag":  # tag:key=value, for keys that clash with the names above
        tag_key, _, tag_value = value.partition("=")
        if not tag_value:
            raise SearchError("tag: takes key=value.")
        search.tags.append((tag_key, tag_value))
    else:
        search.tags.append((key, value))


def user_tag_values(value: str) -> list[str]:
    """The `user` tag values that an id, email, username or IP search may match."""
    return [f"{prefix}:{value}" for prefix in ("id", "email", "username", "ip")]
