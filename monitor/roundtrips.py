"""Statements sent to PostgreSQL together, in one round trip (psycopg's pipeline mode).

On a busy machine a round trip costs more than the statement it carries: the client waits for
the backend to get a core, then for its own turn back. Writes whose results nothing reads until
the block ends go out together and are answered together; an error in any of them raises when
the block ends (wrapped as Django's DatabaseError), so the caller's transaction rolls back as it
would have.

Inside the block, a statement's results are not there until something reads them (a fetch
sends what is queued and waits), and a count the ORM reads from `rowcount` is unknown (-1):
`QuerySet.update()`'s return value means nothing there, and `Model.save()` on an existing row
fails. Use raw SQL or updates whose count is not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection


@contextmanager
def together() -> Iterator[None]:
    """Send the block's statements in one batch; their errors raise at its end."""
    connection.ensure_connection()
    if not psycopg.Pipeline.is_supported():  # a libpq before PostgreSQL 14's: one by one
        yield
        return
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
