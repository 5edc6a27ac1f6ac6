"""A source map's `sourceRoot` is joined to every one of its `sources` by symbolic's reader as it
parses (eagerly, each joined name a copy of the root): a 100 KB root and 3,000 empty sources,
109 KB of JSON and 3,000 "segments" by the `,` count, held ~290 MiB; a 1 MB map, a worker's
whole memory. Such a map is refused at upload and not parsed when an event names it; the root
is counted however the key is spelled (`source\\u0052oot`) and in every section of an index map.
Each case runs in a fresh subprocess whose peak RSS growth is the measure."""

import json
import subprocess
import sys

import pytest

from sourcemaps import parsed
from tests.conftest import ROOT

MiB = 1 << 20
RSS_BOUND = 64 * MiB

SCRIPT = r"""
import io, json, resource, sys, uuid
from sourcemaps.bundles import BundleError, BundleLimits, read_bundle
from sourcemaps.parsed import ParsedMaps
from sourcemaps.symbolicate import Artifact, resolve_event
from tests.helpers.sourcemaps import bundle_zip

mode = sys.argv[1]
bomb = json.dumps({"version": 3, "sourceRoot": "r" * 100_000, "sources": [""] * 3000,
                   "names": [], "mappings": "AAAA"}).encode()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome = None
if mode == "upload":
    try:
        read_bundle(io.BytesIO(bundle_zip({"app.js.map": ("source_map", {}, bomb)})),
                    BundleLimits(100, 256, 64 << 20, 100, 1 << 20))
        outcome = "accepted"
    except BundleError as exc:
        outcome = str(exc)
else:
    debug_id = uuid.UUID(int=1)

    class Loader:
        def by_debug_id(self, wanted, kind, content=True):
            if kind != "source_map":
                return None
            return Artifact("~/app.js.map", bomb if content else b"", {}, 1, 1)

        def by_url(self, urls, release, dist):
            return None

        def fetch(self, url, kind):
            return None, ""

    event = {"platform": "javascript",
             "debug_meta": {"images": [{"type": "sourcemap", "code_file": "https://x/app.js",
                                        "debug_id": str(debug_id)}]},
             "exception": [{"type": "Error", "value": "x", "stacktrace": {"frames": [
                 {"abs_path": "https://x/app.js", "lineno": 1, "colno": 1}]}}]}
    resolve_event(event, Loader(), 20, ParsedMaps(256 << 20), 256 << 20)
    outcome = event["exception"][0]["stacktrace"]["frames"][0]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth": (peak - base) * 1024, "outcome": outcome}))
"""


def run(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def root_map(root: str, sources: list, key: str = '"sourceRoot"') -> str:
    return ('{"version":3,' + key + ":" + json.dumps(root) + ',"sources":'
            + json.dumps(sources) + ',"names":[],"mappings":"AAAA"}')


def test_a_root_bomb_is_refused_at_upload_before_it_is_parsed():
    result = run("upload")
    assert "sourceRoot" in result["outcome"], result["outcome"]
    assert result["growth"] < RSS_BOUND, result["growth"] / MiB


def test_an_event_naming_a_root_bomb_leaves_its_frame_as_sent():
    result = run("event")
    frame = result["outcome"]
    assert frame["abs_path"] == "https://x/app.js" and "filename" not in frame, frame
    assert result["growth"] < RSS_BOUND, result["growth"] / MiB


@pytest.mark.parametrize("text", [
    root_map("r" * 1000, [""] * 20),
    root_map("r" * 1000, [None] * 20),  # null sources are joined too
    root_map("r" * 1000, [""] * 20, key='"source\\u0052oot"'),  # the key as serde reads it
    '{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":'
    + root_map("r" * 1000, [""] * 20) + "}]}",
])
def test_the_root_is_counted_however_the_map_spells_it(text):
    assert parsed.source_root_bytes(text.encode()) >= 20 * 1000


def test_a_number_past_pythons_digits_hides_nothing_and_an_unreadable_map_is_over():
    bomb = root_map("r" * 1000, [""] * 20)
    with_number = bomb.replace('"version":3', '"x":%s,"version":3' % ("9" * 5000))
    assert parsed.source_root_bytes(with_number.encode()) >= 20 * 1000
    assert parsed.source_root_bytes(bomb[:-1].encode()) > 1 << 40


def test_an_ordinary_root_is_kept_and_joined():
    text = root_map("webpack:///", ["src/a.ts"]).encode()
    assert parsed.source_root_bytes(text) == len("webpack:///") + 1  # what the join adds
    one = parsed.parse(text, None)
    assert one is not None
    assert one.view.get_source_name(0) == "webpack:///src/a.ts"
    assert parsed.source_root_bytes(root_map("", ["a.ts"] * 100).encode()) == 0
