"""Older releases of the official SDKs against a live Faultline, beside the current ones: an
application whose SDK is years old, or one that upgrades it, keeps its issues.

Each release runs one application (tests/helpers/versions_app.py for sentry-sdk,
tests/js/app/versions_app.cjs for @sentry/node, tests/js/app/versions_browser.js for
@sentry/browser in Chromium) with the SDK's default options, through a proxy that records every
request and the server's answer (tests.helpers.sdk_proxy). Checked: every request is accepted,
every event stored and every other item counted (sentry-sdk 1.x posts to /store/, the rest send
envelopes; the JavaScript SDKs send session items beside their events), every release reports
every fault, one fault is one issue whatever the input, the entry point or the SDK release (the
upgrade case), and different faults stay apart. The projects group by fingerprint only, so ML
grouping cannot hide a split (docs/ingest.md, "Older SDK releases").

Nothing is installed here: `make old-sdks` (a prerequisite of `make test`) puts each older
sentry-sdk in its own folder under var/test-sdks (PYTHONPATH picks it; the project's venv keeps
its own) and runs `npm ci` in tests/js/sdk-versions (npm aliases: sentry-node-7, ...)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from ingest.stats import item_counts
from monitor.models import Event, Issue, Organization, Project
from tests.conftest import wait_for
from tests.helpers import jsbuild
from tests.helpers.sdk_proxy import Recording, recording_proxy

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
OLD_PYTHON_SDKS = REPO / "var" / "test-sdks"
OLD_JS_SDKS = jsbuild.JS / "sdk-versions" / "node_modules"
# The releases `make old-sdks` installs (the Makefile's OLD_PYTHON_SDKS): the last 1.x, an early
# 2.x and 3.0; None is the project's own sentry-sdk (pyproject.toml's pin).
PYTHON_RELEASES = ("1.45.1", "2.0.1", "3.0.0", None)
# tests/js/sdk-versions/package.json's aliases, then tests/js/package.json's current release.
NODE_PACKAGES = ("sentry-node-7", "sentry-node-8", "sentry-node-9", "sentry-node-10",
                 "@sentry/node")


def project_dsn(base: str, platform: str) -> tuple[Project, str]:
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


def issues_by_fault(events: list[Event], fault_of) -> dict[str, set[int]]:
    """fault → the issues its events are in; asserts that every release reported every fault."""
    out: dict[str, set[int]] = defaultdict(set)
    for event in events:
        out[fault_of(event)].add(event.issue_id)
    reported = {(sdk_version(e), fault_of(e)) for e in events}
    versions = {sdk_version(e) for e in events}
    assert reported == {(v, f) for v in versions for f in out}, sorted(reported)
    return out


def python_path(release: str | None) -> str:
    if release is None:
        return str(REPO)
    folder = OLD_PYTHON_SDKS / f"sentry-sdk-{release}"
    if not (folder / "sentry_sdk").is_dir():
        pytest.skip(f"{folder} is missing: `make old-sdks` installs it")
    return f"{folder}{os.pathsep}{REPO}"


def python_fault(event: Event) -> str:
    chain = event.data["exception"]
    crash = chain[-1]["stacktrace"]["frames"][-1]["function"]
    return "/".join(e["type"] for e in chain) + " in " + crash


def test_sentry_sdk_releases_old_and_current_group_alike(web, worker):
    """sentry-sdk 1.45.1 (the /store/ endpoint, gzip), 2.0.1 (envelopes), 3.0.0 and the
    project's own (brotli) each report the application's five events."""
    paths = {release: python_path(release) for release in PYTHON_RELEASES}
    with recording_proxy(web) as (base, recording):
        project, dsn = project_dsn(base, "python")
        for release, path in paths.items():
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": path}
            done = subprocess.run([sys.executable, "-m", "tests.helpers.versions_app", dsn],
                                  cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, (release, done.stdout, done.stderr)
        assert_accepted(recording, project, sent=5 * len(PYTHON_RELEASES))
    old = [r for r in recording.requests if r.client == "sentry.python/1.45.1"]
    assert {r.path for r in old} == {f"/api/{project.id}/store/"}, old
    events = list(Event.objects.filter(project=project))
    assert {sdk_version(e) for e in events} >= {"1.45.1", "2.0.1", "3.0.0"}
    faults = issues_by_fault(events, python_fault)
    assert set(faults) == {"TypeError in <genexpr>", "TypeError in quantity_label",
                           "FileNotFoundError/RuntimeError in load_config"}, faults
    # one issue per fault across inputs, entry points and releases; three faults, three issues
    assert all(len(issues) == 1 for issues in faults.values()), faults
    assert Issue.objects.filter(project=project).count() == 3
    uncaught = [e for e in events if dict(e.tags).get("handled") == "no"]
    assert len(uncaught) == len(PYTHON_RELEASES)  # the worker thread's, one per release
    assert {dict(e.tags).get("mechanism") for e in uncaught} == {"threading"}


def node_fault(event: Event) -> str:
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


def run_node(package: str, scenario: str, dsn: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["node", str(jsbuild.JS / "app" / "versions_app.cjs"), package, scenario],
        cwd=jsbuild.JS, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "FAULTLINE_DSN": dsn,
             "NODE_PATH": f"{OLD_JS_SDKS}{os.pathsep}{jsbuild.NODE_MODULES}"})


def test_sentry_node_releases_old_and_current_group_alike(web, worker):
    """@sentry/node 7.120.4, 8.55.2, 9.47.2, 10.78.0 and the current 11.12.0 each report seven
    events (six captured, one uncaught that ends the process) and their session items."""
    jsbuild.npm_ci()
    if not shutil.which("node") or not (OLD_JS_SDKS / "sentry-node-7").is_dir():
        pytest.skip(f"{OLD_JS_SDKS} is missing: `make old-sdks` installs it")
    with recording_proxy(web) as (base, recording):
        project, dsn = project_dsn(base, "node")
        for package in NODE_PACKAGES:
            captured = run_node(package, "captured", dsn)
            assert captured.returncode == 0, (package, captured.stdout, captured.stderr)
            uncaught = run_node(package, "uncaught", dsn)
            assert uncaught.returncode == 1 and "TypeError" in uncaught.stderr, \
                (package, uncaught.stdout, uncaught.stderr)
        assert_accepted(recording, project, sent=7 * len(NODE_PACKAGES))
    assert "session" in recording.items("sentry.javascript.node/7.")
    events = list(Event.objects.filter(project=project))
    assert {sdk_version(e).split(".")[0] for e in events} == {"7", "8", "9", "10", "11"}
    faults = issues_by_fault(events, node_fault)
    assert set(faults) == {"total", "total after await", "quantity", "cart", "start-up"}, faults
    # the first fault from two entry points (a route table, a queued job), two inputs and five
    # releases is one issue; the call through `reprice` is a call path of its own
    assert all(len(issues) == 1 for issues in faults.values()), faults
    assert Issue.objects.filter(project=project).count() == 5
    cart = next(e for e in events if node_fault(e) == "cart")
    assert [e["type"] for e in cart.data["exception"]] == ["SyntaxError", "Error"]
    uncaught = [e for e in events if dict(e.tags).get("handled") == "no"]
    assert len(uncaught) == len(NODE_PACKAGES)
    assert {dict(e.tags)["mechanism"] for e in uncaught} == {
        "onuncaughtexception", "auto.node.onuncaughtexception"}  # 7-9, then 10 and 11


BROWSER_PACKAGES = ("sentry-browser-7", "sentry-browser-8", "@sentry/browser")


def build_browser_bundle(out: Path, package: str, dsn: str, release: str) -> Path:
    """tests/js/app/versions_browser.js bundled and minified by esbuild with `package` as its
    @sentry/browser, into out/app.min.js (+ .map)."""
    alias = [] if package == "@sentry/browser" else [f"--alias:@sentry/browser={package}"]
    done = subprocess.run(
        [str(jsbuild.NODE_MODULES / ".bin" / "esbuild"),
         str(jsbuild.JS / "app" / "versions_browser.js"), "--bundle", "--minify", "--sourcemap",
         "--format=iife", *alias, f"--outfile={out / 'app.min.js'}",
         f"--define:__DSN__={json.dumps(dsn)}", f"--define:__RELEASE__={json.dumps(release)}"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "NODE_PATH": f"{OLD_JS_SDKS}{os.pathsep}{jsbuild.NODE_MODULES}"})
    assert done.returncode == 0, done.stderr
    return out


def browser_fault(event: Event) -> str:
    value = event.data["exception"][-1]["value"]
    functions = {f.get("function") for f in event.data["exception"][-1]["stacktrace"]["frames"]}
    if "toFixed" in value:
        return "quantity"
    return "total from a job" if "runJob" in functions else "total"


def test_sentry_browser_releases_old_and_current_group_alike(web, worker, tmp_path):
    """@sentry/browser 7.120.4, 8.55.2 and the current 11.12.0, each in a minified bundle whose
    map sentry-cli uploaded (debug IDs), in Chromium: four events each (three captured, one
    uncaught from a timer), one issue per fault across the releases and entry points."""
    from playwright.sync_api import sync_playwright

    from sourcemaps.tokens import create_org_token
    from tests.helpers.browser import CHROMIUM
    from tests.helpers.browserpage import ARGS, serving

    jsbuild.npm_ci()
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    if not (OLD_JS_SDKS / "sentry-browser-7").is_dir():
        pytest.skip(f"{OLD_JS_SDKS} is missing: `make old-sdks` installs it")
    with recording_proxy(web) as (base, recording):
        project, dsn = project_dsn(base, "javascript")
        _, token = create_org_token(project.organization, "ci", url=web)
        dists = []
        for package in BROWSER_PACKAGES:
            dist = build_browser_bundle(tmp_path / package.replace("/", "-"), package, dsn,
                                        release=f"shop@{package.rsplit('-', 1)[-1]}")
            for args in (("inject", str(dist)),
                         ("upload", "--wait", "--org", project.organization.slug,
                          "--project", project.slug, str(dist))):
                done = jsbuild.run_cli(token, "sourcemaps", *args)
                assert done.returncode == 0, done.stdout + done.stderr
            dists.append(dist)
        # no ORM call inside: Playwright's loop would hold a connection of its own open
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for package, dist in zip(BROWSER_PACKAGES, dists, strict=True):
                with serving(dist) as url:
                    page = browser.new_page()
                    page.goto(url)
                    page.evaluate("window.checkoutRequest(undefined)")
                    page.evaluate("window.checkoutRequest(null)")
                    page.evaluate("window.quantityRequest()")
                    page.evaluate("window.queueCheckout()")
                    page.wait_for_timeout(300)
                    assert page.evaluate("window.flushSentry()") is True, package
                    page.close()
            browser.close()
        assert_accepted(recording, project, sent=4 * len(BROWSER_PACKAGES))
    events = list(Event.objects.filter(project=project))
    assert {sdk_version(e).split(".")[0] for e in events} == {"7", "8", "11"}
    faults = issues_by_fault(events, browser_fault)
    assert set(faults) == {"total", "total from a job", "quantity"}, faults
    assert all(len(issues) == 1 for issues in faults.values()), faults
    # Order.total's fault, reached by the request handler and by the queued job (both dispatch
    # to `checkout`), is one issue: the mapped frames are read from that dispatch
    assert faults["total"] == faults["total from a job"], faults
    assert Issue.objects.filter(project=project).count() == 2
    uncaught = [e for e in events if dict(e.tags).get("handled") == "no"]
    assert len(uncaught) == len(BROWSER_PACKAGES)
    # the SDK's timer wrapper, resolved: 7.x's maps place it outside node_modules
    wrappers = {sdk_version(e).split(".")[0]: f for e in uncaught
                for f in e.data["exception"][-1]["stacktrace"]["frames"]
                if f.get("function") == "sentryWrapped"}
    assert "node_modules" not in wrappers["7"]["filename"], wrappers["7"]
    assert not any(f["in_app"] for f in wrappers.values()), wrappers
