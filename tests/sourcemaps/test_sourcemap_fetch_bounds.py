"""Source fetching's placement and bounds: files are fetched before the processing transaction
opens (a stalling site holds no row lock), within the per-event time bound, the fetch cache's
byte bound and the per-project rate shared by every worker through Valkey. Real loopback HTTP
servers stand for the sites; no assertion on time, only on dials and bytes."""

import json
import time

import psycopg
import pytest
from django.db import connection

from ingest.models import RawEvent
from monitor.models import Event
from sourcemaps import fetch
from sourcemaps.fetch import FetchCache, Fetcher, FetchPolicy
from tests.helpers.fetch_sites import Site, Stall, js_event, project_for, stored_frames
from tests.helpers.processing import raw
from tests.helpers.sourcemaps import MAP, MINIFIED

MIB = 1024 * 1024


def close(*servers):
    for server in servers:
        server.shutdown()
        server.server_close()


class LockProbe(Site):
    """Serves the site's files and, on each request, asks PostgreSQL from its own connection
    whether any raw event row is locked at that moment (the processing batch's FOR UPDATE)."""

    def __init__(self, files: dict):
        super().__init__(files)
        self.locked: list[bool] = []
        outer, serve = self, self.RequestHandlerClass.do_GET

        class Probe(self.RequestHandlerClass):
            def do_GET(handler):  # noqa: N805
                outer.locked.append(outer.rows_locked())
                serve(handler)

        self.RequestHandlerClass = Probe

    @staticmethod
    def rows_locked() -> bool:
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=False) as conn:
            rows = conn.execute(f"SELECT id FROM {RawEvent._meta.db_table} "
                                "FOR UPDATE SKIP LOCKED").fetchall()
            total = conn.execute(f"SELECT count(*) FROM {RawEvent._meta.db_table}").fetchone()
            conn.rollback()
        return len(rows) < total[0]


@pytest.mark.django_db(transaction=True)
def test_files_are_fetched_before_the_processing_transaction_takes_its_rows(fetching):
    site = LockProbe({"/assets/app.js": (200, {}, MINIFIED),
                      "/assets/app.js.map": (200, {}, json.dumps(MAP).encode())})
    try:
        project = project_for(site.origin)
        raw(project, js_event(f"{site.origin}/assets/app.js"))
        (frames,) = stored_frames(project)
        assert frames[-1]["data"]["resolved_with"] == "fetched"  # resolved from the prefetch
        assert sorted(site.asked) == ["/assets/app.js", "/assets/app.js.map"]
        assert site.locked == [False, False]  # no batch held a row while the site answered
    finally:
        close(site)


def event_on(origins: list[str]) -> dict:
    """An event whose frames name a minified file on each origin."""
    event = js_event(f"{origins[0]}/assets/app.js", frames=len(origins))
    for frame, origin in zip(event["exception"][0]["stacktrace"]["frames"], origins,
                             strict=True):
        frame["abs_path"] = frame["filename"] = f"{origin}/assets/app.js"
    return event


@pytest.mark.django_db(transaction=True)
def test_an_event_stops_dialling_once_its_time_is_spent(fetching):
    """Four sites that each stall past the per-file deadline: once the event's time is spent
    (here 1 s, one deadline), no other site is dialled; the event is stored."""
    fetching.SOURCEMAPS_FETCH_TIMEOUT = 1
    fetching.SOURCEMAPS_FETCH_EVENT_SECONDS = 1
    stalls = [Stall() for _ in range(4)]
    try:
        project = project_for("\n".join(s.origin for s in stalls))
        raw(project, event_on([s.origin for s in stalls]))
        (frames,) = stored_frames(project)
        assert sum(len(s.asked) for s in stalls) == 1
        assert all("sourcemap_unresolved" in f["data"] for f in frames)
    finally:
        close(*stalls)


@pytest.mark.django_db
def test_the_fetch_cache_holds_at_most_its_bytes(fetching):
    """Five files of 15 MiB through the process's cache (64 MiB): at most four stay; the first
    is evicted, so asking for it again dials again, while the last is answered from the cache."""
    body = b"x" * (15 * MIB)
    site = Site({f"/assets/f{n}.js": (200, {}, body) for n in range(5)})
    try:
        policy = FetchPolicy.for_project(True, site.origin)
        for n in range(5):
            artifact, _ = Fetcher(policy, fetch.fetch_cache()).get(
                f"{site.origin}/assets/f{n}.js", "minified_source")
            assert artifact is not None and len(artifact.content) == len(body)
        cache = fetch.fetch_cache()
        assert cache.max_bytes == fetching.SOURCEMAPS_FETCH_CACHE_BYTES == 64 * MIB
        assert cache.used <= cache.max_bytes and len(cache.entries) == 4
        for n in (0, 4):
            Fetcher(policy, fetch.fetch_cache()).get(f"{site.origin}/assets/f{n}.js",
                                                     "minified_source")
        assert len(site.asked) == 6 and site.asked[-1] == "/assets/f0.js"
        assert cache.used <= cache.max_bytes
    finally:
        close(site)


@pytest.mark.django_db
def test_a_projects_fetch_rate_is_shared_by_every_worker(fetching, redis_client):
    """Two workers (two processes' caches) fetching for one project take from one budget per
    minute in Valkey: past it nothing is dialled; another project keeps its own budget."""
    site = Site({f"/assets/f{n}.js": (200, {}, MINIFIED) for n in range(8)})
    try:
        for _attempt in range(3):  # a run that crossed a minute boundary is run again
            minute = int(time.time() // 60)
            site.asked.clear()
            for project_id in (101, 102):
                redis_client.delete(fetch.RATE_KEY.format(project=project_id, minute=minute))
            base = FetchPolicy.for_project(True, site.origin)
            policy = FetchPolicy(**{**base.__dict__, "project_id": 101, "per_minute": 3})
            workers = [FetchCache(MIB, 300), FetchCache(MIB, 300)]
            results = [Fetcher(policy, workers[n % 2]).get(f"{site.origin}/assets/f{n}.js",
                                                            "minified_source")
                       for n in range(6)]
            other = FetchPolicy(**{**base.__dict__, "project_id": 102, "per_minute": 3})
            theirs = Fetcher(other, FetchCache(MIB, 300)).get(f"{site.origin}/assets/f7.js",
                                                              "minified_source")
            if int(time.time() // 60) == minute:
                break
        assert len([r for r in results if r[0] is not None]) == 3
        assert [r[1] for r in results[3:]] == ["fetch rate of the project reached"] * 3
        assert theirs[0] is not None
        assert len(site.asked) == 4
    finally:
        close(site)


@pytest.mark.django_db
def test_no_fetch_is_dialled_inside_the_transaction(fetching):
    """Resolution inside the batch's transaction reads the cache only: a file nobody
    prefetched is not dialled there."""
    site = Site({"/assets/app.js": (200, {}, MINIFIED)})
    try:
        policy = FetchPolicy.for_project(True, site.origin)
        artifact, why = Fetcher(policy, fetch.fetch_cache(), dial=False).get(
            f"{site.origin}/assets/app.js", "minified_source")
        assert artifact is None and why == fetch.NOT_PREFETCHED and site.asked == []
        assert Event.objects.count() == 0
    finally:
        close(site)
