"""Source-map resolution on the processing path: parse and lookup cost of Sentry's `symbolic`
(the library Faultline uses) against the pure-Python `sourcemap` package when it is installed
(`pip install sourcemap==0.2.1`; not a dependency), on a real esbuild bundle of
@sentry/browser plus the test shop (tests/js), minified.

Prints the bundle and map sizes, parse ms per map, µs per frame lookup, and the cost of
resolving one 30-frame event through sourcemaps.symbolicate, with the map parsed for the event
and with it parsed once per process.

    .venv/bin/python bench/sourcemaps.py
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symbolic.sourcemap import SourceMapView, SourceView  # noqa: E402

from sourcemaps.parsed import ParsedMaps  # noqa: E402
from sourcemaps.symbolicate import Artifact, resolve_event  # noqa: E402


def build() -> tuple[bytes, bytes]:
    import pytest  # tests.helpers.jsbuild skips via pytest when node is missing

    from tests.helpers import jsbuild

    try:
        dist = jsbuild.build_browser_bundle(Path(tempfile.mkdtemp()), "http://k@h/1", "bench@1")
    except pytest.skip.Exception as exc:
        sys.exit(f"cannot build the bundle: {exc}")
    return (dist / "app.min.js").read_bytes(), (dist / "app.min.js.map").read_bytes()


def timed(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    minified, map_bytes = build()
    print(f"bundle {len(minified) / 1024:.0f} KiB minified, map {len(map_bytes) / 1024:.0f} KiB")
    view = SourceMapView.from_json_bytes(map_bytes)
    tokens = [view[i] for i in random.Random(3).sample(range(len(view)), 1000)]
    positions = [(t.dst_line, t.dst_col) for t in tokens]

    parse = timed(lambda: SourceMapView.from_json_bytes(map_bytes), 20)
    lookup = timed(lambda: [view.lookup(line, col) for line, col in positions], 5) / 1000
    source_view = SourceView.from_bytes(minified)
    named = timed(lambda: [view.lookup(line, col, "e", source_view)
                           for line, col in positions[:200]], 3) / 200
    print(f"symbolic      parse {parse * 1000:7.1f} ms   lookup {lookup * 1e6:6.1f} µs/frame   "
          f"with function name {named * 1e6:6.1f} µs/frame")
    try:
        import sourcemap
    except ImportError:
        print("sourcemap     not installed (pip install sourcemap==0.2.1 to compare)")
    else:
        text = map_bytes.decode()
        parse_py = timed(lambda: sourcemap.loads(text), 3)
        index = sourcemap.loads(text)
        lookup_py = timed(lambda: [index.lookup(line, col) for line, col in positions], 3) / 1000
        print(f"sourcemap     parse {parse_py * 1000:7.1f} ms   lookup {lookup_py * 1e6:6.1f} "
              "µs/frame   (no function names, no sourcesContent views)")

    debug_id = uuid.uuid4()
    artifacts = {(debug_id, "source_map"): Artifact("~/app.min.js.map", map_bytes, {}, 1, 1),
                 (debug_id, "minified_source"): Artifact("~/app.min.js", minified, {}, 1, 2)}

    class Loader:
        def by_debug_id(self, ident, kind, content=True):
            return artifacts.get((ident, kind))

        def by_url(self, urls, release, dist):
            return None

        def fetch(self, url, kind):
            return None, ""

    def event() -> dict:
        frames = [{"abs_path": "http://shop/app.min.js", "function": "e", "lineno": line + 1,
                   "colno": col + 1} for line, col in positions[:30]]
        return {"platform": "javascript", "exception": [{"type": "Error", "value": "x",
                "stacktrace": {"frames": frames}}], "debug_meta": {"images": [{
                    "type": "sourcemap", "code_file": "http://shop/app.min.js",
                    "debug_id": str(debug_id)}]}}

    per_event = timed(lambda: resolve_event(json.loads(json.dumps(event())), Loader()), 5)
    print(f"resolve_event, 30 frames, map parsed for the event: {per_event * 1000:.1f} ms/event")
    parsed = ParsedMaps(max_bytes=1 << 30)
    cached = timed(lambda: resolve_event(json.loads(json.dumps(event())), Loader(),
                                         parsed=parsed), 50)
    print(f"resolve_event, 30 frames, map parsed once per process: {cached * 1000:.1f} ms/event")


if __name__ == "__main__":
    main()
