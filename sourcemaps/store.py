"""The PostgreSQL side of symbolication: artifact lookups for one event, and the processing
stage that runs it (called from ingest.processing.prepare)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.utils import timezone

from ingest.normalize import metadata
from monitor.models import Project
from sourcemaps.fetch import Fetcher, FetchPolicy, fetch_cache
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
    """The project's uploaded files; and, where its fetch policy allows, files from the web."""

    def __init__(self, project_id: int, fetcher: Fetcher | None = None):
        self.project_id = project_id
        self.fetcher = fetcher

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

    def fetch(self, url: str, kind: str) -> tuple[Artifact | None, str]:
        return self.fetcher.get(url, kind) if self.fetcher else (None, "")


def fetch_policy(project_id: int) -> FetchPolicy | None:
    if not settings.SOURCEMAPS_FETCH:  # no query while the installation has it off
        return None
    row = Project.objects.filter(id=project_id).values_list(
        "fetch_sources", "allowed_origins").first()
    return FetchPolicy.for_project(*row) if row else None


def resolve_source_maps(data: dict, project_id: int) -> dict:
    """Resolve a JavaScript event's frames with the project's uploaded source maps, else with
    files fetched from its allowed origins where it allows that."""
    if not needs_resolving(data):
        return data
    policy = fetch_policy(project_id)
    if policy is None and not ArtifactFile.objects.filter(project_id=project_id).exists():
        return data
    fetcher = Fetcher(policy, fetch_cache()) if policy else None
    used = resolve_event(data, DbLoader(project_id, fetcher),
                         settings.SOURCEMAPS_MAX_MAPS_PER_EVENT, parsed_maps(),
                         settings.SOURCEMAPS_EVENT_MAP_BYTES)
    used.discard(0)  # fetched files belong to no bundle
    if used or (fetcher and fetcher.files):
        data.update(metadata(data))  # the culprit names the original frame
    if used:  # retention counts from the last use; one UPDATE a day per bundle at most
        now = timezone.now()
        ArtifactBundle.objects.filter(
            id__in=used, last_used_at__lt=now - dt.timedelta(days=1)
        ).update(last_used_at=now)
    return data
