"""The PostgreSQL side of symbolication: artifact lookups for one event, and the processing
stage that runs it (called from ingest.processing.prepare, inside the batch's transaction), with
its fetching step (`prefetch`, before that transaction opens: a site that stalls must not hold
the batch's row locks)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from ingest.normalize import metadata, normalize_event
from ingest.payload import loads
from monitor.models import Project
from sourcemaps.fetch import Fetcher, FetchPolicy, fetch_cache
from sourcemaps.models import ArtifactBundle, ArtifactFile
from sourcemaps.parsed import ParsedMaps
from sourcemaps.symbolicate import Artifact, needs_resolving, resolve_event

log = logging.getLogger(__name__)
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
    return FetchPolicy.for_project(*row, project_id=project_id) if row else None


def prefetch(rows: Iterable) -> int:
    """Fetch what the raw events' frames need from their projects' sites into this process's
    fetch cache, outside any transaction, within the per-event bounds and the project's rate;
    returns the files asked for (cached or dialled). Nothing here fails a row: processing
    then resolves from the cache, and records any failure of its own."""
    if not settings.SOURCEMAPS_FETCH:
        return 0
    policies: dict[int, FetchPolicy | None] = {}
    files = 0
    for raw in rows:
        if raw.project_id not in policies:
            policies[raw.project_id] = fetch_policy(raw.project_id)
        policy = policies[raw.project_id]
        if policy is None:
            continue
        try:
            data = normalize_event(loads(bytes(raw.payload)), raw.received_at.timestamp(),
                                   raw.event_id.hex, kind=raw.kind, user_agent=raw.user_agent)
            if not needs_resolving(data):
                continue
            fetcher = Fetcher(policy, fetch_cache())
            resolve_event(data, DbLoader(raw.project_id, fetcher),
                          settings.SOURCEMAPS_MAX_MAPS_PER_EVENT, parsed_maps(),
                          settings.SOURCEMAPS_EVENT_MAP_BYTES)
            files += fetcher.files
        except Exception:
            log.exception("prefetching sources for raw event %s failed", raw.id)
    return files


def resolve_source_maps(data: dict, project_id: int) -> dict:
    """Resolve a JavaScript event's frames with the project's uploaded source maps, else with
    files fetched from its allowed origins where it allows that: from the fetch cache only
    (`prefetch` dialled before the transaction opened)."""
    if not needs_resolving(data):
        return data
    policy = fetch_policy(project_id)
    if policy is None and not ArtifactFile.objects.filter(project_id=project_id).exists():
        return data
    fetcher = Fetcher(policy, fetch_cache(), dial=False) if policy else None
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
