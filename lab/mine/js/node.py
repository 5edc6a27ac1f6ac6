"""Mining one codebase: render each release, discover its faults, label bugs, capture the
planned triggers under the real SDK, tidy and label the events."""

from __future__ import annotations

import json
import os
import subprocess

from lab.mine.js import libs, plan
from lab.mine.js.label import Bug, bugs_of
from lab.mine.js.tidy import tidy

HERE = libs.HERE
BUILD = libs.VAR / "build"


def node(args: list[str], versions: dict[str, str] | None = None, timeout: int = 300) -> str:
    env = {**os.environ, "NODE_PATH": libs.node_path(versions or {})}
    result = subprocess.run(["node", *args], cwd=HERE, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"node {' '.join(args[:2])}: {result.stderr[-2000:]}")
    return result.stdout


def info(codebase: str) -> dict:
    return json.loads(node(["render.cjs", codebase, "--info"]))


def release_name(codebase: str, release: int) -> str:
    return f"{codebase}@1.{release}.0"


def releases_of(spec: dict) -> list[int]:
    return list(range(1, len(next(iter(spec["libs"].values()))) + 1))


def versions_of(spec: dict, release: int) -> dict[str, str]:
    return {lib: versions[release - 1] for lib, versions in spec["libs"].items()}


def discover(codebase: str, spec: dict) -> dict[int, dict]:
    found = {}
    for release in releases_of(spec):
        out = BUILD / codebase / f"r{release}"
        versions = versions_of(spec, release)
        node(["render.cjs", codebase, str(release), str(out)], versions)
        node(["discover.cjs", codebase, str(release), str(out)], versions, timeout=240)
        found[release] = json.loads((out / "discovered.json").read_text())
    return found


def replacements(codebase: str, spec: dict, release: int) -> list[tuple[str, str]]:
    deployed = f"/srv/{codebase}"
    pairs = [(str(BUILD / codebase / f"r{release}" / "app"), f"{deployed}/app")]
    for lib, version in versions_of(spec, release).items():
        pairs.append((str(libs.lib_dir(lib, version) / "node_modules"), f"{deployed}/node_modules"))
    pairs.append((str(HERE / "node_modules"), f"{deployed}/node_modules"))
    return pairs


def row(codebase: str, platform: str, bug: Bug, trigger: dict, release: int, spec: dict,
        event: dict) -> dict:
    crash = bug.crash[release]
    return {
        "bug": bug.id, "app": codebase, "platform": platform, "split": "mined",
        "release": release_name(codebase, release), "event": event,
        "site": f"{bug.route}:{bug.field}", "entry": trigger["entry"],
        "family": trigger["family"], "crash": "app" if crash["inApp"] else "library",
        "crash_frame": f"{crash['file']}:{crash['function']}",
        "libraries": versions_of(spec, release),
    }


def mine(codebase: str) -> list[dict]:
    spec = info(codebase)
    discovered = discover(codebase, spec)
    bugs = {bug.id: bug for bug in bugs_of(codebase, discovered)}
    planned = plan.triggers(list(bugs.values()), plan.inputs_of(discovered), plan.NODE_ENTRIES)
    rows = []
    for release, triggers in sorted(planned.items()):
        out = BUILD / codebase / f"r{release}"
        plan_file = out / "plan.json"
        plan_file.write_text(json.dumps({
            "release": release_name(codebase, release), "serverName": f"{codebase}-web-{release}",
            "app": str(out / "app"), "output": str(out / "events.jsonl"), "triggers": triggers}))
        node(["capture-node.cjs", str(plan_file)], versions_of(spec, release), timeout=420)
        by_id = {t["id"]: t for t in triggers}
        for line in (out / "events.jsonl").read_text().splitlines():
            got = json.loads(line)
            trigger = by_id[got["trigger"]]
            event = tidy(got["event"], replacements(codebase, spec, release), str(HERE),
                         f"{codebase}.internal:8080")
            rows.append(row(codebase, "node", bugs[trigger["bug"]], trigger, release, spec, event))
    return rows
