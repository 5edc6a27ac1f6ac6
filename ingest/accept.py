"""The accept path: make a raw event durable, then ask a worker to process it.

The INSERT commits (autocommit) before the endpoint replies. Concurrent requests of a process
group-commit (ingest.groupcommit): one multi-row INSERT and one commit carry every event that
arrived while the previous INSERT ran, and each request still replies only after the commit
that carried its event. The drain slots that got new rows go to the process's waker
(ingest.waker), which wakes them from its own thread, coalesced across flushes. Waking a worker
is best effort and coalesced (see monitor.wakeup): when the broker is down the event waits in
the table and the sweeper wakes the workers later. When PostgreSQL cannot take the INSERT, the
event goes to the local spool instead (fsynced before the reply) and is replayed later
(ingest.replay).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ingest import auth, database, replay, spool
from ingest.errors import IngestError
from ingest.groupcommit import GroupCommit
from ingest.waker import Waker
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


class RawRow(NamedTuple):
    project_id: int
    event_id: uuid.UUID
    kind: str
    payload: bytes
    received_at: datetime
    user_agent: str
    public_key: str = ""  # the DSN key it came with: inserted only while that key is active


# A row's columns and their types, in the order of RawRow's values in the INSERT.
ROW_TYPES = ("bigint", "uuid", "varchar", "bytea", "timestamptz", "varchar", "varchar")


@functools.lru_cache(maxsize=64)
def _insert_many_sql(rows: int) -> str:
    """The INSERT of `rows` rows in PostgreSQL's own placeholders ($1, $2...), run by a psycopg
    RawCursor: psycopg parses a query of more than 50 parameters of its own (%s) anew at every
    execution (it caches smaller ones), 12 µs a row at 16 rows (docs/benchmarks.md)."""
    width = len(ROW_TYPES)
    values = ", ".join(
        "(" + ", ".join(f"${width * row + column + 1}::{name}"
                        for column, name in enumerate(ROW_TYPES)) + ")"
        for row in range(rows))
    return f"""
INSERT INTO ingest_rawevent
    (project_id, event_id, kind, payload, received_at, attempts, last_error, user_agent)
SELECT v.project_id, v.event_id, v.kind, v.payload, v.received_at, 0, '', v.user_agent
FROM (VALUES {values}) AS v(project_id, event_id, kind, payload, received_at, user_agent, key)
WHERE v.key = '' OR EXISTS (
    SELECT 1 FROM monitor_projectkey k
    WHERE k.public_key = v.key AND k.project_id = v.project_id AND k.is_active)
ON CONFLICT (project_id, event_id) DO NOTHING
RETURNING project_id, event_id
"""


ACTIVE_KEYS_SQL = """
SELECT public_key, project_id FROM monitor_projectkey WHERE public_key = ANY($1) AND is_active
"""


def key_refused(public_key: str) -> IngestError:
    """The reply for an event whose key was disabled or deleted after this process cached it."""
    auth.forget_key(public_key)
    return IngestError(403, "this DSN key is disabled")


def store_raw_events(rows: Sequence[RawRow]) -> list[bool | IngestError]:
    """Insert the rows in one statement (one commit): for each, whether it is new (False for an
    event id already accepted), or a 403 when its DSN key is no longer active.

    The key check is part of the INSERT, so a key disabled or deleted in the database (by any
    process) is refused from the next commit on, whatever the key caches of the web processes
    still hold; it costs an index lookup per row and no round trip."""
    params: list = []
    for row in rows:
        params += [row.project_id, row.event_id, row.kind, row.payload, row.received_at,
                   row.user_agent[:512], row.public_key]
    connection.ensure_connection()
    with psycopg.RawCursor(connection.connection) as cursor:
        cursor.execute(_insert_many_sql(len(rows)), params)
        inserted = set(cursor.fetchall())
        missing = {row.public_key for row in rows
                   if row.public_key and (row.project_id, row.event_id) not in inserted}
        active: set[tuple[str, int]] = set()
        if missing:  # a duplicate event id, or a key no longer active: which one
            cursor.execute(ACTIVE_KEYS_SQL, [list(missing)])
            active = set(cursor.fetchall())
    results: list[bool | IngestError] = []
    for row in rows:
        if (row.project_id, row.event_id) in inserted:
            results.append(True)
        elif row.public_key and (row.public_key, row.project_id) not in active:
            results.append(key_refused(row.public_key))
        else:
            results.append(False)
    return results


def _flush(rows: Sequence[RawRow]) -> list[bool | BaseException]:
    """The group commit's flush: every row in one INSERT; when that fails for a reason other
    than an unreachable database (a project deleted meanwhile), each row on its own, so a bad
    row fails only its own request."""
    results: list[bool | BaseException]
    try:
        results = list(database.retrying(store_raw_events, rows))
    except database.DB_UNAVAILABLE:
        raise  # every request of the batch spools
    except Exception:
        if len(rows) == 1:
            raise
        results = []
        for row in rows:
            try:
                results.append(store_raw_events([row])[0])
            except Exception as exc:  # noqa: BLE001 - this row's request gets it
                results.append(exc)
    return results


def _wake_new(rows: Sequence[RawRow], results: Sequence[bool | BaseException]) -> None:
    """After a flush, once its requests are released: the drain slots that got a new row, to
    this process's waker (sent from its thread, not the leader's reply path)."""
    waker().ask({slot_of(row.event_id) for row, new in zip(rows, results, strict=True)
                 if new is True})


_committers: dict[int, tuple[GroupCommit[RawRow, bool], Waker]] = {}
_committers_lock = threading.Lock()


def _own() -> tuple[GroupCommit[RawRow, bool], Waker]:
    """This process's group commit and waker (fresh ones after a fork: threads do not
    survive it)."""
    pid = os.getpid()
    with _committers_lock:
        if pid not in _committers:
            _committers.clear()
            _committers[pid] = (GroupCommit(_flush, after=_wake_new), Waker(wake))
        return _committers[pid]


def committer() -> GroupCommit[RawRow, bool]:
    """This process's group commit of raw events."""
    return _own()[0]


def waker() -> Waker:
    """This process's waker of the drain slots."""
    return _own()[1]


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
    project_id: int, event_id: uuid.UUID, kind: str, payload: bytes, user_agent: str = "",
    public_key: str = "",
) -> None:
    """Make the event durable: in PostgreSQL, or in the local spool while it is unavailable
    (a spooled event does not keep its User-Agent). With `public_key`, the INSERT refuses the
    event (403) when that key is no longer active."""
    if database.breaker.allow():
        try:
            committer().submit(
                RawRow(project_id, event_id, kind, payload, timezone.now(), user_agent,
                       public_key)
            )
        except database.DB_UNAVAILABLE as exc:
            database.failed(exc)
        else:
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
