"""Real JavaScript tooling for the tests: `npm ci` of tests/js/package.json (pinned SDKs and
esbuild), esbuild bundles minified per release, and the sentry-cli binary from PyPI."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import ClassVar

import pytest

JS = Path(__file__).resolve().parents[1] / "js"
NODE_MODULES = JS / "node_modules"
SENTRY_CLI = Path(sys.executable).parent / "sentry-cli"


def npm_ci() -> Path:
    """Install the pinned packages once (offline-tolerant: an existing install is kept when
    the registry cannot be reached); skips the test when node or npm is missing."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are needed for the JavaScript tests")
    stamp = NODE_MODULES / ".faultline-lock"
    lock = (JS / "package-lock.json").read_bytes()
    if stamp.exists() and stamp.read_bytes() == lock:
        return NODE_MODULES
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=JS, capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:
        if (NODE_MODULES / "@sentry" / "browser").exists():
            return NODE_MODULES  # offline: keep what is there
        pytest.skip(f"npm ci failed: {result.stderr[-500:]}")
    stamp.write_bytes(lock)
    return NODE_MODULES


def sentry_cli() -> str:
    if not SENTRY_CLI.exists():
        pytest.skip("sentry-cli is not installed (pip install sentry-cli)")
    return str(SENTRY_CLI)


def build_browser_bundle(out: Path, dsn: str, release: str, padding_lines: int = 0) -> Path:
    """tests/js/app bundled with @sentry/browser and minified by esbuild into out/app.min.js
    (+ .map). `padding_lines` shifts the original line numbers, so releases differ."""
    npm_ci()
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    for name in ("browser.js", "cart.js"):
        text = (JS / "app" / name).read_text()
        padding = "\n".join(f"// release note {i}" for i in range(padding_lines))
        (src / name).write_text(text.replace("// __PADDING__", padding or "// no padding"))
    dist = out / "dist"
    result = subprocess.run(
        [str(NODE_MODULES / ".bin" / "esbuild"), str(src / "browser.js"), "--bundle", "--minify",
         "--sourcemap", "--format=iife", f"--outfile={dist / 'app.min.js'}",
         f"--define:__DSN__={json.dumps(dsn)}", f"--define:__RELEASE__={json.dumps(release)}"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
    )
    assert result.returncode == 0, result.stderr
    return dist


def cli_env(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update(SENTRY_AUTH_TOKEN=token, SENTRY_DISABLE_UPDATE_CHECK="1",
               SENTRY_LOAD_DOTENV="0", SENTRY_LOG_LEVEL="info")
    return env


def run_cli(token: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sentry_cli(), *args], env=cli_env(token), cwd=cwd,
                          capture_output=True, text=True, timeout=120)


NAMES_APP = JS / "app" / "names"


def build_names_bundle(out: Path, entry: str, release: str, dsn: str = "",
                       padding_lines: int = 0, minify: bool = True) -> Path:
    """tests/js/app/names (named functions, methods, arrow functions assigned to consts, error
    classes, an `export default` function, functions in an object literal) with `entry`
    (`node.js` or `browser.js`) bundled and minified by esbuild into out/dist/app.min.js (+ .map).
    `padding_lines` shifts the original lines, so releases differ; `minify=False` bundles
    without minifying (the names stay original)."""
    npm_ci()
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    for path in NAMES_APP.glob("*.js"):
        text = path.read_text()
        if path.name == entry and padding_lines:
            padding = "\n".join(f"globalThis.releaseNote{i} = {i};" for i in range(padding_lines))
            text = text.replace("// __PADDING__", padding)
        (src / path.name).write_text(text)
    dist = out / "dist"
    node = entry == "node.js"
    result = subprocess.run(
        [str(NODE_MODULES / ".bin" / "esbuild"), str(src / entry), "--bundle",
         *(["--minify"] if minify else []), "--sourcemap",
         f"--platform={'node' if node else 'browser'}", f"--format={'cjs' if node else 'iife'}",
         f"--outfile={dist / 'app.min.js'}",
         f"--define:__DSN__={json.dumps(dsn)}", f"--define:__RELEASE__={json.dumps(release)}"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
    )
    assert result.returncode == 0, result.stderr
    return dist


def run_node_bundle(bundle: Path, dsn: str) -> subprocess.CompletedProcess:
    """Run a bundle built for Node with FAULTLINE_DSN set (its SDK reports to `dsn`)."""
    return subprocess.run(["node", str(bundle)], cwd=bundle.parent,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "FAULTLINE_DSN": dsn},
                          capture_output=True, text=True, timeout=120)


def frame_mark(frame: dict) -> tuple[str, str] | None:
    """(kind, original function name) from the `// frame:<kind>:<name>` comment on a resolved
    frame's context line in tests/js/app/names, or None for a line without one."""
    line = frame.get("context_line") or ""
    if "// frame:" not in line:
        return None
    kind, _, name = line.rsplit("// frame:", 1)[1].strip().partition(":")
    return kind, name


class _Envelopes(http.server.BaseHTTPRequestHandler):
    """Takes an SDK's envelopes (plain, gzip, chunked) on loopback and keeps their events."""

    events: ClassVar[list[dict]]

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        if self.headers.get("content-length") is not None:
            body = self.rfile.read(int(self.headers["content-length"]))
        else:
            body = b""
            while size := int(self.rfile.readline().strip() or b"0", 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if header.strip() and json.loads(header).get("type") == "event":
                self.events.append(json.loads(payload))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


def node_events(bundle: Path) -> list[dict]:
    """The events that a Node bundle's @sentry/node sends, caught on a loopback port."""
    handler = type("Envelopes", (_Envelopes,), {"events": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_node_bundle(bundle, f"http://k@127.0.0.1:{server.server_address[1]}/1")
        assert result.returncode == 0, result.stderr
    finally:
        server.shutdown()
    return handler.events
