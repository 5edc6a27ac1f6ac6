"""Envelope items stored beside events rather than as events: attachments (attachments app)
and user feedback (feedback app). Parsed before anything is stored, so a malformed item
rejects the envelope cleanly; stored in the request, committed before the reply."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field

from attachments import accept as attachments
from feedback import accept as feedback
from ingest import database
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


def store(project_id: int, side: SideItems) -> Counter:
    """Store them; returns the counts of what was dropped, for ingest.stats. While PostgreSQL
    is unavailable they are dropped and counted (the spool keeps events only)."""
    try:
        if side.feedback:
            feedback.store(project_id, side.feedback)
        return attachments.store(project_id, side.event_id, side.attachments)
    except database.DB_UNAVAILABLE as exc:
        log.warning("attachments and feedback dropped, the database is unavailable: %s", exc)
        return Counter(attachment_database_unavailable=len(side.attachments),
                       feedback_database_unavailable=len(side.feedback))  # fmt: skip
