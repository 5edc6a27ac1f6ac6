"""Serialising one project's stores of one kind, so that a storage quota is checked and used
in one step: two requests can never both read "room left" and both insert."""

from __future__ import annotations

import hashlib

from django.db import connection


def lock_key(project_id: int, what: str) -> int:
    digest = hashlib.blake2b(f"quota:{what}:{project_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock(project_id: int, what: str) -> None:
    """Within the caller's transaction: wait for the other stores of `what` in this project
    to commit (a PostgreSQL advisory lock, released at commit or rollback)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(project_id, what)])
