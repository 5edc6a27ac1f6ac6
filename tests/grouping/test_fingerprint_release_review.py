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


def test_project_and_organisation_purges_take_the_releases_along(project, org):
    """Guard (found fine): the purges delete issues through Django, which deletes the releases
    before their fingerprints (the foreign key has no ON DELETE in the database)."""
    from grouping.models import FingerprintRelease
    from monitor.models import GroupHash, Project
    from privacy.deletion import purge_organization, purge_project
    from tests.helpers.events import event, ingest

    other = Project.objects.create(organization=org, name="Other", slug="other",
                                   platform="python")
    for target, release in ((project, "1.0"), (project, "1.1"), (other, "2.0")):
        ingest(target, {**event(), "release": release})
    assert FingerprintRelease.objects.count() == 3
    purge_project(project.id)
    assert set(FingerprintRelease.objects.values_list("release", flat=True)) == {"2.0"}
    purge_organization(org.id)
    assert not FingerprintRelease.objects.exists() and not GroupHash.objects.exists()
