"""`user_report` and `feedback` envelope items (and the legacy endpoint's body) → UserFeedback,
committed in the request like raw events. Bounded (FEEDBACK_MAX_PROJECT_ROWS per project,
checked and used under one lock per project: ingest.quota), and idempotent for SDK retries."""

from __future__ import annotations

import uuid
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from feedback.models import UserFeedback
from ingest import quota, ratelimit, side_items
from ingest.errors import too_large
from ingest.normalize import clean_str
from ingest.payload import parse_event_id, parse_json_object
from monitor import limits

NAMESPACE = uuid.UUID("5b0f6a56-3f0e-4a53-9d51-8f3c0d8a2c11")


def _text(value: object, limit: int) -> str:
    return clean_str(value, limit).strip() if isinstance(value, (str, int, float)) else ""


def from_user_report(report: dict, source: str = UserFeedback.Source.USER_REPORT) -> dict | None:
    """{event_id, name, email, comments} → feedback fields; None when there is nothing said."""
    comments = _text(report.get("comments"), limits.FEEDBACK_COMMENT_CHARS)
    if not comments:
        return None
    event_id = parse_event_id(report.get("event_id"))
    name, email = _text(report.get("name"), 128), _text(report.get("email"), 128)
    key = f"{event_id}:{name}:{email}:{comments}"
    return {"feedback_id": uuid.uuid5(NAMESPACE, key), "event_id": event_id, "name": name,
            "email": email, "comments": comments, "source": source}


def from_feedback_event(event: dict, fallback_id: uuid.UUID | None) -> dict | None:
    """A `feedback` item (an event with `contexts.feedback`, SDK 8+)."""
    contexts = event.get("contexts") if isinstance(event.get("contexts"), dict) else {}
    body = contexts.get("feedback") if isinstance(contexts.get("feedback"), dict) else {}
    comments = _text(body.get("message"), limits.FEEDBACK_COMMENT_CHARS)
    if not comments:
        return None
    return {
        "feedback_id": parse_event_id(event.get("event_id")) or fallback_id or uuid.uuid4(),
        "event_id": parse_event_id(body.get("associated_event_id")),
        "name": _text(body.get("name"), 128), "email": _text(body.get("contact_email"), 128),
        "comments": comments, "url": _text(body.get("url"), 1024),
        "source": UserFeedback.Source.FEEDBACK,
    }


def store(project_id: int, fields: list[dict]) -> Counter:
    """Store what fits under the project's cap; returns what was dropped, by reason. Feedback
    already stored (an SDK retry) is neither stored again nor counted against the cap."""
    dropped: Counter = Counter()
    if not fields:
        return dropped
    with transaction.atomic():
        quota.lock(project_id, "feedback")
        rows = UserFeedback.objects.filter(project_id=project_id)
        known = set(rows.filter(feedback_id__in=[f["feedback_id"] for f in fields])
                    .values_list("feedback_id", flat=True))
        fresh = list({f["feedback_id"]: f for f in fields if f["feedback_id"] not in known}
                     .values())
        room = max(0, settings.FEEDBACK_MAX_PROJECT_ROWS - rows.count())
        if len(fresh) > room:
            dropped["feedback_over_project_limit"] += len(fresh) - room
        UserFeedback.objects.bulk_create(
            [UserFeedback(project_id=project_id, received_at=timezone.now(), **f)
             for f in fresh[:room]], ignore_conflicts=True)
    return dropped


def parse_item(item_type: str, payload: bytes, envelope_event_id: uuid.UUID | None) -> dict | None:
    """Raises IngestError (400) for malformed JSON, like every envelope item, and (413) past
    INGEST_MAX_EVENT_SIZE, before it is parsed (parsed JSON holds many times its bytes)."""
    if len(payload) > settings.INGEST_MAX_EVENT_SIZE:
        raise too_large(f"{item_type} item is {len(payload)} bytes; "
                        f"the limit is {settings.INGEST_MAX_EVENT_SIZE}")
    value = parse_json_object(payload, f"{item_type} item")
    if item_type == "user_report":
        return from_user_report(value)
    return from_feedback_event(value, envelope_event_id)


SIDE_ITEM = side_items.Kind(
    label="feedback", types=frozenset({"user_report", "feedback"}),
    category=ratelimit.FEEDBACK,
    parse=lambda item, event_id: parse_item(item.type, item.payload, event_id),
    store=lambda project_id, event_id, fields: store(project_id, fields))
