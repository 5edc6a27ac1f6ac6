"""The host a fetch is allowed for must be the host requests dials. `urlsplit` (which the origin
check reads) keeps a backslash inside the authority; urllib3 ends the authority there, as
browsers do: `http://127.0.0.1\\.example.com/app.js` passed a `*.example.com` line as host
`127.0.0.1\\.example.com`, and requests dialled 127.0.0.1 port 80 (any host a frame's URL
names, private ones too where an installation allows private sites). The guard below is left
on (no private addresses), so a dial to 127.0.0.1 shows up as its refusal."""

import json

import pytest

from sourcemaps.fetch import FetchCache, Fetcher, FetchPolicy
from tests.helpers.fetch_sites import Site
from tests.helpers.sourcemaps import MAP, MINIFIED


def policy(origins: str, allow_private: bool = False) -> FetchPolicy:
    return FetchPolicy(origins, allow_private, timeout=2, max_bytes=1 << 20, per_event=10,
                       event_seconds=10)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1\\.example.com/app.js",
    "http://127.0.0.1\\@cdn.example.com/app.js",
    "https://localhost\\\\.example.com/app.js",
])
def test_a_url_whose_dialled_host_is_not_the_checked_one_is_not_fetched(url):
    fetcher = Fetcher(policy("*.example.com"), FetchCache(1 << 20, 60))
    assert fetcher.get(url, "minified_source") == (None, "")  # not allowed: never dialled
    assert fetcher.files == 0


def test_a_redirect_to_such_a_url_is_refused():
    site = Site({"/app.js": (302, {"Location": "http://127.0.0.1\\.example.com/app.js"}, b"")})
    try:
        fetcher = Fetcher(policy(f"{site.origin}\n*.example.com", allow_private=True),
                          FetchCache(1 << 20, 60))
        artifact, why = fetcher.get(f"{site.origin}/app.js", "minified_source")
        assert artifact is None and why == "redirect to an origin the project does not allow"
    finally:
        site.shutdown()
        site.server_close()


def test_ordinary_urls_of_allowed_origins_are_still_fetched():
    site = Site({"/assets/app.js": (200, {}, MINIFIED),
                 "/assets/app.js.map": (200, {}, json.dumps(MAP).encode())})
    try:
        fetcher = Fetcher(policy(site.origin, allow_private=True), FetchCache(1 << 20, 60))
        artifact, why = fetcher.get(f"{site.origin}/assets/app.js", "minified_source")
        assert why == "" and artifact.content == MINIFIED
        assert fetcher.get(f"{site.origin.upper()}/assets/app.js.map", "source_map")[0]
        assert policy("*.example.com").allows("https://CDN.Example.com:443/a.js")
        assert policy("https://[::1]:8443").allows("https://[::1]:8443/a.js")
    finally:
        site.shutdown()
        site.server_close()
