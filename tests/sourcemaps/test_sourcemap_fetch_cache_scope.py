"""The fetch cache is shared by every project a worker processes, so what it holds must not
depend on the project that fetched it: a redirect one project's origins refuse is that
project's answer, not the file's. Otherwise a project listing another's origin (any project
may list any) could, by sending events naming that origin's files, leave the other's frames
unresolved for the cache's lifetime. Real loopback sites; assertions on results and dials."""

import pytest

from sourcemaps import fetch
from sourcemaps.fetch import Fetcher, FetchPolicy
from tests.helpers.fetch_sites import Site
from tests.helpers.sourcemaps import MINIFIED


@pytest.mark.django_db
def test_a_redirect_refused_for_one_project_is_not_cached_for_another(fetching):
    cdn = Site({"/assets/app.js": (200, {}, MINIFIED)})
    site = Site({})
    site.files["/assets/app.js"] = (302, {"Location": f"{cdn.origin}/assets/app.js"}, b"")
    url = f"{site.origin}/assets/app.js"
    try:
        narrow = FetchPolicy.for_project(True, site.origin)  # the site, not its CDN
        wide = FetchPolicy.for_project(True, f"{site.origin}\n{cdn.origin}")
        refused, why = Fetcher(narrow, fetch.fetch_cache()).get(url, "minified_source")
        assert refused is None and why == "redirect to an origin the project does not allow"
        artifact, why = Fetcher(wide, fetch.fetch_cache()).get(url, "minified_source")
        assert artifact is not None and artifact.content == MINIFIED, why
        assert cdn.asked == ["/assets/app.js"]
    finally:
        for server in (site, cdn):
            server.shutdown()
            server.server_close()
