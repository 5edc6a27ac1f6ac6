"""Source maps held in memory stay within their budgets: the per-process cache of parsed maps
is charged by what a parsed map really holds, and one event stops loading maps past its own
budget. Each case runs in a fresh subprocess whose peak RSS growth is the measure; the maps are
made of one-character segments (`C,C,C…`), the costliest shape per byte."""

import json
import subprocess
import sys

from tests.conftest import ROOT

MiB = 1 << 20

SCRIPT = r"""
import json, resource, sys, uuid
from sourcemaps.parsed import ParsedMaps
from sourcemaps.symbolicate import Artifact, resolve_event

mode, count, segments, cache_bytes, event_bytes = sys.argv[1:2] + [int(a) for a in sys.argv[2:]]
ids = [uuid.UUID(int=i + 1) for i in range(count)]
maps = {d: json.dumps({"version": 3, "sources": [f"{d}.ts"], "sourcesContent": ["x"],
                       "names": [], "mappings": "AAAA," + ",".join(["C"] * segments)}).encode()
        for d in ids}


class Loader:
    def by_debug_id(self, debug_id, kind, content=True):
        if kind != "source_map":
            return None
        return Artifact(f"~/{debug_id}.js.map", maps[debug_id] if content else b"", {}, 1,
                        debug_id.int)

    def by_url(self, urls, release, dist):
        return None

    def fetch(self, url, kind):
        return None, ""


def event(chosen):
    return {"platform": "javascript",
            "debug_meta": {"images": [{"type": "sourcemap", "code_file": f"https://x/{d}.js",
                                       "debug_id": str(d)} for d in chosen]},
            "exception": [{"type": "Error", "value": "x", "stacktrace": {"frames": [
                {"abs_path": f"https://x/{d}.js", "lineno": 1, "colno": 1} for d in chosen]}}]}


parsed = ParsedMaps(cache_bytes)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
events = [event(ids)] if mode == "one-event" else [event([d]) for d in ids]
for one in events:
    resolve_event(one, Loader(), 20, parsed, event_bytes)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
frames = [f for one in events for f in one["exception"][0]["stacktrace"]["frames"]]
print(json.dumps({"growth": (peak - base) * 1024, "cached": len(parsed.entries),
                  "resolved": sum(1 for f in frames if f.get("filename", "").endswith(".ts")),
                  "unresolved": [f.get("data", {}).get("sourcemap_unresolved") for f in frames]}))
"""


def run(mode: str, count: int, segments: int, cache_bytes: int, event_bytes: int) -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(count), str(segments),
                          str(cache_bytes), str(event_bytes)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout)


def test_one_event_naming_several_big_maps_stays_within_its_budget():
    # Six maps of 2M segments (4 MiB each, about 56 MiB each parsed): 336 MiB if all were
    # held; the event may hold 96 MiB, so one map is used and the other frames say why not.
    got = run("one-event", 6, 2_000_000, 0, 96 * MiB)
    assert got["growth"] < 128 * MiB, got["growth"] / MiB
    assert got["resolved"] == 1
    reasons = got["unresolved"]
    assert reasons[0] is None and len(set(reasons[1:])) == 1 and "budget" in reasons[1], reasons


def test_the_cache_of_parsed_maps_holds_no_more_than_its_budget():
    # Four events, each naming one map of 1M segments (2 MiB, about 28 MiB parsed); a cache of
    # 64 MiB keeps what its cost model says fits, and what it keeps really fits.
    got = run("one-map-per-event", 4, 1_000_000, 64 * MiB, 256 * MiB)
    assert got["resolved"] == 4 and got["cached"] >= 1
    assert got["growth"] < (64 + 32) * MiB, got["growth"] / MiB
