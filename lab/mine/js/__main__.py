"""`python -m lab.mine.js [CODEBASE ...] [--force]` mines into lab/corpus/; `--stats` prints the
summary table of what is there."""

from __future__ import annotations

import argparse
import subprocess
import time
from collections import Counter
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.corpus import write_rows
from lab.mine.js import libs, node

CODEBASES = Path(__file__).resolve().parent / "codebases"


def output_of(codebase: str, platform: str) -> Path:
    prefix = "node" if platform == "node" else "javascript"
    return CORPUS / f"{prefix}-{codebase}.jsonl.zst"


def at_least_three(rows: list[dict]) -> list[dict]:
    """A bug whose captures fell under three events (the SDK dropped a duplicate) is left out."""
    counts = Counter(row["bug"] for row in rows)
    return [row for row in rows if counts[row["bug"]] >= 3]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lab.mine.js")
    parser.add_argument("codebases", nargs="*")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--stats", action="store_true")
    args = parser.parse_args()
    if args.stats:
        from lab.mine.js.stats import print_stats

        print_stats()
        return
    libs.ensure_tools()
    names = args.codebases or sorted(p.stem for p in CODEBASES.glob("*.cjs"))
    specs = {name: node.info(name) for name in names}
    libs.install_all({(lib, v) for spec in specs.values()
                      for lib, versions in spec["libs"].items() for v in versions})
    for name, spec in specs.items():
        out = output_of(name, spec["platform"])
        if out.exists() and not args.force:
            print(f"{name}: kept {out.name}")
            continue
        started = time.monotonic()
        try:
            if spec["platform"] == "node":
                rows = node.mine(name)
            else:
                from lab.mine.js import browser

                rows = browser.mine(name)
        except (RuntimeError, subprocess.SubprocessError) as error:
            print(f"{name}: failed: {str(error)[:1500]}")
            continue
        rows = at_least_three(rows)
        rows.sort(key=lambda r: (r["bug"], r["release"]))
        count = write_rows(out, rows)
        bugs = len({r["bug"] for r in rows})
        print(f"{name}: {bugs} bugs, {count} events, {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
