"""Original function names and exception types of source-mapped frames, per frame kind, and
the time per event with the maps parsed once per process.

Builds tests/js/app/names with esbuild (minified), injects debug IDs with the real sentry-cli,
runs it under the real @sentry/node (events caught on a loopback port), and resolves the events
through sourcemaps.symbolicate. A frame's kind and expected name come from the
`// frame:<kind>:<name>` comment on its original line.

    .venv/bin/python bench/sourcemap_names.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")

import psutil  # noqa: E402

from sourcemaps.parsed import ParsedMaps  # noqa: E402
from sourcemaps.symbolicate import Artifact, resolve_event  # noqa: E402


class Loader:
    def __init__(self, artifacts: dict):
        self.artifacts = artifacts

    def by_debug_id(self, debug_id, kind, content=True):
        return self.artifacts.get((debug_id, kind))

    def by_url(self, urls, release, dist):
        return None

    def fetch(self, url, kind):
        return None, ""


def build() -> tuple[list[dict], Loader, int]:
    import pytest  # tests.helpers.jsbuild skips via pytest when node is missing

    from tests.helpers import jsbuild

    try:
        dist = jsbuild.build_names_bundle(Path(tempfile.mkdtemp()), "node.js", "bench@1")
        injected = jsbuild.run_cli("unused", "sourcemaps", "inject", str(dist))
        assert injected.returncode == 0, injected.stderr
        sent = jsbuild.node_events(dist / "app.min.js")
    except pytest.skip.Exception as exc:
        sys.exit(f"cannot build the bundle: {exc}")
    from ingest.normalize import normalize_event

    map_bytes = (dist / "app.min.js.map").read_bytes()
    minified = (dist / "app.min.js").read_bytes()
    debug_id = uuid.UUID(json.loads(map_bytes)["debugId"])
    loader = Loader(
        {
            (debug_id, "source_map"): Artifact("~/app.min.js.map", map_bytes, {}, 1, 1),
            (debug_id, "minified_source"): Artifact("~/app.min.js", minified, {}, 1, 2),
        }
    )
    events = [normalize_event(e, 0.0, uuid.uuid4().hex) for e in sent]
    return events, loader, len(map_bytes) + len(minified)


def per_kind(events: list[dict]) -> None:
    from tests.helpers.jsbuild import frame_mark

    got: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    sources = collections.Counter()
    for event in events:
        for exc in event["exception"]:
            for frame in exc["stacktrace"]["frames"]:
                if "data" in frame and "function_from" in frame["data"]:
                    sources[frame["data"]["function_from"]] += 1
                mark = frame_mark(frame)
                if mark:
                    got[mark[0]][0] += frame["function"] == mark[1]
                    got[mark[0]][1] += 1
    print("frame kind     original name / frames")
    for kind, (right, total) in sorted(got.items()):
        print(f"  {kind:12} {right:3} / {total}")
    right, total = (sum(v[i] for v in got.values()) for i in (0, 1))
    print(f"  {'all':12} {right:3} / {total}")
    print("name from (every resolved frame):", dict(sources))
    types = [(exc.get("minified_type"), exc["type"]) for e in events for exc in e["exception"]]
    print("exception types (minified → resolved):", types)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    events, loader, size = build()
    frames = sum(len(e["exception"][-1]["stacktrace"]["frames"]) for e in events)
    print(f"{len(events)} events, {frames} frames; map + minified {size / 1024:.0f} KiB")
    process = psutil.Process()
    before = process.memory_info().rss
    parsed = ParsedMaps(max_bytes=1 << 30)
    start = time.perf_counter()
    resolved = json.loads(json.dumps(events))
    for event in resolved:
        resolve_event(event, loader, parsed=parsed)
    cold = time.perf_counter() - start
    grown = process.memory_info().rss - before
    per_kind(resolved)
    print(
        f"first event (parse, scope index in a child and here): {cold * 1000:.0f} ms; "
        f"RSS +{grown / 2**20:.1f} MiB = {grown / size:.1f}× map + minified; "
        f"charged to the cache (sourcemaps.parsed.estimated_cost) {parsed.used / 2**20:.1f} MiB"
    )
    copies = [json.loads(json.dumps(events)) for _ in range(args.repeat)]
    start = time.perf_counter()
    for batch in copies:
        for event in batch:
            resolve_event(event, loader, parsed=parsed)
    warm = (time.perf_counter() - start) / (args.repeat * len(events))
    print(f"maps cached: {warm * 1000:.2f} ms per event ({parsed.parses} parse in all)")
    start = time.perf_counter()
    for event in json.loads(json.dumps(events)):
        resolve_event(event, loader)
    print(f"maps not cached: {(time.perf_counter() - start) / len(events) * 1000:.0f} ms per event")


if __name__ == "__main__":
    main()
