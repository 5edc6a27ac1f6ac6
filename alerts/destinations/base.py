"""The one interface every destination implements: `send(notification) -> Delivery`."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


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
        }  # fmt: skip


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
            self.trigger, "triggered")  # fmt: skip

    @property
    def subject(self) -> str:
        what = {"new_issue": "new issue", "regression": "regression",
                "frequency": "frequent issue", "ignore_ended": "issue no longer ignored",
                "test": "test notification"}.get(self.trigger, self.trigger)  # fmt: skip
        total = self.total or len(self.issues)
        if self.trigger == "test":
            return f"[{self.project}] Faultline test notification"
        if total == 1 and self.issues:
            return f"[{self.project}] {what}: {self.issues[0].title}"[:200]
        return f"[{self.project}] {total} × {what} ({self.rule})"

    @property
    def text(self) -> str:
        lines = [f"Rule: {self.rule}" if self.rule else "This is a test from Faultline."]
        for issue in self.issues:
            lines.append(f"- {issue.title} ({issue.times_seen} events, {issue.users_seen} users,"
                         f" {issue.level}) {issue.url}")  # fmt: skip
        total = self.total or len(self.issues)
        if total > len(self.issues):
            lines.append(f"… and {total - len(self.issues)} more")
        if self.url:
            lines.append(self.url)
        return "\n".join(lines)


@dataclass(frozen=True)
class Delivery:
    """How one attempt ended. `permanent`: retrying cannot help (bad address, blocked URL)."""

    ok: bool
    error: str = ""
    status_code: int | None = None
    permanent: bool = False


class Destination(ABC):
    """A kind of destination. Instances are built from a stored AlertDestination's config."""

    kind: str = ""

    def __init__(self, config: dict, secret: str = "", allow_private: bool = False):
        self.config = config
        self.secret = secret
        self.allow_private = allow_private

    @classmethod
    @abstractmethod
    def clean_config(cls, config: dict) -> dict:
        """Validate and normalise a config (raises ValidationError); called before saving."""

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
