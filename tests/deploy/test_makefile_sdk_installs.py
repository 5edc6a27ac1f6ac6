"""`make test` installs the SDKs the slow tests drive (`make sdks`: Debian packages; `make
old-sdks`: npm and PyPI releases) and must still run the suite where one of them cannot be
installed (a package a Debian release dropped, a registry that fails): the tests of what is
missing skip. Run against stand-ins for apt-get, apt-cache, npm and id on PATH, so nothing is
installed and no network is used."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")

STUBS = {
    "id": 'echo 0\n',
    # apt-cache knows every package but the one a release dropped; apt-get refuses a whole
    # install that names an unknown package, as the real one does
    "apt-cache": 'case "$*" in *dropped-package*) exit 100;; esac\n',
    "apt-get": 'echo "apt-get $*" >> "$LOG"\n'
               'case "$*" in *dropped-package*) exit 100;; esac\n',
    "npm": 'echo "npm $*" >> "$LOG"\nexit 1\n',
}


def stand_ins(folder: Path) -> dict[str, str]:
    """An environment whose PATH holds only the stand-ins (no go, ruby or real apt)."""
    for name, body in STUBS.items():
        path = folder / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)
    return {"PATH": str(folder), "LOG": str(folder / "log"), "HOME": str(folder)}


def make(target: str, env: dict[str, str], *variables: str) -> subprocess.CompletedProcess:
    return subprocess.run([MAKE, "-s", "-C", str(REPO), *variables, target], env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_debian_package_that_cannot_be_installed_leaves_the_others_and_make_test(tmp_path):
    env = stand_ins(tmp_path)
    done = make("sdks", env, "SDK_PACKAGES=golang-go dropped-package ruby")
    assert done.returncode == 0, done.stderr
    installs = [line for line in (tmp_path / "log").read_text().splitlines()
                if line.startswith("apt-get") and " install " in line]
    assert installs and installs[-1].endswith("golang-go ruby"), installs


def test_an_npm_install_that_fails_leaves_make_test(tmp_path):
    env = stand_ins(tmp_path)
    lock = tmp_path / "sdk-versions" / "package-lock.json"
    lock.parent.mkdir()
    lock.write_text("{}")
    done = make(f"{lock.parent}/node_modules/.package-lock.json", env,
                f"OLD_JS_SDKS={lock.parent}")
    assert "npm ci" in (tmp_path / "log").read_text()
    assert done.returncode == 0, done.stderr
    assert "skipped" in done.stdout


def test_a_python_release_pypi_cannot_give_leaves_make_test(tmp_path):
    """Every `pip install --target` of `make old-sdks` (sentry-sdk's old releases as raven's)
    asks for the release its folder names, and a failed one is a message."""
    env = stand_ins(tmp_path)
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "python $*" >> "$LOG"\nexit 1\n')
    python.chmod(0o755)
    stamp = tmp_path / "installed-stamp"
    stamp.write_text("")  # newer than pyproject.toml: `install` has nothing to do
    env["PATH"] += os.pathsep + "/usr/bin:/bin"
    done = make("var/test-sdks/sentry-sdk-0.0.1", env, f"PY={python}", f"STAMP={stamp}")
    assert "--target var/test-sdks/sentry-sdk-0.0.1.tmp sentry-sdk==0.0.1" in \
        (tmp_path / "log").read_text()
    assert done.returncode == 0, done.stderr
    assert "could not be installed" in done.stdout
    assert not (REPO / "var" / "test-sdks" / "sentry-sdk-0.0.1").exists()
