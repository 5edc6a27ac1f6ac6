"""The PostgreSQL side of symbolication: artifact lookups for one event, and the processing
stage that runs it (called from ingest.processing.prepare)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.utils import timezone

from ingest.normalize import metadata
from sourcemaps.models import ArtifactBundle, ArtifactFile
from sourcemaps.parsed import ParsedMaps
from sourcemaps.symbolicate import Artifact, needs_resolving, resolve_event

FIELDS = ("id", "url", "content", "headers", "bundle_id")
_parsed: ParsedMaps | None = None


def parsed_maps() -> ParsedMaps:
    """This process's parsed maps (SOURCEMAPS_PARSED_CACHE_BYTES of estimated memory)."""
    global _parsed
    if _parsed is None:
        _parsed = ParsedMaps(settings.SOURCEMAPS_PARSED_CACHE_BYTES)
    return _parsed


def _artifact(row: ArtifactFile | None) -> Artifact | None:
    if row is None:
        return None
    content = bytes(row.content) if "content" not in row.get_deferred_fields() else b""
    return Artifact(row.url, content, row.headers or {}, row.bundle_id, row.id)


class DbLoader:
    def __init__(self, project_id: int):
        self.project_id = project_id

    def by_debug_id(self, debug_id: uuid.UUID, kind: str,
                    content: bool = True) -> Artifact | None:
        """Without `content`, the row's other fields (content is b"")."""
        rows = ArtifactFile.objects.filter(project_id=self.project_id, debug_id=debug_id,
                                           kind=kind)
        fields = FIELDS if content else tuple(f for f in FIELDS if f != "content")
        return _artifact(rows.only(*fields).order_by("-id").first())

    def by_url(self, urls: list[str], release: str, dist: str) -> Artifact | None:
        rows = ArtifactFile.objects.filter(project_id=self.project_id, release=release,
                                           dist=dist or "", url__in=urls)
        return _artifact(rows.only(*FIELDS).order_by("-id").first())


def resolve_source_maps(data: dict, project_id: int) -> dict:
    """Resolve a JavaScript event's frames with the project's uploaded source maps."""
    if not needs_resolving(data):
        return data
    if not ArtifactFile.objects.filter(project_id=project_id).exists():
        return data
    used = resolve_event(data, DbLoader(project_id), settings.SOURCEMAPS_MAX_MAPS_PER_EVENT,
                         parsed_maps(), settings.SOURCEMAPS_EVENT_MAP_BYTES)
    if used:  # retention counts from the last use; one UPDATE a day per bundle at most
        data.update(metadata(data))  # the culprit names the original frame
        now = timezone.now()
        ArtifactBundle.objects.filter(
            id__in=used, last_used_at__lt=now - dt.timedelta(days=1)
        ).update(last_used_at=now)
    return data
