"""Users per release: beat reads new events in bounded id ranges and records each (project,
release, user) once, as a keyed hash. Erasure forgets an end user's hashes with their events."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from releases.models import Cursor, ReleaseUser

CURSOR = "release-users"
BATCH = 20_000  # events per run: bounded work whatever the backlog
SETTLE_SECONDS = 30  # ids below events this old are committed (ingest transactions are short)

COLLECT_SQL = """
INSERT INTO releases_releaseuser (project_id, release, user_hash)
SELECT DISTINCT e.project_id, e.release,
       encode(sha256(convert_to(%(key)s || (tag.value ->> 1), 'UTF8')), 'hex')
FROM monitor_event e
CROSS JOIN LATERAL (
    SELECT t AS value FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof(e.tags) = 'array' THEN e.tags ELSE '[]'::jsonb END) t
    WHERE jsonb_typeof(t) = 'array' AND t ->> 0 = 'user' LIMIT 1
) tag
WHERE e.id > %(low)s AND e.id <= %(high)s AND e.release <> '' AND tag.value ->> 1 <> ''
ON CONFLICT DO NOTHING
"""

HIGH_SQL = """
SELECT COALESCE(MAX(id), %(low)s) FROM (
    SELECT id FROM monitor_event WHERE id > %(low)s
      AND received < clock_timestamp() - make_interval(secs => %(settle)s)
    ORDER BY id LIMIT %(batch)s
) next_ids
"""


def hash_key() -> str:
    """The hash's secret prefix, derived from SECRET_KEY: hashes mean nothing elsewhere."""
    return hmac.new(settings.SECRET_KEY.encode(), b"faultline release users",
                    hashlib.sha256).hexdigest()


def user_hash(user_value: str) -> str:
    """The hash COLLECT_SQL stores for a `user` tag value ("id:42", "email:a@b.c", ...):
    SHA-256 of the secret prefix and the value (PostgreSQL has sha256 without extensions)."""
    return hashlib.sha256((hash_key() + user_value).encode()).hexdigest()


def collect(batch: int = BATCH, settle_seconds: int = SETTLE_SECONDS) -> int:
    """Read the next events (at most `batch`, received at least `settle_seconds` ago) into
    ReleaseUser; returns how far the cursor moved."""
    with transaction.atomic():
        cursor_row, _ = Cursor.objects.select_for_update().get_or_create(name=CURSOR)
        low = cursor_row.position
        with connection.cursor() as cursor:
            cursor.execute(HIGH_SQL, {"low": low, "settle": settle_seconds, "batch": batch})
            high = cursor.fetchone()[0]
            if high <= low:
                return 0
            cursor.execute(COLLECT_SQL, {"low": low, "high": high, "key": hash_key()})
        cursor_row.position = high
        cursor_row.save(update_fields=["position"])
    return high - low


def forget(project_ids: Iterable[int], user_values: Iterable[str]) -> int:
    """Erasure: drop these users' hashes in these projects."""
    hashes = {user_hash(value) for value in user_values if value}
    if not hashes:
        return 0
    deleted, _ = ReleaseUser.objects.filter(project_id__in=set(project_ids),
                                            user_hash__in=hashes).delete()
    return deleted
