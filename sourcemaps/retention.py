"""Artifact bundles and chunks under retention and deletion (called by privacy.deletion).

A bundle lives while it is used: retention counts from its last use (bumped at most daily when a
frame is resolved with it) against the organisation's `retention_days`. Chunks of uploads that
never assembled are dropped after a day (releasing their quota), and so are assembly states.
Deleting a project drops its index rows and every bundle no other project uses."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from sourcemaps import quota
from sourcemaps.models import ArtifactBundle, ArtifactFile, BundleAssembly, UploadChunk

CHUNK_MAX_AGE = dt.timedelta(days=1)


def _orphans():
    return ArtifactBundle.objects.annotate(n=Count("projects")).filter(n=0)


def purge_project(project_id: int, delete_in_chunks) -> dict[str, int]:
    bundles = list(ArtifactBundle.objects.filter(projects=project_id).values_list("id", flat=True))
    files = delete_in_chunks(ArtifactFile.objects.filter(project_id=project_id))
    ArtifactBundle.projects.through.objects.filter(project_id=project_id).delete()
    orphans = delete_in_chunks(_orphans().filter(id__in=bundles))
    return {"artifact_files": files, "artifact_bundles": orphans}


def purge_expired(now: dt.datetime, cutoffs: dict[int, dt.datetime],
                  delete_in_chunks) -> dict[str, int]:
    """`cutoffs`: organisation id → the oldest time its retention keeps."""
    bundles = 0
    for org_id, cutoff in cutoffs.items():
        bundles += delete_in_chunks(
            ArtifactBundle.objects.filter(organization_id=org_id, last_used_at__lt=cutoff)
        )
    expired = UploadChunk.objects.filter(created_at__lt=now - CHUNK_MAX_AGE)
    chunks = sum(quota.drop_chunks(org_id, expired) for org_id in
                 expired.values_list("organization_id", flat=True).distinct())
    delete_in_chunks(BundleAssembly.objects.filter(updated_at__lt=now - CHUNK_MAX_AGE))
    return {"artifact_bundles": bundles, "upload_chunks": chunks}
