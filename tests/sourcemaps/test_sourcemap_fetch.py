"""Fetching minified files and their maps from a project's allowed origins: off by default,
only explicit origins, public addresses only (the alert guard), bounded per file and per event,
cached, redirects kept within the allowed origins. A real HTTP server on loopback stands for the
project's site; events go through the real processing stage."""

import gzip
import json

import pytest

from tests.helpers.fetch_sites import Site, Stall, app_files, js_event, project_for, stored_frames
from tests.helpers.processing import raw
from tests.helpers.sourcemaps import MAP, MINIFIED

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    server = Site(app_files())
    yield server
    server.shutdown()
    server.server_close()


def test_fetched_files_resolve_frames_once_per_file(fetching, site):
    project = project_for(site.origin)
    raw(project, js_event(f"{site.origin}/assets/app.js"))
    raw(project, js_event(f"{site.origin}/assets/app.js"))
    first, second = stored_frames(project)
    for frame in (first[-1], second[-1]):
        assert frame["function"] == "boom" and frame["filename"] == "src/boom.js"
        assert (frame["lineno"], frame["colno"]) == (3, 9)
        assert frame["data"]["resolved_with"] == "fetched"
    assert sorted(site.asked) == ["/assets/app.js", "/assets/app.js.map"]  # cached after


@pytest.mark.parametrize("installation, project_on, origins", [
    (False, True, "{origin}"),  # the installation has fetching off (the default)
    (True, False, "{origin}"),  # the project has it off (the default)
    (True, True, "*"),  # `*` lets browsers send; it never lets the worker fetch
    (True, True, "https://shop.example"),  # another origin
])
def test_nothing_is_fetched_unless_both_allow_and_the_origin_is_listed(
        settings, site, installation, project_on, origins):
    settings.SOURCEMAPS_FETCH = installation
    settings.SOURCEMAPS_FETCH_ALLOW_PRIVATE = True
    project = project_for(origins.format(origin=site.origin), project_on)
    raw(project, js_event(f"{site.origin}/assets/app.js"))
    [frames] = stored_frames(project)
    assert frames[-1]["function"] == "b" and "data" not in frames[-1]
    assert site.asked == []


def test_a_private_address_is_never_dialled(settings, site):
    settings.SOURCEMAPS_FETCH = True  # SOURCEMAPS_FETCH_ALLOW_PRIVATE stays off
    project = project_for(site.origin)
    raw(project, js_event(f"{site.origin}/assets/app.js"))
    [frames] = stored_frames(project)
    assert site.asked == []
    assert frames[-1]["function"] == "b"
    assert "non-public address" in frames[-1]["data"]["sourcemap_unresolved"]


def test_redirects_are_followed_only_within_the_allowed_origins(fetching, site):
    elsewhere = Site(app_files())
    try:
        site.files["/assets/app.js"] = (302, {"Location": f"{elsewhere.origin}/assets/app.js"}, b"")
        site.files["/moved/app.js"] = (301, {"Location": "/assets/app.js"}, b"")
        project = project_for(site.origin)
        raw(project, js_event(f"{site.origin}/moved/app.js"))
        [frames] = stored_frames(project)
        assert elsewhere.asked == []
        assert "redirect" in frames[-1]["data"]["sourcemap_unresolved"]
    finally:
        elsewhere.shutdown()
        elsewhere.server_close()


def test_a_file_over_the_byte_cap_or_a_compression_bomb_is_refused(fetching, site):
    fetching.SOURCEMAPS_FETCH_MAX_BYTES = 64 * 1024
    site.files["/assets/big.js"] = (200, {}, MINIFIED + b" " * (65 * 1024))
    bomb = gzip.compress(b"{" + b" " * (32 * 1024 * 1024))  # 32 MiB from ~32 KiB
    site.files["/assets/bomb.js"] = (200, {"Content-Encoding": "gzip"}, bomb)
    project = project_for(site.origin)
    raw(project, js_event(f"{site.origin}/assets/big.js"))
    raw(project, js_event(f"{site.origin}/assets/bomb.js"))
    big, bombed = stored_frames(project)
    for frames in (big, bombed):
        assert "over 65536 bytes" in frames[-1]["data"]["sourcemap_unresolved"]


def test_a_gzipped_file_within_the_cap_is_used(fetching, site):
    site.files["/assets/app.js"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(MINIFIED))
    project = project_for(site.origin)
    raw(project, js_event(f"{site.origin}/assets/app.js"))
    [frames] = stored_frames(project)
    assert frames[-1]["function"] == "boom"


def test_an_event_naming_many_files_fetches_at_most_the_per_event_cap(fetching, site):
    fetching.SOURCEMAPS_FETCH_PER_EVENT = 3
    event = js_event(f"{site.origin}/assets/app.js", frames=0)
    event["exception"][0]["stacktrace"]["frames"] = [
        {"abs_path": f"{site.origin}/assets/f{n}.js", "function": "x", "lineno": 1, "colno": 2}
        for n in range(30)]
    project = project_for(site.origin)
    raw(project, event)
    stored_frames(project)
    assert len(site.asked) == 3


def test_a_map_with_too_many_segments_is_refused_as_at_upload(fetching, site):
    fetching.SOURCEMAPS_MAX_MAP_SEGMENTS = 10
    site.files["/assets/app.js.map"] = (200, {}, json.dumps(
        {**MAP, "mappings": MAP["mappings"] + ";" * 50}).encode())
    project = project_for(site.origin)
    raw(project, js_event(f"{site.origin}/assets/app.js"))
    [frames] = stored_frames(project)
    assert "segment" in frames[-1]["data"]["sourcemap_unresolved"]


def test_a_stalling_site_or_broken_gzip_loses_no_event_and_is_tried_once_per_origin(fetching):
    fetching.SOURCEMAPS_FETCH_TIMEOUT = 1
    stall = Stall()
    site = Site({"/assets/bad.js": (200, {"Content-Encoding": "gzip"}, b"\x1f\x8b not gzip")})
    try:
        project = project_for(f"{stall.origin}\n{site.origin}")
        for n in range(3):  # a new query string each time: the origin, not the URL, is down
            raw(project, js_event(f"{stall.origin}/assets/app.js?v={n}"))
        raw(project, js_event(f"{site.origin}/assets/bad.js"))
        raw(project, js_event("http://[broken/assets/app.js"))  # not a URL urlsplit accepts
        frames = stored_frames(project)
        assert len(frames) == 5  # every event stored, none dead-lettered
        assert len(stall.asked) == 1
        assert "source not fetched" in frames[0][-1]["data"]["sourcemap_unresolved"]
        assert "source not fetched" in frames[3][-1]["data"]["sourcemap_unresolved"]
    finally:
        for server in (stall, site):
            server.shutdown()
            server.server_close()


def test_a_bare_host_allows_only_the_default_ports(fetching, site):
    project = project_for("127.0.0.1")  # no port: 80 and 443 only
    raw(project, js_event(f"{site.origin}/assets/app.js"))
    [frames] = stored_frames(project)
    assert site.asked == [] and frames[-1]["function"] == "b"
