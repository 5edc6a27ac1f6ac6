"""The machinery every Node service whose faults are its own code shares (stockroom in
lab.mine.js.stockroom, clinicbook in lab.mine.js.clinicbook): the bug record, the trigger plan,
rendering a release's files, capturing them through the real entry points (Express, Koa, an RPC
endpoint, a worker_threads job runner, an admin CLI) under the real @sentry/node
(capture-node.cjs, sentry-setup.cjs), and the corpus rows. Each service keeps only what is its
own, handed over as a `Service`: its bugs, its release files, its seed."""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lab.corpus import HERE as CORPUS
from lab.corpus import is_report_only, write_rows
from lab.mine.js import libs
from lab.mine.js.node import node
from lab.mine.js.tidy import tidy

RELEASES = (1, 2, 3, 4)
# What the services run on (the same in every release: their faults are in their own code).
LIBRARIES = {"@sentry/node": "11.12.0", "express": "4.21.2", "koa": "2.16.1"}

Make = Callable[[random.Random], dict]


@dataclass(frozen=True)
class Bug:
    """One root cause in a service's code; a service subclasses it to set NAME."""

    NAME: ClassVar[str] = ""
    site: str
    type: str
    route: str
    entries: tuple[str, ...]
    families: tuple[tuple[str, Make], ...]
    releases: tuple[int, ...] = RELEASES
    cause: str = ""

    @property
    def id(self) -> str:
        kind = f"{self.type}({self.cause})" if self.cause else self.type
        return f"{self.NAME}/{self.site}:{kind}"


def join(*parts) -> str:
    """A file's text from blocks of text and lists of lines."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.extend(part.strip("\n").split("\n"))
        else:
            out.extend(part)
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Service:
    """What one service hands the machinery."""

    name: str  # stockroom: lab.mine.js.<name>, lab/corpus/node-<name>.jsonl.zst
    seed: int
    bugs: tuple[Bug, ...]
    files: Callable[[int], dict[str, str]]  # release → every file of app/
    report_only: bool
    skip_node_frames: bool = False  # the crash frame is never a node: internal one

    @property
    def output(self) -> Path:
        return CORPUS / f"node-{self.name}.jsonl.zst"

    @property
    def deployed(self) -> str:
        return f"/srv/{self.name}"


def render(service: Service, release: int) -> Path:
    folder = libs.VAR / "build" / service.name / f"r{release}" / "app"
    shutil.rmtree(folder, ignore_errors=True)
    for path, text in service.files(release).items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return folder


def plan(service: Service, rng: random.Random) -> dict[int, list[dict]]:
    """2–3 triggers per bug and release it occurs in, each with its own input and entry point;
    a release's triggers shuffled so that no two neighbours are alike (the SDK's Dedupe)."""
    planned: dict[int, list[dict]] = {r: [] for r in RELEASES}
    for bug in service.bugs:
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


def crash_frame(service: Service, event: dict) -> tuple[str, dict]:
    frames = [
        f
        for f in event["exception"]["values"][-1]["stacktrace"]["frames"]
        if "/" in str(f.get("filename", ""))
        and not (service.skip_node_frames and str(f.get("filename")).startswith("node:"))
    ]
    return frames[-1]["filename"], frames[-1]


def row(service: Service, bug: Bug, trigger: dict, release: int, event: dict) -> dict:
    values = event["exception"]["values"]
    if values[-1]["type"] != bug.type or (bug.cause and values[0]["type"] != bug.cause):
        raise RuntimeError(
            f"{bug.id} r{release}: got {[v['type'] for v in values]} "
            f"{values[-1].get('value')!r} for {trigger}"
        )
    filename, frame = crash_frame(service, event)
    in_library = "/node_modules/" in filename
    file = filename.split(f"{service.deployed}/app/", 1)[-1]
    return {
        "bug": bug.id,
        "app": service.name,
        "platform": "node",
        "split": "mined",
        "release": f"{service.name}@1.{release}.0",
        "event": event,
        "site": bug.site,
        "entry": trigger["entry"],
        "family": trigger["family"],
        "crash": "library" if in_library else "app",
        "crash_frame": f"{file}:{frame.get('function', '?')}",
        "libraries": dict(LIBRARIES),
    }


def capture(service: Service, release: int, triggers: list[dict]) -> list[dict]:
    name, deployed = service.name, service.deployed
    folder = render(service, release)
    out = folder.parent
    plan_file, events_file = out / "plan.json", out / "events.jsonl"
    plan_file.write_text(
        json.dumps(
            {
                "release": f"{name}@1.{release}.0",
                "serverName": f"{name}-web-{release}",
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
    bugs = {bug.id: bug for bug in service.bugs}
    replacements = [
        (str(folder), f"{deployed}/app"),
        (str(libs.HERE / "node_modules"), f"{deployed}/node_modules"),
    ]
    rows = []
    for line in events_file.read_text().splitlines():
        got = json.loads(line)
        trigger = by_id[got["trigger"]]
        event = tidy(got["event"], replacements, str(libs.HERE), f"{name}.internal:8080")
        rows.append(row(service, bugs[trigger["bug"]], trigger, release, event))
    return rows


def main(service: Service, argv: list[str] | None = None) -> None:
    """``python -m lab.mine.js.<name> [--output FILE]``: seeded, so the same bytes each run."""
    parser = argparse.ArgumentParser(prog=f"python -m lab.mine.js.{service.name}")
    parser.add_argument("--output", type=Path, default=service.output)
    args = parser.parse_args(argv)
    assert is_report_only(service.name) == service.report_only, (
        f"{service.name}: report-only must be {service.report_only} (lab.corpus.is_report_only)")
    libs.ensure_tools()
    planned = plan(service, random.Random(service.seed))
    rows = [r for release in RELEASES for r in capture(service, release, planned[release])]
    rows.sort(key=lambda r: (r["bug"], r["release"]))
    count = write_rows(args.output, rows)
    print(f"{service.name}: {len({r['bug'] for r in rows})} bugs, {count} events -> {args.output}")
