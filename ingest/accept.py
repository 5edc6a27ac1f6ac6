"""The accept path: make a raw event durable, then ask a worker to process it.

The INSERT commits (autocommit) before the endpoint replies. Waking a worker is best effort and
coalesced (see ingest.wakeup): when the broker is down the event waits in the table and the
sweeper wakes the workers later.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

import psycopg
from django.db import connection
from django.utils import timezone

from ingest import wakeup

log = logging.getLogger(__name__)

INSERT_SQL = """
INSERT INTO ingest_rawevent (project_id, event_id, kind, payload, received_at, attempts, last_error)
VALUES (%s, %s, %s, %b, %s, 0, '')
ON CONFLICT (project_id, event_id) DO NOTHING
RETURNING id
"""


def store_raw_event(project_id: int, event_id: uuid.UUID, kind: str, payload: bytes) -> int | None:
    """Insert the raw event; the row id, or None when this event id was already accepted.

    A server-side-binding psycopg cursor sends the payload as binary: Django's client-side
    binding would escape it into the SQL text, which costs more than the rest of the request.
    Outside an atomic block Django keeps the connection in autocommit, so this commits.
    """
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
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


def publish_drain(slot: int) -> bool:
    """Send a drain task for `slot`; False (and the sweeper takes over) if the broker is down."""
    from ingest.tasks import drain

    if not publish_breaker.allow():
        return False
    try:
        drain.apply_async((slot,), retry=False)
        return True
    except Exception as exc:  # kombu raises many types for an unreachable broker
        publish_breaker.trip()
        log.warning("broker unavailable, pending events left for the sweeper: %s", exc)
        return False


def wake(slot: int) -> None:
    """Make sure a drain task of `slot` will run after this point (coalesced, see wakeup)."""
    if wakeup.should_publish(slot) and not publish_drain(slot):
        wakeup.clear(slot)  # let the next event try the broker again


def accept(project_id: int, event_id: uuid.UUID, kind: str, payload: bytes) -> None:
    if store_raw_event(project_id, event_id, kind, payload) is not None:
        wake(wakeup.slot_of(event_id))
