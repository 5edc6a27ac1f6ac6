"""The one interface every destination implements: `send(notification) -> Delivery`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

SUBJECT_LIMIT = 200
_SPACES = re.compile(r"\s+")
_BREAKING = {"Cc", "Cs", "Zl", "Zp"}  # controls (CR, LF, ESC …), lone surrogates, separators


def one_line(text: str, limit: int = SUBJECT_LIMIT) -> str:
    """`text` fit for a header: control and separator characters (newlines above all, which
    make Django refuse to send) become spaces, runs of space one, at most `limit` characters."""
    text = "".join(" " if unicodedata.category(c) in _BREAKING else c for c in text)
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# A mention in chat text: `@name`, `@channel`, Zulip's `@**all**` (an `@` that does not end
# the local part of an address), and the `<!channel>`, `<@U…>`, `<#C…>` of Slack and Discord.
_MENTION = re.compile(r"(?<![\w.+-])@(?=[\w*])|<(?=[!@#])")


def unmentioned(text: str) -> str:
    """`text` for a chat message: every mention keeps its look (a zero-width space follows its
    `@` or `<`) and pings no one. Titles come from SDKs, so from anyone with the public DSN:
    an event titled `@channel …` would page the whole alert channel with its words."""
    return _MENTION.sub(lambda match: match.group() + "\u200b", text)


def redacted(url: str) -> str:
    """Scheme and host of a URL, the rest masked: what members may see of a destination whose
    path, query or user part may carry a token."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(invalid URL)"
    if ":" in host:
        host = f"[{host}]"
    rest = url.split("://", 1)[-1]
    hidden = rest not in (f"{host}{port}", f"{host}{port}/") or parts.username is not None
    return f"{parts.scheme}://{host}{port}" + ("/…" if hidden else "")


@dataclass(frozen=True)
class IssueRef:
    """What a message says about one issue."""

    id: int
    title: str
    culprit: str
    level: str
    status: str
    times_seen: int
    users_seen: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    url: str
    project: str
    platform: str = ""

    def as_sentry_issue(self) -> dict:
        """The issue as Sentry's webhooks describe it (`data.issue`)."""
        return {
            "id": str(self.id), "title": self.title, "culprit": self.culprit,
            "level": self.level, "status": self.status, "platform": self.platform,
            "count": str(self.times_seen), "userCount": self.users_seen,
            "firstSeen": self.first_seen.isoformat(), "lastSeen": self.last_seen.isoformat(),
            "web_url": self.url, "permalink": self.url, "project": {"slug": self.project},
        }


@dataclass(frozen=True)
class Notification:
    """One message: a rule fired for one or more issues (a digest), or a test."""

    project: str
    rule: str
    trigger: str  # new_issue, regression, frequency, ignore_ended, test
    issues: list[IssueRef] = field(default_factory=list)
    total: int = 0  # issues in the digest (the list may be cut short)
    url: str = ""

    @property
    def action(self) -> str:
        """Sentry's issue-webhook action for the trigger."""
        return {"new_issue": "created", "regression": "unresolved",
                "ignore_ended": "unresolved", "frequency": "triggered"}.get(
            self.trigger, "triggered")

    @property
    def subject(self) -> str:
        what = {"new_issue": "new issue", "regression": "regression",
                "frequency": "frequent issue", "ignore_ended": "issue no longer ignored",
                "test": "test notification"}.get(self.trigger, self.trigger)
        total = self.total or len(self.issues)
        if self.trigger == "test":
            return one_line(f"[{self.project}] Faultline test notification")
        if total == 1 and self.issues:
            return one_line(f"[{self.project}] {what}: {self.issues[0].title}")
        return one_line(f"[{self.project}] {total} × {what} ({self.rule})")

    @property
    def text(self) -> str:
        lines = [f"Rule: {self.rule}" if self.rule else "This is a test from Faultline."]
        for issue in self.issues:
            lines.append(f"- {issue.title} ({issue.times_seen} events, {issue.users_seen} users,"
                         f" {issue.level}) {issue.url}")
        total = self.total or len(self.issues)
        if total > len(self.issues):
            lines.append(f"… and {total - len(self.issues)} more")
        if self.url:
            lines.append(self.url)
        return "\n".join(lines)


@dataclass(frozen=True)
class Delivery:
    """How one attempt ended. `error` is shown to every member: short, no URL, no response
    body. `detail` (library message, response excerpt) only to owners and admins.
    `permanent`: retrying cannot help (bad address, blocked URL)."""

    ok: bool
    error: str = ""
    status_code: int | None = None
    permanent: bool = False
    detail: str = ""


class Destination(ABC):
    """A kind of destination. Instances are built from a stored AlertDestination's config."""

    kind: str = ""
    guarded: bool = True  # connects where the config says: alerts.netguard checks each socket

    def __init__(self, config: dict, secret: str = "", allow_private: bool = False):
        self.config = config
        self.secret = secret
        self.allow_private = allow_private

    @classmethod
    @abstractmethod
    def clean_config(cls, config: dict) -> dict:
        """Validate and normalise a config (raises ValidationError); called before saving."""

    @classmethod
    def check_permitted(cls, config: dict, staff: bool) -> None:
        """Raise ValidationError if only staff may save this (cleaned) config."""
        return None

    @classmethod
    def describe(cls, config: dict) -> str:
        """Where it sends to, safe to show to every member (no secrets)."""
        return ""

    @abstractmethod
    def send(self, notification: Notification) -> Delivery:
        """Send once; never raises for a delivery failure (returns ok=False)."""


def require(config: dict, key: str, kind: type = str):
    value = config.get(key)
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        raise ValidationError({key: f"required ({kind.__name__})"})
    return value
