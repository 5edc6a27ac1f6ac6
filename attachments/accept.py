"""`attachment` envelope items → Attachment rows, within a per-event and a per-project limit.
Over a limit the attachment is dropped (and counted), never the event it came with. The limits
are read and used under one lock per project (ingest.quota), so concurrent requests cannot
together store past them."""

from __future__ import annotations

import uuid
from collections import Counter

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from attachments.models import Attachment
from ingest import quota, ratelimit, side_items
from ingest.normalize import clean_str


def store(project_id: int, event_id: uuid.UUID | None, items: list) -> Counter:
    """Store what fits; returns what was dropped, by reason."""
    dropped: Counter = Counter()
    if not items:
        return dropped
    if event_id is None:
        dropped["attachment_without_event"] += len(items)
        return dropped
    with transaction.atomic():
        quota.lock(project_id, "attachments")
        return _store_within_limits(project_id, event_id, items, dropped)


def _store_within_limits(project_id: int, event_id: uuid.UUID, items: list,
                         dropped: Counter) -> Counter:
    per_event = Attachment.objects.filter(project_id=project_id, event_id=event_id).aggregate(
        total=Sum("size"))["total"] or 0
    per_project = Attachment.objects.filter(project_id=project_id).aggregate(
        total=Sum("size"))["total"] or 0
    rows = []
    for item in items:
        size = len(item.payload)
        if per_event + size > settings.ATTACHMENTS_MAX_EVENT_SIZE:
            dropped["attachment_over_event_limit"] += 1
            continue
        if per_project + size > settings.ATTACHMENTS_MAX_PROJECT_SIZE:
            dropped["attachment_over_project_limit"] += 1
            continue
        per_event += size
        per_project += size
        headers = item.headers
        rows.append([
            project_id, event_id, size, item.payload,
            clean_str(headers.get("filename") or "attachment", 256),
            clean_str(headers.get("content_type") or "", 128),
            clean_str(headers.get("attachment_type") or "event.attachment", 64),
            timezone.now(),
        ])
    if rows:
        # psycopg's server-side binding sends the bytes as they are: Django's client-side binding
        # would escape each attachment into the statement's text, several copies of it
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.executemany(INSERT_SQL, rows)
    return dropped


INSERT_SQL = """
INSERT INTO attachments_attachment
    (project_id, event_id, size, data, name, content_type, attachment_type, received_at)
VALUES (%s, %s, %s, %b, %s, %s, %s, %s)
"""


# Taken whole from the envelope: the item is stored as it came.
SIDE_ITEM = side_items.Kind(
    label="attachment", types=frozenset({"attachment"}), category=ratelimit.ATTACHMENTS,
    parse=lambda item, event_id: item, store=store)
