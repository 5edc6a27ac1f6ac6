"""What the tests of the Go and Ruby clients share (tests/slow/test_go_ruby_sdk.py,
tests/slow/test_raven_sdks.py): the Go shop built offline against Debian's GOPATH, Ruby's gems
checked, a project of its own and its stored events."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from monitor.models import Event, Organization, Project
from tests.conftest import wait_for

TESTS = Path(__file__).resolve().parents[1]
GO_SHOP = TESTS / "go" / "shop"
RUBY = TESTS / "ruby"
GOPATH = Path("/usr/share/gocode")  # where Debian's golang-*-dev packages put their sources
BUILD = TESTS.parent / "var" / "sdk-apps"  # ignored build output
PATH = "/usr/local/bin:/usr/bin:/bin"


def go_shop(client: str = "sentry-go", gopath_first: Path | None = None) -> Path:
    """The Go shop binary, built offline from Debian's sentry-go (or, with `gopath_first`, the
    sentry-go that folder holds over Debian's `client`); skips when they are missing."""
    if not shutil.which("go", path=PATH):
        pytest.skip("go is missing: apt-get install golang-go (make test does, as root)")
    if not (GOPATH / "src/github.com/getsentry" / client).is_dir():
        pytest.skip(f"{client} is missing: apt-get install golang-github-getsentry-"
                    f"{client}-dev")
    binary = BUILD / ("go-shop" if gopath_first is None else f"go-shop-{client}")
    gopath = str(GOPATH) if gopath_first is None else f"{gopath_first}:{GOPATH}"
    env = {"PATH": PATH, "HOME": str(BUILD), "GO111MODULE": "off", "GOPATH": gopath,
           "GOCACHE": str(BUILD / "go-cache"), "GOFLAGS": "", "CGO_ENABLED": "0"}
    BUILD.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["go", "build", "-o", str(binary), "."], cwd=GO_SHOP, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return binary


def require_ruby(*gems: str) -> None:
    if not shutil.which("ruby", path=PATH):
        pytest.skip("ruby is missing: apt-get install ruby (make test does, as root)")
    requires = "; ".join(f'require "{gem}"' for gem in gems)
    result = subprocess.run(["ruby", "-e", requires], env={"PATH": PATH}, capture_output=True,
                            text=True, timeout=60)
    if result.returncode != 0:
        pytest.skip(f"{', '.join(gems)} missing (Debian ruby-sentry-ruby, ruby-sentry-rails): "
                    f"{result.stderr.strip()[-300:]}")


def run(args: list[str], dsn: str, cwd: Path) -> str:
    """The output of a process that reports to `dsn` and must succeed."""
    result = subprocess.run(args, cwd=cwd, env={"PATH": PATH, "FAULTLINE_DSN": dsn},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def sdk_project(web: str, slug: str, platform: str) -> tuple[Project, str]:
    org = Organization.objects.create(name=f"{slug} Co", slug=slug)
    project = Project.objects.create(organization=org, name=slug, slug=slug, platform=platform,
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    dsn = f"http://{project.keys.get().public_key}@{web.split('://', 1)[1]}/{project.id}"
    return project, dsn


def stored(project: Project, count: int) -> list[Event]:
    events = Event.objects.filter(project=project)
    wait_for(lambda: events.count() >= count, timeout=120,
             message=f"{count} {project.platform} events stored")
    assert events.count() == count
    return list(events.order_by("id"))
