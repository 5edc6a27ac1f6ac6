"""Mining one codebase: render each release, discover its faults, label bugs, capture the
planned triggers under the real SDK, tidy and label the events.

`mine_bundled` also ships the last two releases as a real minified service ships: one esbuild
bundle (`--bundle --minify --platform=node`, no source map) of the application and the
libraries it uses, `dist/server.js` (the web, partner, RPC and CLI entry points) and
`dist/worker.js`, with @sentry/node left external so that the SDK instruments as installed. The
same planned triggers run through the same entry points; each event keeps the bug id the
unminified release's discovery gave it (the same input hits the same fault)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from lab.mine.js import libs, plan
from lab.mine.js.label import Bug, bugs_of
from lab.mine.js.tidy import tidy

HERE = libs.HERE
BUILD = libs.VAR / "build"
BUNDLED_RELEASES = 2  # the last releases also shipped as an esbuild bundle
# The bundle's one entry: every entry point of the service the harness drives (the worker is its
# own bundle, as worker_threads loads it from its own file).
SERVER_ENTRY = """"use strict";
module.exports = {
  web: require("../app/web.js"),
  koa: require("../app/koa.js"),
  plain: require("../app/plain.js"),
  cli: require("../app/cli.js"),
};
"""


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


def bundled_release_name(codebase: str, release: int) -> str:
    """The patch release that ships release `release`'s code as a minified bundle."""
    return f"{codebase}@1.{release}.1"


def esbuild_node(codebase: str, spec: dict, release: int, entry: str, outfile: Path) -> None:
    out = BUILD / codebase / f"r{release}"
    args = [str(HERE / "node_modules" / ".bin" / "esbuild"), entry, "--bundle", "--minify",
            "--platform=node", "--target=node20", "--format=cjs", "--external:@sentry/node",
            f"--outfile={outfile}", "--log-level=error"]
    env = {**os.environ, "NODE_PATH": libs.node_path(versions_of(spec, release))}
    result = subprocess.run(args, cwd=out, env=env, capture_output=True, text=True, timeout=180)
    if result.returncode != 0:
        raise RuntimeError(f"esbuild {codebase} r{release}: {result.stderr[-2000:]}")


def bundle(codebase: str, spec: dict, release: int) -> Path:
    """dist/server.js and dist/worker.js of the rendered release (its app/ folder)."""
    out = BUILD / codebase / f"r{release}"
    dist = out / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    (out / "bundle").mkdir(exist_ok=True)
    (out / "bundle" / "server.js").write_text(SERVER_ENTRY)
    esbuild_node(codebase, spec, release, "bundle/server.js", dist / "server.js")
    esbuild_node(codebase, spec, release, "app/worker.js", dist / "worker.js")
    return dist


def replacements(codebase: str, spec: dict, release: int) -> list[tuple[str, str]]:
    deployed = f"/srv/{codebase}"
    pairs = [(str(BUILD / codebase / f"r{release}" / "app"), f"{deployed}/app"),
             (str(BUILD / codebase / f"r{release}" / "dist"), f"{deployed}/dist")]
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


def capture(codebase: str, spec: dict, release: int, triggers: list[dict], bugs: dict,
            bundled: bool = False) -> list[dict]:
    """The release's triggers through its entry points (from app/, or from the dist/ bundle)."""
    out = BUILD / codebase / f"r{release}"
    name = bundled_release_name if bundled else release_name
    plan_file = out / ("plan-bundled.json" if bundled else "plan.json")
    events_file = out / ("events-bundled.jsonl" if bundled else "events.jsonl")
    plan_file.write_text(json.dumps({
        "release": name(codebase, release), "serverName": f"{codebase}-web-{release}",
        "app": str(out / ("dist" if bundled else "app")), "bundle": bundled,
        "output": str(events_file), "triggers": triggers}))
    node(["capture-node.cjs", str(plan_file)], versions_of(spec, release), timeout=420)
    by_id = {t["id"]: t for t in triggers}
    rows = []
    for line in events_file.read_text().splitlines():
        got = json.loads(line)
        trigger = by_id[got["trigger"]]
        event = tidy(got["event"], replacements(codebase, spec, release), str(HERE),
                     f"{codebase}.internal:8080")
        out_row = row(codebase, "node", bugs[trigger["bug"]], trigger, release, spec, event)
        if bundled:
            out_row.update(release=name(codebase, release), minified=True, bundle="dist")
        rows.append(out_row)
    return rows


def planned_of(codebase: str) -> tuple[dict, dict, dict[int, list[dict]]]:
    spec = info(codebase)
    discovered = discover(codebase, spec)
    bugs = {bug.id: bug for bug in bugs_of(codebase, discovered)}
    planned = plan.triggers(list(bugs.values()), plan.inputs_of(discovered), plan.NODE_ENTRIES)
    return spec, bugs, planned


def mine(codebase: str) -> list[dict]:
    spec, bugs, planned = planned_of(codebase)
    return [row for release, triggers in sorted(planned.items())
            for row in capture(codebase, spec, release, triggers, bugs)]


def mine_bundled(codebase: str) -> list[dict]:
    """The last BUNDLED_RELEASES releases' triggers again, through their esbuild bundle."""
    spec, bugs, planned = planned_of(codebase)
    last = releases_of(spec)[-BUNDLED_RELEASES:]
    rows = []
    for release in last:
        if release not in planned:
            continue
        bundle(codebase, spec, release)
        rows.extend(capture(codebase, spec, release, planned[release], bugs, bundled=True))
    return rows
