"""Claim counts that survive a worker's death (see RawClaim).

The count is written on a second, autocommit connection while the batch transaction holds the
row locks: a rollback (or a killed process) cannot undo it. The connection is per process and
opened lazily, after Celery forks its pool.
"""

from __future__ import annotations

import os

import psycopg
from django.db import connection

UPSERT_SQL = """
INSERT INTO ingest_rawclaim (raw_event_id, claims)
SELECT id, 1 FROM unnest(%s::bigint[]) AS id
ON CONFLICT (raw_event_id) DO UPDATE SET claims = ingest_rawclaim.claims + 1
RETURNING raw_event_id, claims
"""

_side: dict[str, object] = {}


def _side_connection() -> psycopg.Connection:
    conn = _side.get("conn")
    if conn is None or _side.get("pid") != os.getpid() or conn.closed or conn.broken:
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        conn = psycopg.connect(**params, autocommit=True)
        _side.update(conn=conn, pid=os.getpid())
    return conn  # type: ignore[return-value]


def record_claims(raw_ids: list[int]) -> dict[int, int]:
    """Add one claim to each row, committed at once; returns the new counts."""
    if not raw_ids:
        return {}
    try:
        with _side_connection().cursor() as cursor:
            cursor.execute(UPSERT_SQL, [raw_ids])
            return dict(cursor.fetchall())
    except psycopg.OperationalError:
        _side.pop("conn", None)  # reconnect once: the server may have restarted
        with _side_connection().cursor() as cursor:
            cursor.execute(UPSERT_SQL, [raw_ids])
            return dict(cursor.fetchall())


def close() -> None:
    """Close this process's side connection (tests, before the test database is dropped)."""
    conn = _side.pop("conn", None)
    if conn is not None:
        conn.close()  # type: ignore[attr-defined]
