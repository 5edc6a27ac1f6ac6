"""The accept path: make a raw event durable, then ask a worker to process it.

The INSERT commits (autocommit) before the endpoint replies. Waking a worker is best effort and
coalesced (see monitor.wakeup): when the broker is down the event waits in the table and the
sweeper wakes the workers later. When PostgreSQL cannot take the INSERT, the event goes to the
local spool instead (fsynced before the reply) and is replayed later (ingest.replay).
"""

from __future__ import annotations

import logging
import time
import uuid

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ingest import database, replay, spool
from monitor import wakeup

log = logging.getLogger(__name__)

INSERT_SQL = """
INSERT INTO ingest_rawevent
    (project_id, event_id, kind, payload, received_at, attempts, last_error, user_agent)
VALUES (%s, %s, %s, %b, %s, 0, '', %s)
ON CONFLICT (project_id, event_id) DO NOTHING
RETURNING id
"""


def store_raw_event(
    project_id: int, event_id: uuid.UUID, kind: str, payload: bytes, user_agent: str = ""
) -> int | None:
    """Insert the raw event; the row id, or None when this event id was already accepted.

    A server-side-binding psycopg cursor sends the payload as binary: Django's client-side
    binding would escape it into the SQL text, which costs more than the rest of the request.
    Outside an atomic block Django keeps the connection in autocommit, so this commits.
    """
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            INSERT_SQL, [project_id, event_id, kind, payload, timezone.now(), user_agent[:512]]
        )
        row = cursor.fetchone()
    return row[0] if row else None


publish_breaker = wakeup.Breaker()
QUEUE = "ingest"


def slot_of(event_id: uuid.UUID) -> int:
    return event_id.int % settings.INGEST_DRAIN_SLOTS


def publish_drain(slot: int) -> bool:
    from ingest.tasks import drain

    return wakeup.publish(drain, slot, publish_breaker)


def wake(slot: int) -> None:
    from ingest.tasks import drain

    wakeup.wake(QUEUE, drain, slot, publish_breaker)


def accept(
    project_id: int, event_id: uuid.UUID, kind: str, payload: bytes, user_agent: str = ""
) -> None:
    """Make the event durable: in PostgreSQL, or in the local spool while it is unavailable
    (a spooled event does not keep its User-Agent)."""
    if database.breaker.allow():
        try:
            row = database.retrying(store_raw_event, project_id, event_id, kind, payload,
                                    user_agent)
        except database.DB_UNAVAILABLE as exc:
            database.failed(exc)
        else:
            if row is not None:
                wake(slot_of(event_id))
            if spool.open_writers():
                replay.poke()  # the database is back: seal our segment and replay it soon
            return
    spool_event(spool.Record(project_id, event_id, kind, time.time(), payload))


def spool_event(record: spool.Record) -> None:
    """Append to this host's spool (durable on return); 503 when full or unwritable."""
    try:
        spool.writer().append([record])
    except spool.SpoolFull as exc:
        raise database.unavailable(str(exc)) from exc
    except OSError as exc:
        log.error("cannot write the spool: %s", exc)
        raise database.unavailable("the spool cannot be written") from exc
