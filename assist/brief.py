"""The issue brief: what failed, where, since when, who is affected, what changed, and how the
organisation resolved similar issues — from the stored data alone, no model.

`compose` is a pure function of facts already read (`gather` reads them with a handful of cheap
indexed queries). The brief is the card's default content: right by construction, because every
line is a field of the issue's own data. It respects the consent categories (assist.gate) the
same way a prompt does where the category says something about what may be *shown* here: code
lines only with repository-code consent; never a user identifier (only the counts the issue
header already shows). Nothing in it leaves the service or is generated, so it needs no
generative consent; its text is also the grounding corpus for generated answers
(assist.grounding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from grouping.clean import clean_function, frames_of, is_in_app
from monitor import limits

WHO_TAGS = ("environment", "browser", "os", "runtime", "device")


@dataclass(frozen=True)
class Link:
    """One exception of the chain; `value` is the message's first line."""

    type: str
    value: str


@dataclass(frozen=True)
class Site:
    """A frame: function, file or module, line number, and its code only with code consent."""

    function: str
    file: str
    line: int | None
    code: str = ""
    column: int | None = None  # what tells frames apart in minified JavaScript (one line)

    @property
    def text(self) -> str:
        at = f"{self.file}:{self.line}" if self.line else self.file
        if self.line and self.column:
            at += f":{self.column}"
        return f"{self.function} ({at})" if at else self.function


@dataclass(frozen=True)
class Resolved:
    """A similar resolved issue of the same organisation and how it was resolved."""

    issue_id: int
    project_slug: str
    title: str
    notes: tuple[str, ...]
    fix_release: str


@dataclass(frozen=True)
class Facts:
    """What `gather` reads about an issue besides its latest event."""

    first_seen: dt.datetime
    last_seen: dt.datetime
    times_seen: int
    users_seen: int
    regressed: bool
    regressed_at: dt.datetime | None
    resolved_in_release: str
    first_release: str
    last_day: int  # events in the last 24 h
    day_before: int  # events in the 24 h before that
    tags: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Brief:
    chain: list[Link]  # root cause first
    crash: Site | None
    caller: Site | None
    facts: Facts | None
    resolved: list[Resolved]

    @property
    def root(self) -> Link | None:
        return self.chain[0] if self.chain else None

    @property
    def trend(self) -> str:
        f = self.facts
        if f is None:
            return ""
        last = f"{f.last_day} event{'s' if f.last_day != 1 else ''} in the last 24 h"
        if f.last_day == 0:
            return "no events in the last 24 h"
        if f.day_before == 0:
            return f"{last}, none the day before"
        change = (f.last_day - f.day_before) / f.day_before
        word = "rising" if change > 0.2 else "falling" if change < -0.2 else "steady"
        return f"{word}: {last}, {f.day_before} the day before"

    @property
    def changed(self) -> str:
        f = self.facts
        if f is None:
            return ""
        if f.regressed:
            since = f" after it was resolved in {f.resolved_in_release}" \
                if f.resolved_in_release else ""
            return f"Regression: seen again{since}."
        if f.first_release:
            return f"New in release {f.first_release}."
        return "No release was reported with its events."

    @property
    def text(self) -> str:
        """The brief as plain text (the grounding corpus and the API's `brief.text`)."""
        lines = [f"{link.type}: {link.value}" for link in self.chain]
        for label, site in (("at", self.crash), ("called from", self.caller)):
            if site:
                lines.append(f"{label} {site.text} {site.code}".strip())
        if self.facts:
            lines += [self.changed, self.trend]
            lines += [f"{key}: " + ", ".join(v for v, _ in values)
                      for key, values in self.facts.tags.items()]
        for other in self.resolved:
            lines.append(f"#{other.issue_id} {other.title} {' '.join(other.notes)} "
                         f"{other.fix_release}")
        return "\n".join(lines)


def _first_line(text: object) -> str:
    return str(text or "").strip().split("\n", 1)[0][:limits.ASSIST_BRIEF_VALUE_CHARS]


def _site(frame: dict, with_code: bool) -> Site:
    file = str(frame.get("filename") or frame.get("abs_path") or frame.get("module") or "")
    line, column = frame.get("lineno"), frame.get("colno")
    code = (str(frame.get("context_line") or "").strip()[:limits.ASSIST_BRIEF_CODE_CHARS]
            if with_code else "")
    return Site(clean_function(str(frame.get("function") or ""))[:120], file[-120:],
                _positive(line), code, _positive(column))


def _positive(number: object) -> int | None:
    return number if type(number) is int and number > 0 else None


def chain(event: dict, with_messages: bool = True) -> list[Link]:
    """The exception chain, root cause first (the SDKs send the root cause first)."""
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    links = [Link(str(e.get("type") or "Error")[:80], _first_line(e.get("value"))
                  if with_messages else "") for e in exceptions[:limits.ASSIST_BRIEF_EXCEPTIONS]]
    if not links and with_messages and event.get("message"):
        links = [Link("Message", _first_line(event.get("message")))]
    return links


def crash_sites(event: dict, with_code: bool) -> tuple[Site | None, Site | None]:
    """The crash frame in application code and the application frame that called it."""
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    for exc in exceptions:  # root cause first: where it really broke
        frames = frames_of(exc.get("stacktrace"))
        app = [f for f in frames if is_in_app(f)] or frames
        if app:
            crash = _site(app[-1], with_code)
            caller = _site(app[-2], with_code) if len(app) > 1 else None
            return crash, caller
    return None, None


def compose(event: dict, facts: Facts | None, resolved: list[Resolved],
            categories: frozenset[str]) -> Brief:
    """The brief of one issue. `categories` are the organisation's consented categories
    (assist.gate.allowed_categories): code lines appear only with repository_code."""
    crash, caller = crash_sites(event, with_code="repository_code" in categories)
    return Brief(chain(event), crash, caller, facts, resolved)


def gather(issue, event) -> Brief:
    """Read what the brief needs (indexed queries only) and compose it."""
    from assist import gate, retrieval
    from monitor.models import Event, IssueTag

    organization_id = issue.project.organization_id
    now = dt.datetime.now(dt.UTC)
    events = Event.objects.filter(issue=issue)
    last_day = events.filter(timestamp__gte=now - dt.timedelta(days=1)).count()
    day_before = events.filter(timestamp__gte=now - dt.timedelta(days=2),
                               timestamp__lt=now - dt.timedelta(days=1)).count()
    tags: dict[str, list[tuple[str, int]]] = {}
    first_release = ""
    rows = IssueTag.objects.filter(issue=issue, key__in=(*WHO_TAGS, "release")).order_by(
        "-times_seen").values_list("key", "value", "times_seen", "first_seen")[:200]
    earliest = None
    for key, value, seen, first in rows:
        if key == "release":
            if earliest is None or first < earliest:
                earliest, first_release = first, value
            continue
        if len(tags.setdefault(key, [])) < limits.ASSIST_BRIEF_TAG_VALUES:
            tags[key].append((value, seen))
    facts = Facts(issue.first_seen, issue.last_seen, issue.times_seen, issue.users_seen,
                  issue.regressed, issue.regressed_at, issue.resolved_in_release or "",
                  first_release or (event.release if event else ""), last_day, day_before,
                  {k: tags[k] for k in WHO_TAGS if k in tags})
    resolved = retrieval.resolved_neighbours(issue)
    categories = gate.allowed_categories(organization_id)
    return compose(event.data if event else {}, facts, resolved, categories)
