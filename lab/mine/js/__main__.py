"""`python -m lab.mine.js [CODEBASE ...] [--force]` mines into lab/corpus/; `--stats` prints the
summary table of what is there. `--bundled` mines the Node codebases' last releases again from
their minified esbuild bundle (lab.mine.js.node.mine_bundled) into lab/corpus/minified/, a
folder the corpus readers take only when asked (lab.select --with-minified)."""

from __future__ import annotations

import argparse
import subprocess
import time
from collections import Counter
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.corpus import MINIFIED, read_rows, write_rows
from lab.mine.js import libs, node

CODEBASES = Path(__file__).resolve().parent / "codebases"


def output_of(codebase: str, platform: str) -> Path:
    prefix = "node" if platform == "node" else "javascript"
    return CORPUS / f"{prefix}-{codebase}.jsonl.zst"


def at_least_three(rows: list[dict]) -> list[dict]:
    """A bug whose captures fell under three events (the SDK dropped a duplicate) is left out."""
    counts = Counter(row["bug"] for row in rows)
    return [row for row in rows if counts[row["bug"]] >= 3]


def of_kept_bugs(rows: list[dict], base: Path) -> list[dict]:
    """The bundled releases' rows of the bugs the codebase's corpus file kept (`at_least_three`
    there): one bug, whichever build raised it."""
    kept = {row["bug"] for row in read_rows(base)}
    return [row for row in rows if row["bug"] in kept]


def mine_bundled(name: str, force: bool) -> None:
    base, out = output_of(name, "node"), MINIFIED / output_of(name, "node").name
    if out.exists() and not force:
        print(f"{name}: kept {out}")
        return
    started = time.monotonic()
    try:
        rows = of_kept_bugs(node.mine_bundled(name), base)
    except (RuntimeError, subprocess.SubprocessError) as error:
        print(f"{name}: bundled failed: {str(error)[:1500]}")
        return
    rows.sort(key=lambda r: (r["bug"], r["release"]))
    count = write_rows(out, rows)
    print(f"{name}: bundled {len({r['bug'] for r in rows})} bugs, {count} events, "
          f"{time.monotonic() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lab.mine.js")
    parser.add_argument("codebases", nargs="*")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--stats", action="store_true")
    parser.add_argument("--bundled", action="store_true",
                        help="the Node codebases' minified bundles, into lab/corpus/minified/")
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
    if args.bundled:
        for name, spec in specs.items():
            if spec["platform"] == "node":
                mine_bundled(name, args.force)
        return
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
