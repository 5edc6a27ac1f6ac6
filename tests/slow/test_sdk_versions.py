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

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.models import Event, Issue
from tests.helpers import jsbuild
from tests.helpers.old_sdks import (
    OLD_JS_SDKS,
    REPO,
    assert_accepted,
    browser_fault,
    build_browser_bundle,
    issues_by_fault,
    node_fault,
    play_browser_faults,
    project_dsn,
    python_fault,
    python_path,
    run_node,
    sdk_version,
)
from tests.helpers.sdk_proxy import recording_proxy

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The releases `make old-sdks` installs (the Makefile's OLD_PYTHON_SDKS): the last 1.x, an early
# 2.x and 3.0; None is the project's own sentry-sdk (pyproject.toml's pin).
PYTHON_RELEASES = ("1.45.1", "2.0.1", "3.0.0", None)
# tests/js/sdk-versions/package.json's aliases, then tests/js/package.json's current release.
NODE_PACKAGES = ("sentry-node-7", "sentry-node-8", "sentry-node-9", "sentry-node-10",
                 "@sentry/node")


def test_sentry_sdk_releases_old_and_current_group_alike(web, worker):
    """sentry-sdk 1.45.1 (the /store/ endpoint, gzip), 2.0.1 (envelopes), 3.0.0 and the
    project's own (brotli) each report the application's five events."""
    paths = {release: python_path("sentry_sdk", release) for release in PYTHON_RELEASES}
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


def test_sentry_browser_releases_old_and_current_group_alike(web, worker, tmp_path):
    """@sentry/browser 7.120.4, 8.55.2 and the current 11.12.0, each in a minified bundle whose
    map sentry-cli uploaded (debug IDs), in Chromium: four events each (three captured, one
    uncaught from a timer), one issue per fault across the releases and entry points."""
    from sourcemaps.tokens import create_org_token
    from tests.helpers.browser import CHROMIUM

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
        play_browser_faults(list(zip(BROWSER_PACKAGES, dists, strict=True)))
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
