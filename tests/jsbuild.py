"""Real JavaScript tooling for the tests: `npm ci` of tests/js/package.json (pinned SDKs and
esbuild), esbuild bundles minified per release, and the sentry-cli binary from PyPI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"
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
    )  # fmt: skip
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
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return dist


def cli_env(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update(SENTRY_AUTH_TOKEN=token, SENTRY_DISABLE_UPDATE_CHECK="1",
               SENTRY_LOAD_DOTENV="0", SENTRY_LOG_LEVEL="info")  # fmt: skip
    return env


def run_cli(token: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sentry_cli(), *args], env=cli_env(token), cwd=cwd,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
