"""The accept path: make a raw event durable, then ask a worker to process it.

The INSERT commits (autocommit) before the endpoint replies. Publishing to the broker is best
effort: when the broker is down the event waits in the table and the sweeper enqueues it later.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)

INSERT_SQL = """
INSERT INTO ingest_rawevent (project_id, event_id, kind, payload, received_at, attempts, last_error)
VALUES (%s, %s, %s, %s, %s, 0, '')
ON CONFLICT (project_id, event_id) DO NOTHING
RETURNING id
"""


def store_raw_event(project_id: int, event_id: uuid.UUID, kind: str, payload: bytes) -> int | None:
    """Insert the raw event; the row id, or None when this event id was already accepted."""
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [project_id, event_id, kind, payload, timezone.now()])
        row = cursor.fetchone()
    return row[0] if row else None


class _PublishBreaker:
    """After a failed publish, skip publishing for `pause` seconds (the sweeper catches up)."""

    def __init__(self, pause: float = 5.0):
        self.pause = pause
        self.open_until = 0.0
        self.lock = threading.Lock()

    def allow(self) -> bool:
        return time.monotonic() >= self.open_until

    def trip(self) -> None:
        with self.lock:
            self.open_until = time.monotonic() + self.pause

    def reset(self) -> None:
        self.open_until = 0.0


publish_breaker = _PublishBreaker()


def enqueue(raw_id: int | None) -> bool:
    from ingest.tasks import process_raw_events

    if not publish_breaker.allow():
        return False
    try:
        process_raw_events.apply_async((raw_id,), retry=False)
        return True
    except Exception as exc:  # kombu raises many types for an unreachable broker
        publish_breaker.trip()
        log.warning("broker unavailable, raw event %s left for the sweeper: %s", raw_id, exc)
        return False


def accept(project_id: int, event_id: uuid.UUID, kind: str, payload: bytes) -> None:
    raw_id = store_raw_event(project_id, event_id, kind, payload)
    if raw_id is not None:
        enqueue(raw_id)
