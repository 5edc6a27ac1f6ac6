"""``python -m lab.mine.python [--install] [--only NAME ...] [--jobs N] [--stats]``.

Mining runs each release of each codebase in a subprocess (probe, then capture), caches their
outputs under ``var/mine/out/`` keyed by what they depend on (so a rerun resumes), and writes
``lab/corpus/python-<codebase>.jsonl.zst``. The same code and versions give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.corpus import corpus_files, is_report_only, read_rows, write_rows
from lab.mine.python import assemble, install, render
from lab.mine.python.codebases import BY_NAME, CODEBASES, Codebase
from lab.mine.python.install import ROOT, site_of

OUT = ROOT / "var" / "mine" / "out"
RUN_SECONDS = 300
# One hash seed: a library message built from a set reads the same on every run.
ENV = {**os.environ, "PYTHONHASHSEED": "0"}


def corpus_path(codebase: Codebase) -> Path:
    return CORPUS / f"python-{codebase.name}.jsonl.zst"


def fingerprint(codebase: Codebase) -> str:
    """What a probe depends on: the app's every release, the inputs, the pins, the miner."""
    digest = hashlib.sha256()
    for release in range(len(codebase.versions)):
        files = render.render_release(codebase, release)
        digest.update(json.dumps(files, sort_keys=True).encode())
    spec = [sorted(codebase.inputs), codebase.versions, codebase.entries]
    digest.update(json.dumps(spec).encode())
    for module in ("mine.py", "render.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]


def _run(args: list[str], out: Path) -> list[dict]:
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "lab.mine.python.mine", *args, str(out)],
                       cwd=ROOT, check=True, timeout=RUN_SECONDS, stdout=subprocess.DEVNULL,
                       env=ENV)
    return json.loads(out.read_text())


def mine_codebase(codebase: Codebase) -> str:
    started = time.monotonic()
    folder = OUT / codebase.name / fingerprint(codebase)
    releases = [r for r in range(len(codebase.versions))
                if (site_of(codebase, r).parent / ".installed").exists()]
    probes = [_run(["probe", codebase.name, str(r)], folder / f"probe-r{r + 1}.json")
              if r in releases else [] for r in range(len(codebase.versions))]
    bugs = assemble.decide_bugs(codebase, probes)
    plans = assemble.plan_events(codebase, bugs)
    captured = {}
    for release, plan in sorted(plans.items()):
        text = json.dumps(plan, sort_keys=True)
        key = hashlib.sha256(text.encode()).hexdigest()[:12]
        plan_path = folder / f"plan-r{release + 1}-{key}.json"
        plan_path.parent.mkdir(parents=True, exist_ok=True)
        plan_path.write_text(text)
        captured[release] = _capture(codebase, release, plan_path, folder, key)
    rows, dropped = assemble.rows(codebase, captured)
    count = write_rows(corpus_path(codebase), rows)
    return (f"{codebase.name}: {len({r['bug'] for r in rows})} bugs, {count} events, "
            f"{len(releases)} releases, dropped {dropped}, {time.monotonic() - started:.0f} s")


def _mine_or_report(codebase: Codebase) -> str:
    """A codebase that cannot be mined (a library that does not import, a release that times
    out) is reported and skipped, not allowed to stop the others."""
    try:
        return mine_codebase(codebase)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"FAILED {codebase.name}: {exc}"


def _capture(codebase: Codebase, release: int, plan_path: Path, folder: Path, key: str):
    out = folder / f"capture-r{release + 1}-{key}.json"
    if not out.exists():
        subprocess.run([sys.executable, "-m", "lab.mine.python.mine", "capture", codebase.name,
                        str(release), str(out), str(plan_path)],
                       cwd=ROOT, check=True, timeout=RUN_SECONDS, stdout=subprocess.DEVNULL,
                       env=ENV)
    return json.loads(out.read_text())


def _signature(event: dict) -> str:
    from lab.mine.python.mine import signature_of_event

    return json.dumps(signature_of_event(event))


def stats(paths: list[Path]) -> str:
    """One line per codebase: versions, bugs, events, hard negatives, drift between releases."""
    lines = [f"{'codebase':16} {'library':15} {'versions':34} {'entry points':17} {'bugs':>4} "
             f"{'events':>6} {'hardneg':>7} {'drift':>5} {'fixed':>5} report-only"]
    totals = defaultdict(int)
    upgrades: list[str] = []
    for path in paths:
        rows = list(read_rows(path))
        if not rows or rows[0]["platform"] != "python":
            continue
        app = rows[0]["app"]
        versions = sorted({r["library_version"] for r in rows},
                          key=lambda v: [int(x) if x.isdigit() else 0 for x in v.split(".")])
        order = {v: i for i, v in enumerate(versions)}
        by_bug: dict[str, dict[int, str]] = defaultdict(dict)
        where: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in rows:
            by_bug[row["bug"]][order[row["library_version"]]] = _signature(row["event"])
            crash = row["event"]["exception"]["values"][0]
            frame = crash["stacktrace"]["frames"][-1]
            where[(crash["type"], f"{frame.get('module')}.{frame.get('function')}")].add(
                row["bug"])
        drift = sum(1 for sigs in by_bug.values()
                    if len(set(sigs.values())) > 1)
        steps = []
        for i in range(1, len(versions)):
            both = [sigs for sigs in by_bug.values() if i - 1 in sigs and i in sigs]
            changed = sum(1 for sigs in both if sigs[i - 1] != sigs[i])
            gone = sum(1 for sigs in by_bug.values() if i - 1 in sigs and i not in sigs)
            new = sum(1 for sigs in by_bug.values() if i in sigs and i - 1 not in sigs)
            steps.append(f"{versions[i - 1]}→{versions[i]}: {changed} changed, {gone} gone, "
                         f"{new} new")
        upgrades.append(f"  {app}: " + "; ".join(steps))
        fixed = sum(1 for sigs in by_bug.values() if max(sigs) < len(versions) - 1)
        hard = sum(1 for bugs in where.values() if len(bugs) > 1)
        entries = ", ".join(sorted({row["entry"] for row in rows}))
        lines.append(f"{app:16} {rows[0]['library']:15} {', '.join(versions):34} {entries:17} "
                     f"{len(by_bug):>4} {len(rows):>6} {hard:>7} {drift:>5} {fixed:>5} "
                     f"{'yes' if is_report_only(app) else ''}")
        totals["codebases"] += 1
        totals["bugs"] += len(by_bug)
        totals["events"] += len(rows)
        totals["drift"] += drift
    lines.append(f"{totals['codebases']} codebases, {totals['bugs']} bugs, {totals['events']} "
                 f"events; {totals['drift']} bugs whose signature changes across releases")
    lines.append("hardneg: (type, raising function) pairs shared by two or more bugs; drift: "
                 "bugs whose signature changes between releases; fixed: bugs gone in the last")
    lines.append("per upgrade (bugs whose signature changed, stopped failing, started failing):")
    return "\n".join(lines + upgrades)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lab.mine.python")
    parser.add_argument("--install", action="store_true", help="pip install the libraries first")
    parser.add_argument("--only", nargs="*", help="these codebases only")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stats", action="store_true", help="print the summary table and stop")
    args = parser.parse_args(argv)
    if args.stats:
        # the library-mined codebases only (invoice-desk and clinic-desk: lab.mine.appcode and
        # lab.mine.clinicapp, --stats there)
        print(stats([p for p in corpus_files() if p.name.startswith("python-")
                     and p.name.removesuffix(".jsonl.zst").removeprefix("python-") in BY_NAME]))
        return
    chosen = [BY_NAME[name] for name in args.only] if args.only else CODEBASES
    if args.install:
        for line in install.install(chosen):
            print(line, flush=True)
    started = time.monotonic()
    with ThreadPoolExecutor(args.jobs) as pool:
        for line in pool.map(_mine_or_report, chosen):
            print(line, flush=True)
    print(f"mined {len(chosen)} codebases in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
