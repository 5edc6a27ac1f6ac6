"""`python -m lab.mine.js.clinicbook` writes lab/corpus/node-clinicbook.jsonl.zst: the clinicbook
service (lab.mine.js.clinicbook.app), whose faults are in its own code, rendered per release and
driven through its real entry points (Express router, Koa, an RPC endpoint that batches calls on
setImmediate, a worker_threads job runner, an admin CLI) under the real @sentry/node
(capture-node.cjs, sentry-setup.cjs), with seeded inputs, so running it again writes the same
bytes. Each planned trigger names its bug; the event the SDK sent must raise the bug's type
(and cause), or the run fails."""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.corpus import is_report_only, write_rows
from lab.mine.js import libs
from lab.mine.js.clinicbook import app
from lab.mine.js.clinicbook.bugs import BUGS, Bug
from lab.mine.js.node import node
from lab.mine.js.tidy import tidy

NAME = "clinicbook"
RELEASES = (1, 2, 3, 4)
SEED = 20261208
BUILD = libs.VAR / "build" / NAME
OUTPUT = CORPUS / f"node-{NAME}.jsonl.zst"
DEPLOYED = f"/srv/{NAME}"
# What the service runs on (the same in every release: its faults are in its own code).
LIBRARIES = {"@sentry/node": "11.12.0", "express": "4.21.2", "koa": "2.16.1"}


def render(release: int) -> Path:
    folder = BUILD / f"r{release}" / "app"
    shutil.rmtree(folder, ignore_errors=True)
    for path, text in app.files(release).items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return folder


def plan(rng: random.Random) -> dict[int, list[dict]]:
    """2–3 triggers per bug and release it occurs in, each with its own input and entry point;
    a release's triggers shuffled so that no two neighbours are alike (the SDK's Dedupe)."""
    planned: dict[int, list[dict]] = {r: [] for r in RELEASES}
    for bug in BUGS:
        for release in bug.releases:
            for _ in range(rng.choice((2, 3, 3))):
                family, make = rng.choice(bug.families)
                planned[release].append(
                    {
                        "bug": bug.id,
                        "route": bug.route,
                        "family": family,
                        "entry": rng.choice(bug.entries),
                        "input": make(rng),
                    }
                )
    for release, triggers in planned.items():
        rng.shuffle(triggers)
        for number, trigger in enumerate(triggers):
            trigger["id"] = release * 10000 + number
    return planned


def crash_frame(event: dict) -> tuple[str, dict]:
    frames = [
        f
        for f in event["exception"]["values"][-1]["stacktrace"]["frames"]
        if "/" in str(f.get("filename", "")) and not str(f.get("filename")).startswith("node:")
    ]
    return frames[-1]["filename"], frames[-1]


def row(bug: Bug, trigger: dict, release: int, event: dict) -> dict:
    values = event["exception"]["values"]
    if values[-1]["type"] != bug.type or (bug.cause and values[0]["type"] != bug.cause):
        raise RuntimeError(
            f"{bug.id} r{release}: got {[v['type'] for v in values]} "
            f"{values[-1].get('value')!r} for {trigger}"
        )
    filename, frame = crash_frame(event)
    in_library = "/node_modules/" in filename
    file = filename.split(f"{DEPLOYED}/app/", 1)[-1]
    return {
        "bug": bug.id,
        "app": NAME,
        "platform": "node",
        "split": "mined",
        "release": f"{NAME}@1.{release}.0",
        "event": event,
        "site": bug.site,
        "entry": trigger["entry"],
        "family": trigger["family"],
        "crash": "library" if in_library else "app",
        "crash_frame": f"{file}:{frame.get('function', '?')}",
        "libraries": dict(LIBRARIES),
    }


def capture(release: int, triggers: list[dict]) -> list[dict]:
    folder = render(release)
    out = folder.parent
    plan_file, events_file = out / "plan.json", out / "events.jsonl"
    plan_file.write_text(
        json.dumps(
            {
                "release": f"{NAME}@1.{release}.0",
                "serverName": f"{NAME}-web-{release}",
                "app": str(folder),
                "bundle": False,
                "output": str(events_file),
                "triggers": [
                    {k: t[k] for k in ("id", "entry", "route", "input")} for t in triggers
                ],
            }
        )
    )
    summary = json.loads(node(["capture-node.cjs", str(plan_file)], {}, timeout=420))
    if summary["missing"]:
        print(f"release {release}: no single event for {summary['missing']}")
    by_id = {t["id"]: t for t in triggers}
    bugs = {bug.id: bug for bug in BUGS}
    replacements = [
        (str(folder), f"{DEPLOYED}/app"),
        (str(libs.HERE / "node_modules"), f"{DEPLOYED}/node_modules"),
    ]
    rows = []
    for line in events_file.read_text().splitlines():
        got = json.loads(line)
        trigger = by_id[got["trigger"]]
        event = tidy(got["event"], replacements, str(libs.HERE), f"{NAME}.internal:8080")
        rows.append(row(bugs[trigger["bug"]], trigger, release, event))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lab.mine.js.clinicbook")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    assert not is_report_only(NAME), "clinicbook is a choice codebase (lab.corpus.is_report_only)"
    libs.ensure_tools()
    planned = plan(random.Random(SEED))
    rows = [r for release in RELEASES for r in capture(release, planned[release])]
    rows.sort(key=lambda r: (r["bug"], r["release"]))
    count = write_rows(args.output, rows)
    print(f"{NAME}: {len({r['bug'] for r in rows})} bugs, {count} events -> {args.output}")


if __name__ == "__main__":
    main()
