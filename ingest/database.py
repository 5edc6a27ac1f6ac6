"""Is PostgreSQL taking writes? One place for the errors that mean "no" and for the breaker that
sends the accept path straight to the spool for a moment after it saw one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from ingest.errors import IngestError
from monitor import wakeup

log = logging.getLogger(__name__)
T = TypeVar("T")

# Errors after which the event may well not be stored, and storing it elsewhere is right: the
# server is gone, restarting, refusing connections, read-only after a failover, out of disk.
DB_UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg.errors.ReadOnlySqlTransaction,
)

# Open for SPOOL_DB_RETRY_SECONDS after a failure: requests spool without waiting on a dead
# server; the first request after the pause tries it again.
breaker = wakeup.Breaker(pause=settings.SPOOL_DB_RETRY_SECONDS)


def discard_connection() -> None:
    """Drop this thread's connection: after a server restart a kept-alive connection is broken
    for good, and the raw psycopg cursors of the accept path bypass Django's own check."""
    try:
        connection.close()
    except Exception as exc:  # closing a dead socket may complain; it is closed either way
        log.debug("closing a broken connection: %s", exc)


def retrying(function: Callable[..., T], *args) -> T:
    """Call `function`, once more on a fresh connection if it failed on a kept-alive one: a
    database restart breaks every kept-alive connection, and that alone is no outage."""
    reused = connection.connection is not None
    try:
        return function(*args)
    except DB_UNAVAILABLE:
        discard_connection()
        if not reused:
            raise
    return function(*args)


def failed(exc: BaseException) -> None:
    """Record that the database refused work: open the breaker and drop the connection."""
    breaker.trip()
    discard_connection()
    log.warning("database unavailable (%s: %s)", type(exc).__name__, str(exc).strip()[:200])


def reachable() -> bool:
    """A round trip on this thread's connection (reconnecting if needed)."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DB_UNAVAILABLE:
        discard_connection()
        return False


def unavailable(detail: str) -> IngestError:
    """The reply when an event can be neither stored nor spooled: 503, try again later."""
    retry_after = str(settings.SPOOL_RETRY_AFTER_SECONDS)
    return IngestError(503, f"database unavailable and {detail}", {"Retry-After": retry_after})
