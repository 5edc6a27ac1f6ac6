"""Envelope items stored beside events rather than as events: attachments (attachments app)
and user feedback (feedback app). Parsed before anything is stored, so a malformed item
rejects the envelope cleanly; each takes a token from its category's budget of the DSN key
(ingest.ratelimit), the items over it dropped and counted; stored in the request, committed
before the reply."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field

from attachments import accept as attachments
from feedback import accept as feedback
from ingest import database, ratelimit
from ingest.auth import KeyInfo
from ingest.payload import EnvelopeItem

log = logging.getLogger(__name__)

TYPES = {"attachment", "user_report", "feedback"}


@dataclass
class SideItems:
    event_id: uuid.UUID | None
    attachments: list[EnvelopeItem] = field(default_factory=list)
    feedback: list[dict] = field(default_factory=list)


def prepare(items: list[EnvelopeItem], event_id: uuid.UUID | None) -> SideItems:
    """`event_id`: the envelope's (or its only event's) id, which attachments belong to."""
    out = SideItems(event_id)
    for item in items:
        if item.type == "attachment":
            out.attachments.append(item)
        elif (parsed := feedback.parse_item(item.type, item.payload, event_id)) is not None:
            out.feedback.append(parsed)
    return out


def take_budget(key: KeyInfo, side: SideItems) -> tuple[list[ratelimit.Limited], Counter]:
    """Keep the items the key's budgets grant (in envelope order); returns the limits that
    refused some, and the counts of the items dropped."""
    limits: list[ratelimit.Limited] = []
    dropped: Counter = Counter()
    for category, name, reason in (
        (ratelimit.ATTACHMENTS, "attachments", "attachment_rate_limited"),
        (ratelimit.FEEDBACK, "feedback", "feedback_rate_limited"),
    ):
        items = getattr(side, name)
        granted, limited = ratelimit.take(key.public_key, category, len(items),
                                          key.rate_limit_count, key.rate_limit_window)
        if limited is not None:
            limits.append(limited)
            dropped[reason] += len(items) - granted
            setattr(side, name, items[:granted])
    return limits, dropped


def store(project_id: int, side: SideItems) -> Counter:
    """Store them; returns the counts of what was dropped, for ingest.stats. While PostgreSQL
    is unavailable they are dropped and counted (the spool keeps events only)."""
    try:
        dropped = feedback.store(project_id, side.feedback)
        return dropped + attachments.store(project_id, side.event_id, side.attachments)
    except database.DB_UNAVAILABLE as exc:
        log.warning("attachments and feedback dropped, the database is unavailable: %s", exc)
        return Counter(attachment_database_unavailable=len(side.attachments),
                       feedback_database_unavailable=len(side.feedback))
