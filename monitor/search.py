"""The issue search syntax, shared by the stream and the REST API (documented in docs/ui.md).

    database timeout is:unresolved level:error !level:info release:shop@1.* has:user
    assigned:me times_seen:>10 firstSeen:-24h user:alice@example.com browser:"Chrome 120"
    priority:high is:escalating is:new 3f2a…(an event id)

`parse` is pure and bounded (query length, term count, value length): a query is user input and
may be hostile. Terms are ANDed; `!key:value` or `-key:value` negates one; quoting keeps spaces
in a value; `*` in a tag value is a wildcard. Whether a tag key exists is a question for the
data (`monitor.issues.apply_search` answers it), never a silent empty stream.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from monitor import limits

STATUSES = ("unresolved", "resolved", "ignored")
FLAGS = ("regressed", "assigned", "unassigned", "escalating", "new")
LEVELS = ("debug", "info", "warning", "error", "fatal")
PRIORITIES = ("high", "medium", "low")
KEY_ALIASES = {"env": "environment", "timesseen": "times_seen", "firstseen": "first_seen",
               "lastseen": "last_seen", "assigned_to": "assigned", "user_count": "users",
               "users_seen": "users"}
# Comparable issue columns: numbers, and times (relative -1h/+7d, or absolute dates).
NUMBERS = {"times_seen": "times_seen", "users": "users_seen"}
TIMES = {"age": "first_seen", "first_seen": "first_seen", "last_seen": "last_seen"}
BUILT_IN = {"is", "level", "priority", "user", "tag", "has", "assigned", *NUMBERS, *TIMES}
LOWERCASE_KEYS = BUILT_IN | {"release", "environment"}  # tag keys keep their case
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
RELATIVE = re.compile(r"([+-])(\d{1,6})([mhdw])")
COMPARISON = re.compile(r"(>=|<=|>|<|=)?(.*)", re.S)

# [!-]key:"quoted value" | [!-]key:value | "quoted text" | word
TOKEN = re.compile(r'(?:([!-])?([A-Za-z][\w.\-]{0,63}):)?(?:"([^"]*)"?|(\S+))')


class SearchError(ValueError):
    """A query that cannot be run; the message is safe to show to the user."""


@dataclass(frozen=True)
class Bound:
    """`column op value` on an issue column: a number or an aware datetime."""

    column: str
    op: str  # one of > >= < <= =
    value: int | dt.datetime


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
    has: list[str] = field(default_factory=list)  # tag keys an issue must have
    assigned: list[str] = field(default_factory=list)  # "me", "none" or a username
    bounds: list[Bound] = field(default_factory=list)
    negated: list[Search] = field(default_factory=list)  # each one term an issue must not match

    def tag(self, key: str) -> str | None:
        return next((value for k, value in self.tags if k == key), None)

    def tag_keys(self) -> set[str]:
        """Tag keys the terms name (their own and negated ones), to check against the data."""
        keys = {key for key, _ in self.tags}
        for part in self.negated:
            keys |= part.tag_keys()
        return keys


def event_id_of(text: str) -> str | None:
    """32 hex digits or a dashed UUID → the hex form; anything else → None."""
    if len(text) not in (32, 36):
        return None
    try:
        return uuid.UUID(text).hex
    except ValueError:
        return None


def parse(query: str, now: dt.datetime | None = None) -> Search:
    """Raises SearchError for a query over the limits, with an unknown `is:`/`level:` value or
    a malformed comparison. `now` anchors relative times (`-1h`); default: the current time."""
    query = (query or "").strip()
    if len(query) > limits.SEARCH_QUERY_CHARS:
        raise SearchError(f"The search is longer than {limits.SEARCH_QUERY_CHARS} characters.")
    now = now or dt.datetime.now(dt.UTC)
    search = Search()
    terms = TOKEN.findall(query)
    if len(terms) > limits.SEARCH_TERMS:
        raise SearchError(f"The search has more than {limits.SEARCH_TERMS} terms.")
    for negation, key, quoted, bare in terms:
        value = quoted if quoted or not bare else bare
        if len(value) > limits.SEARCH_VALUE_CHARS:
            raise SearchError(
                f"A search value is longer than {limits.SEARCH_VALUE_CHARS} characters.")
        if not key:
            if not quoted and (event_id := event_id_of(value)) and len(terms) == 1:
                search.event_id = event_id
            elif value:
                search.text.append(value)
            continue
        if value.startswith("//"):  # a URL, not a key
            search.text.append(f"{negation}{key}:{value}")
            continue
        lowered = key.lower()
        key = KEY_ALIASES.get(lowered, lowered if lowered in LOWERCASE_KEYS else key)
        if not value:
            raise SearchError(f"{key}: needs a value.")
        target = Search() if negation else search
        _apply_term(target, key, value, now=now)
        if negation:
            search.negated.append(target)
    return search


def _apply_term(search: Search, key: str, value: str, now: dt.datetime) -> None:
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
    elif key == "has":
        search.has.append(KEY_ALIASES.get(value.lower(), value))
    elif key == "assigned":
        search.assigned.append(value)
    elif key in NUMBERS:
        search.bounds.append(_number_bound(key, value))
    elif key in TIMES:
        search.bounds.extend(_time_bounds(key, value, now))
    elif key == "tag":  # tag:key=value, for keys that clash with the names above
        tag_key, _, tag_value = value.partition("=")
        if not tag_value:
            raise SearchError("tag: takes key=value.")
        search.tags.append((tag_key, _wildcards(tag_value)))
    else:
        search.tags.append((key, _wildcards(value)))


def _wildcards(value: str) -> str:
    if value.count("*") > limits.SEARCH_WILDCARDS_PER_VALUE:
        raise SearchError(
            f"A search value has more than {limits.SEARCH_WILDCARDS_PER_VALUE} wildcards (*).")
    return value


def has_wildcard(value: str) -> bool:
    return "*" in value


def wildcard_regex(value: str) -> str:
    """`shop@1.*` → an anchored, case-insensitive-ready regex with every other character
    literal."""
    return "^" + ".*".join(re.escape(part) for part in value.split("*")) + "$"


def _number_bound(key: str, value: str) -> Bound:
    op, number = COMPARISON.fullmatch(value).groups()
    if not number.isdigit() or len(number) > 15:
        raise SearchError(f"{key}: takes a number, optionally after >, >=, < or <= "
                          f"(e.g. {key}:>10).")
    return Bound(NUMBERS[key], op or "=", int(number))


def _time_bounds(key: str, value: str, now: dt.datetime) -> list[Bound]:
    """`-24h`: within the last 24 hours; `+7d`: more than 7 days ago; `>2026-12-01` (or `<`,
    `>=`, `<=`, or a bare date for that day): absolute, in UTC."""
    column = TIMES[key]
    if relative := RELATIVE.fullmatch(value):
        sign, amount, unit = relative.groups()
        since = now - dt.timedelta(**{UNITS[unit]: int(amount)})
        return [Bound(column, ">=" if sign == "-" else "<", since)]
    op, text = COMPARISON.fullmatch(value).groups()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SearchError(
            f"{key}: takes a relative time (-1h, -7d, +30d) or a date (>2026-12-01, "
            f"<=2026-12-01T10:00)."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if moment > now + dt.timedelta(days=1):
        raise SearchError(f"{key}:{value} is in the future: no issue can match it.")
    if op is None and len(text) <= 10:  # a bare date: that whole day
        return [Bound(column, ">=", moment), Bound(column, "<", moment + dt.timedelta(days=1))]
    return [Bound(column, op or "=", moment)]


DEFAULT_QUERY = "is:unresolved"  # the stream's query when none is given, shown in its box
# The tags every event carries as a column: the stream has a select for each (its choices are
# web.queries.filter_choices), a search accepts them before any issue is tagged (an empty
# answer is an answer) and the stream's event counts follow them.
EVENT_FILTERS = ("environment", "release")
TERM_KEYS = {"status": "is", "level": "level", **{key: key for key in EVENT_FILTERS},
             "assigned": "assigned"}  # a stream select → its search key


def _term_key(negation: str, key: str, value: str) -> str | None:
    """Which select a term of the query belongs to ("status", "level", ...), or None."""
    if negation or not key:
        return None
    lowered = key.lower()
    key = KEY_ALIASES.get(lowered, lowered if lowered in LOWERCASE_KEYS else key)
    if key == "is":
        return "status" if value.lower() in STATUSES else None
    return key if key in TERM_KEYS and key != "status" else None


def with_term(query: str, name: str, value: str) -> str:
    """`query` with the term of select `name` (a TERM_KEYS key) replaced by `value`, or removed
    when `value` is empty or "all": the stream's selects write into the query, so the box and
    the selects never disagree. Other terms keep their text and order."""
    kept = [match.group(0) for match in TOKEN.finditer(query or "")
            if _term_key(match.group(1), match.group(2),
                         match.group(3) or match.group(4) or "") != name]
    if value and value != "all":
        value = value.replace('"', "")  # the syntax has no escaped quote
        value = f'"{value}"' if " " in value else value
        kept.append(f"{TERM_KEYS[name]}:{value}")
    return " ".join(kept)


def stream_query(params) -> str:
    """The stream's whole query as one text: the `query` parameter (DEFAULT_QUERY when there is
    none) with the selects' parameters written into it. A select sent empty means "any" and
    removes its term (status: "all" does; an empty status is left to the query)."""
    query = params.get("query")
    query = DEFAULT_QUERY if query is None else query
    if len(query) > limits.SEARCH_QUERY_CHARS:
        return query  # parse refuses it
    for name in TERM_KEYS:
        if name in params and (params[name] or name != "status"):
            query = with_term(query, name, params[name][:limits.SEARCH_VALUE_CHARS])
    return query


def select_values(search: Search) -> dict[str, str]:
    """What each stream select shows for a parsed query ("" for "any")."""
    assigned = next((a for a in search.assigned if a in ("me", "none")), "")
    return {"status": search.status or "all", "level": search.level or "",
            **{key: search.tag(key) or "" for key in EVENT_FILTERS}, "assigned": assigned}


def user_tag_values(value: str) -> list[str]:
    """The `user` tag values that an id, email, username or IP search may match."""
    return [f"{prefix}:{value}" for prefix in ("id", "email", "username", "ip")]


FIXED_VALUES = {
    "is": STATUSES + FLAGS,
    "level": LEVELS,
    "priority": PRIORITIES,
    "assigned": ("me", "none"),
    "times_seen": (">10", ">100", ">1000"),
    "users": (">1", ">10", ">100"),
    **{key: ("-1h", "-24h", "-7d", "+30d") for key in TIMES},
}
SUGGESTED_KEYS = ("is", "level", "priority", "release", "environment", "user", "assigned", "has",
                  "times_seen", "users", "age", "firstSeen", "lastSeen")


def split_token(token: str) -> tuple[str, str | None, str]:
    """`!release:sh` → ("!", "release", "sh"); `rel` → ("", None, "rel")."""
    sign = token[:1] if token[:1] in ("!", "-") else ""
    key, colon, partial = token[len(sign):].partition(":")
    return (sign, key, partial) if colon else (sign, None, key)


def fixed_suggestions(token: str, tag_keys: Callable[[], list[str]]) -> list[str] | None:
    """Completions of the last token the syntax alone knows (keys, `is:` values...); None when
    the answer is in the data (a tag's values). `tag_keys` is asked only when keys are."""
    sign, key, partial = split_token(token[:limits.SEARCH_VALUE_CHARS])
    if key is None:
        keys = [*SUGGESTED_KEYS, *(k for k in tag_keys() if k not in SUGGESTED_KEYS)]
        return [f"{sign}{k}:" for k in keys if k.lower().startswith(partial.lower())][
            :limits.SEARCH_SUGGESTIONS]
    canonical = KEY_ALIASES.get(key.lower(), key.lower() if key.lower() in LOWERCASE_KEYS
                                else key)
    if canonical == "has":
        values: tuple[str, ...] | list[str] = tag_keys()
    elif canonical in FIXED_VALUES:
        values = FIXED_VALUES[canonical]
    else:
        return None
    return [f"{sign}{key}:{v}" for v in values if v.lower().startswith(partial.lower())][
        :limits.SEARCH_SUGGESTIONS]
