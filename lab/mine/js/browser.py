"""Mining one browser codebase: each release is bundled with @sentry/browser by esbuild, minified,
named by content hash, and run in Debian's Chromium (Playwright); the SDK posts its envelopes to
a loopback server that also serves the page. Releases alternate between shipping without source
maps and with them: for the latter the minified file and its map (debug IDs injected by
sentry-cli, as a real build does) are kept under lab/corpus/js-artifacts/<codebase>/<release>/
for the evaluation to upload before replaying, and the rows name that folder."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.mine.js import libs, node, plan
from lab.mine.js.label import bugs_of
from lab.mine.js.tidy import tidy

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = CORPUS / "js-artifacts"
SENTRY_CLI = Path(sys.executable).parent / "sentry-cli"
PAGE = ("<!doctype html><meta charset='utf-8'><title>{title}</title><body>"
        "<script>window.__SENTRY_DSN__ = 'http://public@' + location.host + '/1';</script>"
        "<script src='assets/{vendor}'></script><script src='assets/{script}'></script>")


def with_maps(codebase: str, release: int) -> bool:
    """Half the releases ship source maps; which half differs per codebase."""
    return (release + len(codebase)) % 2 == 0


def esbuild(codebase: str, spec: dict, release: int, entry: str, name: str, outdir: Path,
            *extra: str) -> Path:
    out = node.BUILD / codebase / f"r{release}"
    args = [str(libs.HERE / "node_modules" / ".bin" / "esbuild"), entry, "--bundle", "--minify",
            "--format=iife", "--platform=browser", "--target=es2020", f"--outdir={outdir}",
            f"--entry-names={name}.[hash]", "--log-level=error", *extra]
    env = {**os.environ, "NODE_PATH": libs.node_path(node.versions_of(spec, release))}
    result = subprocess.run(args, cwd=out, env=env, capture_output=True, text=True, timeout=180)
    if result.returncode != 0:
        raise RuntimeError(f"esbuild {codebase} r{release}: {result.stderr[-2000:]}")
    return next(outdir.glob(f"{name}.*.js"))


def deployed_sources(map_file: Path) -> None:
    """The map names library sources as a project's own `node_modules` holds them, not by the
    miner's per-version install folders."""
    data = json.loads(map_file.read_text())
    data["sources"] = [re.sub(r"^(\.\./)+(libs/[^/]+@[^/]+|lab/mine/js)/node_modules/",
                              "../../node_modules/", source) for source in data["sources"]]
    map_file.write_text(json.dumps(data, separators=(",", ":")))


def bundle(codebase: str, spec: dict, release: int) -> Path:
    """The release's page: the application's chunk (its code and libraries; with a source map
    in the releases that ship them, debug IDs injected) and @sentry/browser's own chunk."""
    dist = node.BUILD / codebase / f"r{release}" / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    maps = ("--sourcemap",) if with_maps(codebase, release) else ()
    script = esbuild(codebase, spec, release, "app/main.js", "app", dist / "assets",
                     "--define:__DSN__=window.__SENTRY_DSN__",
                     f"--define:__RELEASE__={json.dumps(node.release_name(codebase, release))}",
                     *maps)
    if maps:
        deployed_sources(Path(f"{script}.map"))
        subprocess.run([str(SENTRY_CLI), "sourcemaps", "inject", str(dist / "assets")],
                       check=True, capture_output=True, timeout=120,
                       env={**os.environ, "SENTRY_DISABLE_UPDATE_CHECK": "1"})
    vendor = esbuild(codebase, spec, release, "app/vendor.js", "sentry", dist / "vendor")
    shutil.move(vendor, dist / "assets" / vendor.name)
    (dist / "index.html").write_text(PAGE.format(title=codebase, script=script.name,
                                                 vendor=vendor.name))
    return dist


class _Collector(http.server.SimpleHTTPRequestHandler):
    events: dict[str, dict]
    arrived: threading.Condition

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # the SDK's envelope endpoint
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                event = json.loads(payload)
                with self.arrived:
                    self.events[(event.get("tags") or {}).get("mine_trigger", "")] = event
                    self.arrived.notify_all()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")


@contextlib.contextmanager
def serving(dist: Path) -> Iterator[tuple[str, dict, threading.Condition]]:
    events: dict[str, dict] = {}
    arrived = threading.Condition()
    handler = type("Collector", (_Collector,), {"events": events, "arrived": arrived})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(dist)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html", events, arrived
    finally:
        server.shutdown()


def capture(dist: Path, triggers: list[dict]) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    got: dict[str, dict] = {}
    with sync_playwright() as playwright, serving(dist) as (url, events, arrived):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        if not page.evaluate("typeof window.__mineFire === 'function'"):
            raise RuntimeError(f"{dist}: the page did not start: {errors[:3]}")
        for trigger in triggers:
            page.evaluate("([t, e, r, i]) => window.__mineFire(t, e, r, i)",
                          [trigger["id"], trigger["entry"], trigger["route"], trigger["input"]])
            if trigger["entry"] == "click":
                page.click("#run")
            deadline = time.monotonic() + 5
            with arrived:
                while trigger["id"] not in events and time.monotonic() < deadline:
                    arrived.wait(0.2)
                if trigger["id"] in events:
                    got[trigger["id"]] = events.pop(trigger["id"])
        browser.close()
    return got


def keep_artifacts(codebase: str, release: int, dist: Path) -> str:
    target = ARTIFACTS / codebase / node.release_name(codebase, release)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(dist / "assets", target / "assets",
                    ignore=lambda _, names: [n for n in names if not n.startswith("app.")])
    return str(target.relative_to(libs.ROOT))


def mine(codebase: str) -> list[dict]:
    spec = node.info(codebase)
    discovered = node.discover(codebase, spec)
    bugs = {bug.id: bug for bug in bugs_of(codebase, discovered)}
    planned = plan.triggers(list(bugs.values()), plan.inputs_of(discovered), plan.BROWSER_ENTRIES)
    rows = []
    for release, triggers in sorted(planned.items()):
        dist = bundle(codebase, spec, release)
        maps = keep_artifacts(codebase, release, dist) if with_maps(codebase, release) else None
        got = capture(dist, triggers)
        for trigger in triggers:
            if trigger["id"] not in got:
                continue
            event = tidy(got[trigger["id"]], [], "\0", f"{codebase}.example.com")
            out = node.row(codebase, "javascript", bugs[trigger["bug"]], trigger, release, spec,
                           event)
            out["minified"] = True
            if maps:
                out["sourcemaps"] = maps
            rows.append(out)
    return rows
