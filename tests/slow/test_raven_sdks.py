"""The legacy official clients ("Raven") against a live Faultline, and the upgrade from each to
the current SDK of its language: Python `raven` 6.10.0 and sentry-sdk 0.20.3, Node `raven`
2.6.4, browser `raven-js` 3.27.2, Ruby `sentry-raven` 3.1.2 and Go `raven-go` 0.2.0 (Debian).

Each client runs a real application with its default options through the recording proxy
(tests.helpers.sdk_proxy): a few distinct faults, one of them from two inputs and two entry
points (captured and uncaught where the client reports uncaught errors), and a captured
message. Checked: every request accepted (2xx), every event stored, what the client posts (the
store endpoint, its X-Sentry-Auth version, its body coding) read, one issue per fault, different
faults apart, titles and culprits as the code reads, and where an application moves to the
current SDK of its language, whether each fault keeps its issue (docs/ingest.md, "Legacy Raven
clients").

Nothing is installed here: `make old-sdks` installs raven and sentry-sdk 0.20.3 under
var/test-sdks and raven/raven-js in tests/js/sdk-versions; `make sdks` Debian's
ruby-sentry-raven and golang-github-getsentry-raven-go-dev. A missing client skips its test."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from monitor.models import Event, Issue
from tests.helpers import jsbuild
from tests.helpers.go_ruby import GO_SHOP, RUBY, TESTS, go_shop, require_ruby, run, stored
from tests.helpers.old_sdks import (
    OLD_JS_SDKS,
    REPO,
    assert_accepted,
    browser_fault,
    build_browser_bundle,
    issues_by_fault,
    node_env,
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


def run_python(module: str, path: str, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": path}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def crash_frames(event: Event) -> list[dict]:
    """The frames of the event's last exception (the one raised last)."""
    return event.data["exception"][-1]["stacktrace"]["frames"]


def legacy_coding(body: bytes) -> str:
    """How a legacy client wrote a store body it sent without a Content-Encoding: JSON, or
    base64 of a zlib stream (raven-node, raven-ruby, raven-go over 1 KB), decoded here."""
    if body.lstrip().startswith(b"{"):
        json.loads(body)
        return "json"
    json.loads(zlib.decompress(base64.b64decode(body, validate=True)))
    return "base64+zlib"


PYTHON_FAULTS = {"TypeError in <genexpr>", "TypeError in quantity_label",
                 "FileNotFoundError/RuntimeError in load_config"}


def test_python_raven_and_sentry_sdk_0x_ingest_and_group(web, worker):
    """raven 6.10.0 (store, sentry_version 6, deflate, `sentry.interfaces.Message`) sends six
    events: tests/helpers/versions_app.py's four captured ones (its worker thread's uncaught
    error unseen: raven hooks the main thread only), a message, and Order.total's fault
    uncaught in the main thread; then sentry-sdk 0.20.3 and the project's own run the same
    application (five each) into the same project."""
    raven = python_path("raven", "6.10.0")
    sdk0 = python_path("sentry_sdk", "0.20.3")
    with recording_proxy(web) as (base, recording):
        project, dsn = project_dsn(base, "python")
        done = run_python("tests.helpers.raven_app", raven, dsn, "captured")
        assert done.returncode == 0, (done.stdout, done.stderr)
        done = run_python("tests.helpers.raven_app", raven, dsn, "uncaught")
        assert done.returncode == 1 and "TypeError" in done.stderr, (done.stdout, done.stderr)
        for path in (sdk0, str(REPO)):  # imported, as raven_app runs it: the same modules
            done = run_python("tests.helpers.versions_main", path, dsn)
            assert done.returncode == 0, (path, done.stdout, done.stderr)
        assert_accepted(recording, project, sent=6 + 5 + 5)
    legacy = [r for r in recording.requests if r.client.startswith("raven-python/")]
    assert len(legacy) == 6, recording.requests
    assert {(r.path, r.auth["sentry_version"], r.encoding) for r in legacy} == {
        (f"/api/{project.id}/store/", "6", "deflate")}
    bodies = [json.loads(r.body) for r in legacy]
    (posted,) = [b for b in bodies if "exception" not in b]
    assert posted["sentry.interfaces.Message"]["params"] == ["'1'"], posted  # raven's repr
    assert sorted(str(b["level"]) for b in bodies) == ["40"] * 5 + ["fatal"]  # 40: logging's

    events = list(Event.objects.filter(project=project))
    by_sdk = {sdk_version(e) for e in events}
    assert {"6.10.0", "0.20.3"} <= by_sdk, by_sdk
    old = [e for e in events if sdk_version(e) == "6.10.0"]
    assert sorted(e.data["level"] for e in old) == ["error"] * 5 + ["fatal"]
    (uncaught,) = [e for e in old if e.data["level"] == "fatal"]  # raven's sys.excepthook
    captured = [e for e in old if e.data.get("exception") and e is not uncaught]
    faults = issues_by_fault(captured, python_fault)
    assert set(faults) == PYTHON_FAULTS, faults
    assert all(len(issues) == 1 for issues in faults.values()), faults
    assert len(set.union(*faults.values())) == 3  # three faults apart
    (message,) = [e for e in old if not e.data.get("exception")]
    assert message.title == "Shop started run '1'", message.title  # raven sends repr()s
    assert message.issue_id not in set.union(*faults.values())
    total = Issue.objects.get(id=next(iter(faults["TypeError in <genexpr>"])))
    assert total.title in {"TypeError: unsupported operand type(s) for *: 'NoneType' and 'int'",
                           "TypeError: can't multiply sequence by non-int of type 'float'"}
    assert total.culprit == "tests.helpers.versions_app in <genexpr>", total.culprit
    # raven sends no in-app flags: every frame is hashed, as Sentry does (the system variant),
    # the uncaught one's from runpy's down through main: a call path of its own
    assert python_fault(uncaught) == "TypeError in <genexpr>"
    uncaught_frames = crash_frames(uncaught)
    assert not any("in_app" in f for f in uncaught_frames), uncaught_frames
    assert [f["function"] for f in uncaught_frames][-5:] == [
        "main", "serve", "checkout", "total", "<genexpr>"]

    # the upgrade: each fault keeps its issue from raven through sentry-sdk 0.x to today's
    # (the worker thread's uncaught error included). sentry-sdk 0.20.3 flags the standard
    # library's threading.py frame in-app, so its uncaught one is an issue of its own: left out
    def kept(e: Event) -> bool:
        return e.data.get("exception") and e is not uncaught and not (
            sdk_version(e) == "0.20.3" and dict(e.tags).get("handled") == "no")

    upgrade = issues_by_fault([e for e in events if kept(e)], python_fault)
    assert all(len(issues) == 1 for issues in upgrade.values()), upgrade
    (thread_0x,) = [e for e in events if not kept(e) and e is not uncaught
                    and e.data.get("exception")]
    assert thread_0x.issue_id not in set.union(*upgrade.values())
    assert [f["function"] for f in crash_frames(thread_0x)
            if f.get("module") == "threading" and f.get("in_app")] == ["run"]  # 0.20.3's flag
    # three faults, the message, raven's uncaught one, sentry-sdk 0.20.3's thread's one
    assert Issue.objects.filter(project=project).count() == 3 + 1 + 1 + 1


def test_node_raven_ingests_and_keeps_its_issues_on_sentry_node(web, worker):
    """raven 2.6.4 (store, sentry_version 5, base64 of deflate, no Content-Encoding) runs
    tests/js/app/versions_app.cjs through tests/js/app/raven_node.cjs: six captured events, one
    uncaught that ends the process, and a message; then the same application on the current
    @sentry/node."""
    jsbuild.npm_ci()
    if not shutil.which("node") or not (OLD_JS_SDKS / "raven").is_dir():
        pytest.skip(f"{OLD_JS_SDKS} is missing: `make old-sdks` installs it")
    shim = str(jsbuild.JS / "app" / "raven_node.cjs")
    with recording_proxy(web) as (base, recording):
        project, dsn = project_dsn(base, "node")
        for package in (shim, "@sentry/node"):
            captured = run_node(package, "captured", dsn)
            assert captured.returncode == 0, (package, captured.stdout, captured.stderr)
            uncaught = run_node(package, "uncaught", dsn)
            assert uncaught.returncode == 1 and "TypeError" in uncaught.stderr, \
                (package, uncaught.stdout, uncaught.stderr)
        message = subprocess.run(["node", shim, "message"], cwd=jsbuild.JS, capture_output=True,
                                 text=True, timeout=120, env=node_env(dsn))
        assert message.returncode == 0, (message.stdout, message.stderr)
        assert_accepted(recording, project, sent=7 + 7 + 1)
    legacy = [r for r in recording.requests if r.client.startswith("raven-node/")]
    assert {(r.path, r.auth["sentry_version"], r.encoding) for r in legacy} == {
        (f"/api/{project.id}/store/", "5", "")}, legacy
    assert {legacy_coding(r.body) for r in legacy} == {"base64+zlib"}

    events = list(Event.objects.filter(project=project))
    old = [e for e in events if sdk_version(e) == "2.6.4"]
    assert len(old) == 8
    (text,) = [e for e in old if not e.data.get("exception")]
    # raven-node formats no parameters and sends no level for a message: Sentry's default
    assert text.title == "Shop started run %s" and text.data["level"] == "error", text.data
    faults = issues_by_fault([e for e in old if e is not text], node_fault)
    assert set(faults) == {"total", "total after await", "quantity", "cart", "start-up"}, faults
    assert all(len(issues) == 1 for issues in faults.values()), faults
    assert len(set.union(*faults.values()) | {text.issue_id}) == 6  # five faults apart
    cart = next(e for e in old if node_fault(e) == "cart")
    assert [e["type"] for e in cart.data["exception"]] == ["Error"]  # raven sends no cause
    total = Issue.objects.get(id=next(iter(faults["total"])))
    assert total.title.startswith("TypeError: Cannot read properties of "), total.title
    # raven-node sends a culprit of its own (file and function), kept as Sentry kept it
    assert total.culprit == "versions_app.cjs at null.<anonymous>", total.culprit
    # raven's uncaught: level fatal, no mechanism; the same issue as the captured ones
    (uncaught,) = [e for e in old if e.data["level"] == "fatal"]
    assert node_fault(uncaught) == "total"

    # the upgrade to @sentry/node: one issue per fault, raven's `null.<anonymous>` callback and
    # `async main` read as the SDK names them (grouping.fingerprint.current_sdk_name). An
    # error's `cause` is new in the SDK (raven sends the outer error alone): another fingerprint
    upgrade = issues_by_fault([e for e in events if e.data.get("exception")], node_fault)
    assert {f: len(i) for f, i in upgrade.items()} == {
        "total": 1, "total after await": 1, "quantity": 1, "cart": 2, "start-up": 1}, upgrade


def go_fault(event: Event) -> str:
    """By the message: raven-go's frames miss the functions Go inlined (averagePrice)."""
    if not event.data.get("exception"):
        return "message"
    value = event.data["exception"][-1]["value"]
    return next(f for m, f in (("divide by zero", "divide"), ("nil pointer", "nil"),
                               ("CIDR", "cidr")) if m in value)


def test_go_raven_ingests_and_sentry_go_opens_its_issues_anew(web, worker):
    """raven-go 0.2.0 (store, sentry_version 4, base64+zlib bodies over 1 KB) behind the calls
    of tests/go/shop (tests/go/raven-shim), then the same shop on Debian's sentry-go."""
    raven = go_shop("raven-go", TESTS / "go" / "raven-shim")
    sentry = go_shop()
    runs = [("divide",), ("divide",), ("nil",), ("cidr", "10.0.0.300/8"),
            ("cidr", "192.168.1.999/24"), ("message", "run-1")]
    with recording_proxy(web) as (base, recording):
        project, dsn = project_dsn(base, "go")
        for binary, scenarios in ((raven, runs), (sentry, runs[1:5])):
            for args in scenarios:
                assert run([str(binary), *args], dsn, GO_SHOP).strip() == f"sent {args[0]}"
        assert_accepted(recording, project, sent=6 + 4)
    legacy = [r for r in recording.requests if r.client.startswith("raven-go/")]
    assert len(legacy) == 6, recording.requests
    assert {(r.path, r.auth["sentry_version"]) for r in legacy} == {
        (f"/api/{project.id}/store/", "4")}
    assert {"base64+zlib", "json"} == {legacy_coding(r.body) for r in legacy}  # over 1 KB: b64

    events = stored(project, 10)
    old = [e for e in events if sdk_version(e) == "1.0"]  # raven-go's client is raven-go/1.0
    assert len(old) == 6, [sdk_version(e) for e in events]
    faults = issues_by_fault(old, go_fault)
    assert set(faults) == {"divide", "nil", "cidr", "message"}, faults
    assert all(len(issues) == 1 for issues in faults.values()), faults  # cidr: two inputs
    assert len(set.union(*faults.values())) == 4
    divide = Issue.objects.get(id=next(iter(faults["divide"])))
    assert divide.title == "runtime.errorString: runtime error: integer divide by zero"
    assert divide.culprit == "main in recovered", divide.culprit
    # raven-go 0.2.0 walks the stack with runtime.FuncForPC: the functions Go inlined into the
    # closure (checkout, averagePrice) are missing, and the closure itself (module main.main,
    # function func1) is not in-app; for a wrapped error it reports pkg/errors' Cause alone
    # (*net.ParseError) with the capturing line's stack
    app = [f["function"] for f in crash_frames(next(e for e in old if go_fault(e) == "divide"))
           if f.get("in_app")]
    assert app == ["main", "recovered"], app
    (cidr,) = {e.title.split(":")[0] for e in old if go_fault(e) == "cidr"}
    assert cidr == "*net.ParseError"

    # the upgrade to sentry-go: each fault is one issue on each client, and the two apart (the
    # frames and the chain above differ): an upgrade from raven-go opens its issues anew
    upgrade = issues_by_fault([e for e in events if e.data.get("exception")], go_fault)
    assert {f: len(i) for f, i in upgrade.items()} == {"divide": 2, "nil": 2, "cidr": 2}, upgrade


def test_ruby_raven_ingests_and_keeps_its_issues_on_sentry_ruby(web, worker):
    """sentry-raven 3.1.2 (store, sentry_version 5, base64+zlib) behind the calls of
    tests/ruby/app/shop.rb (tests/ruby/raven/sentry-ruby.rb), then the same shop on
    sentry-ruby."""
    require_ruby("raven")
    require_ruby("sentry-ruby")
    shop = str(RUBY / "app" / "shop.rb")
    shim = ["ruby", "-I", str(RUBY / "raven"), shop]
    with recording_proxy(web) as (base, recording):
        project, dsn = project_dsn(base, "ruby")
        for scenario in ("divide", "divide", "missing"):
            assert run([*shim, scenario], dsn, RUBY).strip().endswith(f"sent {scenario}")
        assert run([*shim, "message", "run-1"], dsn, RUBY).strip().endswith("sent message")
        for scenario in ("divide", "missing"):
            assert run(["ruby", shop, scenario], dsn, RUBY).strip().endswith(f"sent {scenario}")
        assert_accepted(recording, project, sent=4 + 2)
    legacy = [r for r in recording.requests if r.client.startswith("raven-ruby/")]
    assert {(r.path, r.auth["sentry_version"]) for r in legacy} == {
        (f"/api/{project.id}/store/", "5")}, legacy
    assert len(legacy) == 4 and {legacy_coding(r.body) for r in legacy} == {"base64+zlib"}

    events = stored(project, 6)
    old = [e for e in events if sdk_version(e) == "3.1.2"]
    assert len(old) == 4
    titles = {e.title: e.issue_id for e in old}
    assert set(titles) == {"ZeroDivisionError: divided by 0", 'KeyError: key not found: "grace"',
                           "Ruby shop started run-1"}, titles
    assert len(set(titles.values())) == 3
    divide = next(e for e in old if e.title.startswith("ZeroDivisionError"))
    # Ruby's backtrace ends in the C method that raised (Integer#/), in the caller's file
    assert Issue.objects.get(id=divide.issue_id).culprit == "app/shop.rb in /"
    app = [f["function"] for f in crash_frames(divide) if f.get("in_app")]
    assert app[-3:] == ["checkout", "average_price", "/"], app

    # the upgrade to sentry-ruby: each fault keeps its issue
    assert {e.title: e.issue_id for e in events if e not in old} == {
        t: i for t, i in titles.items() if not t.startswith("Ruby shop")}


def test_browser_raven_js_ingests_and_keeps_its_issues_on_sentry_browser(web, worker, tmp_path):
    """raven-js 3.27.2 behind the calls of tests/js/app/versions_browser.js
    (tests/js/app/raven_browser.js), minified, its map uploaded for its release (raven-js sends
    no debug IDs), then the same application on the current @sentry/browser (debug IDs), in
    Chromium: three captured events and one uncaught from a timer each."""
    from sourcemaps.tokens import create_org_token
    from tests.helpers.browser import CHROMIUM

    jsbuild.npm_ci()
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    if not (OLD_JS_SDKS / "raven-js").is_dir():
        pytest.skip(f"{OLD_JS_SDKS} is missing: `make old-sdks` installs it")
    clients = {"./app/raven_browser.js": "shop@raven-js", "@sentry/browser": "shop@11"}
    with recording_proxy(web) as (base, recording):
        project, dsn = project_dsn(base, "javascript")
        _, token = create_org_token(project.organization, "ci", url=web)
        dists = []
        for package, release in clients.items():
            dist = build_browser_bundle(tmp_path / release, package, dsn, release=release)
            for args in (("inject", str(dist)),
                         ("upload", "--wait", "--org", project.organization.slug, "--project",
                          project.slug, "--release", release, "--url-prefix", "~/", str(dist))):
                done = jsbuild.run_cli(token, "sourcemaps", *args)
                assert done.returncode == 0, done.stdout + done.stderr
            dists.append(dist)
        play_browser_faults(list(zip(clients, dists, strict=True)))
        assert_accepted(recording, project, sent=4 * len(clients))
    legacy = [r for r in recording.requests if r.client.startswith("raven-js/")]
    assert {(r.path, r.auth["sentry_version"], r.encoding) for r in legacy} == {
        (f"/api/{project.id}/store/", "7", "")}, legacy
    assert len(legacy) == 4 and {legacy_coding(r.body) for r in legacy} == {"json"}

    events = list(Event.objects.filter(project=project))
    old = [e for e in events if sdk_version(e) == "3.27.2"]
    assert len(old) == 4, [sdk_version(e) for e in events]
    faults = issues_by_fault(old, browser_fault)
    assert set(faults) == {"total", "total from a job", "quantity"}, faults
    assert all(len(issues) == 1 for issues in faults.values()), faults
    assert faults["total"] == faults["total from a job"], faults  # as @sentry/browser's
    assert len(set.union(*faults.values())) == 2
    # the release's map resolved raven-js's frames (by URL: raven-js sends no debug IDs)
    total = next(e for e in old if browser_fault(e) == "total")
    mapped = {f["function"] for f in crash_frames(total)
              if f.get("in_app") and f["filename"].endswith("/app/versions_browser.js")}
    assert {"Order.total", "checkout", "handleRequest"} <= mapped, mapped

    upgrade = issues_by_fault(events, browser_fault)
    assert all(len(issues) == 1 for issues in upgrade.values()), upgrade
