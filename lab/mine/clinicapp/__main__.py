"""``python -m lab.mine.clinicapp [--stats]``: capture every release of clinic-desk (each in its
own process) and write lab/corpus/python-clinic-desk.jsonl.zst; the same sources write the
same bytes. An event is kept only if the SDK sent exactly one event for its trigger and its
exception chain has its bug's types; the others are counted and reported."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.corpus import is_report_only, read_rows, write_rows
from lab.mine.clinicapp.bugs import APP, BUGS, VERSIONS
from lab.mine.clinicapp.capture import ROOT

OUT = CORPUS / f"python-{APP}.jsonl.zst"
ENV = {**os.environ, "PYTHONHASHSEED": "0"}
BY_LABEL = {bug.label: bug for bug in BUGS}


def run_release(release: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "capture.json"
        subprocess.run([sys.executable, "-m", "lab.mine.clinicapp.capture", str(release),
                        str(out)], cwd=ROOT, check=True, timeout=600, env=ENV,
                       stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def crash_of(event: dict) -> tuple[str, str]:
    """Where the first exception of the chain was raised: the app's code, or elsewhere (the
    standard library); and that frame as module:function."""
    frame = event["exception"]["values"][0]["stacktrace"]["frames"][-1]
    where = "app" if frame.get("in_app") else (
        "library" if "site-packages" in (frame.get("abs_path") or "") else "other")
    return where, f"{frame.get('module')}:{frame.get('function')}"


def rows_of(release: int, captured: dict) -> tuple[list[dict], Counter]:
    rows, dropped = [], Counter()
    for item in captured["events"]:
        bug = BY_LABEL[item["bug"]]
        event = item["event"]
        types = tuple(v.get("type") for v in (event or {}).get("exception", {}).get("values", []))
        if item["captures"] != 1 or types != bug.types:
            dropped[(bug.id, item["entry"], item["captures"], types)] += 1
            continue
        crash, frame = crash_of(event)
        rows.append({"app": APP, "bug": bug.label, "crash": crash, "crash_frame": frame,
                     "entry": item["entry"], "event": event, "family": item["family"],
                     "libraries": captured["frameworks"], "platform": "python",
                     "release": event["release"], "site": bug.site, "split": "mined"})
    return rows, dropped


def stats(rows: list[dict]) -> str:
    per_bug = Counter(row["bug"] for row in rows)
    releases = defaultdict(set)
    entries = defaultdict(set)
    for row in rows:
        releases[row["bug"]].add(row["release"])
        entries[row["bug"]].add(row["entry"])
    lines = [f"{'bug':78} {'events':>6} {'rel':>3} entries"]
    for bug in BUGS:
        lines.append(f"{bug.id:78} {per_bug[bug.label]:>6} {len(releases[bug.label]):>3} "
                     f"{','.join(sorted(entries[bug.label]))}")
    lines.append(f"{len(per_bug)} bugs, {len(rows)} events, releases "
                 f"{', '.join(VERSIONS)}, entries "
                 f"{', '.join(sorted({r['entry'] for r in rows}))}; report-only: "
                 f"{is_report_only(APP)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lab.mine.clinicapp")
    parser.add_argument("--stats", action="store_true", help="summarise the committed file")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.stats:
        print(stats(list(read_rows(args.out))))
        return
    assert not is_report_only(APP), "clinic-desk must be a choice codebase"
    rows: list[dict] = []
    dropped: Counter = Counter()
    for release in range(len(VERSIONS)):
        kept, lost = rows_of(release, run_release(release))
        rows += kept
        dropped += lost
    count = write_rows(args.out, rows)
    print(stats(rows))
    print(f"wrote {count} rows to {args.out}; dropped {sum(dropped.values())}")
    for key, n in sorted(dropped.items()):
        print(f"  dropped {n}: {key}")


if __name__ == "__main__":
    main()
