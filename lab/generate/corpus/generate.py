"""Generate the grouping corpus: JSON lines of {"bug", "app", "platform", "split", "event"}.

    python -m lab.generate.corpus.generate var/corpus/corpus-seed7.jsonl          # full
    python -m lab.generate.corpus.generate var/corpus/small.jsonl --seed 3 --small  # for tests

Deterministic by seed: the same seed writes the same file. Python events are raised by real
code and captured by the real sentry-sdk (pycapture.py), JavaScript events by real code under
@sentry/node, plain and bundled/minified by esbuild (jscapture.py), Java events are built on
sentry-java payload shapes (java.py).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from lab.generate.corpus import split_of

FULL_PYTHON_BUGS = 40  # per application, at least
SMALL_PYTHON_BUGS = 5


def python_rows(seed: int, small: bool, build: Path) -> list[dict]:
    from lab.generate.corpus import pyapps, pycapture

    rows = []
    for spec in pyapps.APPS:
        app = pyapps.build_app(spec, seed, SMALL_PYTHON_BUGS if small else FULL_PYTHON_BUGS)
        rows += pycapture.capture_app(app, build, seed, repeats=1 if small else 2)
    return rows


def js_rows(seed: int, small: bool, build: Path) -> list[dict]:
    try:
        from lab.generate.corpus import jscapture
    except ImportError:  # not written yet
        return []
    return jscapture.rows(seed, small, build)


def java_rows(seed: int, small: bool) -> list[dict]:
    try:
        from lab.generate.corpus import java
    except ImportError:
        return []
    return java.rows(seed, small)


def generate(seed: int = 7, small: bool = False) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="faultline-corpus-") as tmp:
        build = Path(tmp)
        rows = python_rows(seed, small, build) + js_rows(seed, small, build)
    rows += java_rows(seed, small)
    rng = random.Random(f"{seed}:arrival")
    rng.shuffle(rows)  # the order events arrive in
    start = 1_760_000_000.0
    for index, row in enumerate(rows):
        row["split"] = split_of(row["bug"], row["app"])
        row["event"]["event_id"] = uuid.UUID(int=rng.getrandbits(128)).hex
        row["event"]["timestamp"] = start + index * 7.0
    return [{k: row[k] for k in ("bug", "app", "platform", "split", "event")} for row in rows]


def write(target: Path, seed: int = 7, small: bool = False) -> list[dict]:
    rows = generate(seed, small)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    with open(tmp, "w") as handle:
        for row in rows:
            handle.write(json.dumps(row, sort_keys=True) + "\n")
    tmp.replace(target)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate the labelled grouping corpus.")
    parser.add_argument("target", nargs="?", default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--small", action="store_true", help="a few bugs per app (tests)")
    args = parser.parse_args()
    from lab.generate.corpus import default_path

    target = Path(args.target) if args.target else default_path(args.seed, args.small)
    started = time.perf_counter()
    rows = write(target, args.seed, args.small)
    seconds = time.perf_counter() - started
    summary: dict[tuple[str, str], set] = {}
    for row in rows:
        summary.setdefault((row["platform"], row["split"]), set()).add(row["bug"])
    print(f"wrote {len(rows)} events of {len({r['bug'] for r in rows})} bugs to {target} "
          f"in {seconds:.0f} s")
    for (platform, split), bugs in sorted(summary.items()):
        events = sum(1 for r in rows if (r["platform"], r["split"]) == (platform, split))
        print(f"  {platform:<10} {split:<12} {len(bugs):>4} bugs {events:>5} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
