"""Review of FingerprintRelease's table: every ingest batch writes it, so it keeps no index that
another already serves."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_no_index_the_unique_pair_already_serves():
    """(group_hash_id, release) unique leads with group_hash_id: deletions by fingerprint and
    the rename path's probes read it; a second index on group_hash_id alone only costs writes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes "
                       "WHERE tablename = 'grouping_fingerprintrelease'")
        defs = [row[0] for row in cursor.fetchall()]
    assert len(defs) == 2, defs  # the primary key, the unique pair
    assert any("UNIQUE" in d and "(group_hash_id, release)" in d for d in defs), defs
