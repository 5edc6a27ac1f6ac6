"""What the tests of older and legacy SDK releases share (tests/slow/test_sdk_versions.py,
tests/slow/test_raven_sdks.py): a fingerprint-only project and its DSN, the check that every
request a recording proxy saw was accepted and every event stored, and the faults' issues."""

from __future__ import annotations

import json
import os
import subprocess
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.stats import item_counts
from monitor.models import Event, Organization, Project
from tests.conftest import wait_for
from tests.helpers import jsbuild
from tests.helpers.sdk_proxy import Recording

REPO = Path(__file__).resolve().parents[2]
OLD_PYTHON_SDKS = REPO / "var" / "test-sdks"  # `make old-sdks`: one `pip --target` folder each
OLD_JS_SDKS = jsbuild.JS / "sdk-versions" / "node_modules"  # `make old-sdks`: npm ci there


def project_dsn(base: str, platform: str) -> tuple[Project, str]:
    """A project that groups by fingerprint only (ML grouping cannot hide a split), its DSN
    on `base`."""
    org = Organization.objects.create(name=f"Versions {platform}", slug=f"versions-{platform}")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     platform=platform,
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    return project, f"http://{project.keys.get().public_key}@{base.split('://', 1)[1]}/{project.id}"


def sdk_version(event: Event) -> str:
    return str((event.data.get("sdk") or {}).get("version"))


def assert_accepted(recording: Recording, project: Project, sent: int) -> None:
    """Every request got a 2xx answer, every event the SDKs sent is stored, and every other item
    they sent (sessions, client reports) is counted as accepted. The SDKs have stopped: what
    they sent is answered once nothing is pending."""
    wait_for(lambda: recording.pending == 0, timeout=60, message="the proxy's requests answered")
    refused = [r for r in recording.requests if not 200 <= r.status < 300]
    assert refused == [], refused
    items = recording.items()
    assert items.count("event") == sent, items
    events = Event.objects.filter(project=project)
    wait_for(lambda: events.count() == sent, timeout=120, message=f"{sent} events stored")
    counted: dict[str, int] = defaultdict(int)
    for per_type in item_counts(project.id).values():
        for item_type, n in per_type.items():
            counted[item_type] += n
    for item_type in set(items) - {"event"}:
        assert counted[item_type] == items.count(item_type), (item_type, dict(counted))


def issues_by_fault(events: list[Event], fault_of: Callable[[Event], str]) -> dict[str, set[int]]:
    """fault → the issues its events are in; asserts that every release reported every fault."""
    out: dict[str, set[int]] = defaultdict(set)
    for event in events:
        out[fault_of(event)].add(event.issue_id)
    reported = {(sdk_version(e), fault_of(e)) for e in events}
    versions = {sdk_version(e) for e in events}
    assert reported == {(v, f) for v in versions for f in out}, sorted(reported)
    return out


def python_path(package: str, release: str | None) -> str:
    """PYTHONPATH for an application run with `package` (the import name) at `release` from
    var/test-sdks/<package>-<release>; None is the venv's own. Skips when it is not installed."""
    if release is None:
        return str(REPO)
    folder = OLD_PYTHON_SDKS / f"{package.replace('_', '-')}-{release}"
    if not (folder / package).is_dir():
        pytest.skip(f"{folder} is missing: `make old-sdks` installs it")
    return f"{folder}{os.pathsep}{REPO}"


def python_fault(event: Event) -> str:
    """`TypeError in quantity_label`: the chain's types and the crashing function."""
    chain = event.data["exception"]
    crash = chain[-1]["stacktrace"]["frames"][-1]["function"]
    return "/".join(e["type"] for e in chain) + " in " + crash


def node_fault(event: Event) -> str:
    """Which of tests/js/app/versions_app.cjs's faults the event reports."""
    value = event.data["exception"][-1]["value"]
    functions = {f.get("function") for e in event.data["exception"]
                 for f in e["stacktrace"]["frames"]}
    if value == "could not load the cart":
        return "cart"
    if "toFixed" in value:
        return "quantity"
    if "listenPort" in functions:
        return "start-up"
    return "total after await" if "reprice" in functions else "total"


def node_env(dsn: str) -> dict[str, str]:
    """The environment of a Node application: the DSN, and the older SDKs' node_modules before
    tests/js's."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "FAULTLINE_DSN": dsn,
            "NODE_PATH": f"{OLD_JS_SDKS}{os.pathsep}{jsbuild.NODE_MODULES}"}


def run_node(package: str, scenario: str, dsn: str) -> subprocess.CompletedProcess:
    """tests/js/app/versions_app.cjs with `package` as its SDK (a name or a file)."""
    return subprocess.run(
        ["node", str(jsbuild.JS / "app" / "versions_app.cjs"), package, scenario],
        cwd=jsbuild.JS, capture_output=True, text=True, timeout=120, env=node_env(dsn))


def build_browser_bundle(out: Path, package: str, dsn: str, release: str) -> Path:
    """tests/js/app/versions_browser.js bundled and minified by esbuild with `package` as its
    @sentry/browser (a package name, or a path from tests/js such as ./app/raven_browser.js),
    into out/app.min.js (+ .map)."""
    alias = [] if package == "@sentry/browser" else [f"--alias:@sentry/browser={package}"]
    done = subprocess.run(
        [str(jsbuild.NODE_MODULES / ".bin" / "esbuild"),
         str(jsbuild.JS / "app" / "versions_browser.js"), "--bundle", "--minify", "--sourcemap",
         "--format=iife", *alias, f"--outfile={out / 'app.min.js'}",
         f"--define:__DSN__={json.dumps(dsn)}", f"--define:__RELEASE__={json.dumps(release)}"],
        cwd=jsbuild.JS, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NODE_PATH": f"{OLD_JS_SDKS}{os.pathsep}{jsbuild.NODE_MODULES}"})
    assert done.returncode == 0, done.stderr
    return out


def play_browser_faults(bundles: list[tuple[str, Path]]) -> None:
    """Open each (label, bundle folder) in Chromium and raise versions_browser.js's faults: a
    checkout with undefined and with null, a bad quantity, and one uncaught from a timer; then
    wait until its SDK has sent them. No ORM call may run inside: Playwright's loop would hold
    a connection of its own open."""
    from playwright.sync_api import sync_playwright

    from tests.helpers.browser import CHROMIUM
    from tests.helpers.browserpage import ARGS, serving

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for label, dist in bundles:
            with serving(dist) as url:
                page = browser.new_page()
                page.goto(url)
                page.evaluate("window.checkoutRequest(undefined)")
                page.evaluate("window.checkoutRequest(null)")
                page.evaluate("window.quantityRequest()")
                page.evaluate("window.queueCheckout()")
                page.wait_for_timeout(300)
                assert page.evaluate("window.flushSentry()") is True, label
                page.close()
        browser.close()


def browser_fault(event: Event) -> str:
    """Which of tests/js/app/versions_browser.js's faults the event reports."""
    value = event.data["exception"][-1]["value"]
    functions = {f.get("function") for f in event.data["exception"][-1]["stacktrace"]["frames"]}
    if "toFixed" in value:
        return "quantity"
    return "total from a job" if "runJob" in functions else "total"
