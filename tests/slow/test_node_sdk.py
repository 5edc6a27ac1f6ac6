"""The real @sentry/node (chunked request bodies) → the web server → worker.

Every scenario runs in its own Node process against the test web server: a handled exception, a
message, an `Error.cause` chain, an unhandled rejection, an uncaught exception in a child
process, and a burst of 200 distinct errors of which every one must be stored."""

import subprocess

import pytest

from monitor.models import Event, Organization, Project
from tests.conftest import wait_for
from tests.helpers import jsbuild

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCRIPT = jsbuild.JS / "app" / "node_app.cjs"


def run_node(dsn: str, scenario: str) -> subprocess.CompletedProcess:
    result = subprocess.run(["node", str(SCRIPT), scenario], cwd=jsbuild.JS,
                            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "FAULTLINE_DSN": dsn},
                            capture_output=True, text=True, timeout=120)
    return result


def test_sentry_node_scenarios_all_arrive(web, worker):
    jsbuild.npm_ci()
    org = Organization.objects.create(name="Node Co", slug="nodeco")
    project = Project.objects.create(organization=org, name="Api", slug="api", platform="node",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    dsn = f"http://{project.keys.get().public_key}@{web.split('://', 1)[1]}/{project.id}"
    for scenario in ("handled", "message", "cause", "rejection", "uncaught", "burst"):
        result = run_node(dsn, scenario)
        assert result.returncode == 0, (scenario, result.stdout, result.stderr)
        if scenario == "uncaught":
            assert "child exited with 1" in result.stdout, result.stdout
    events = Event.objects.filter(project=project)
    wait_for(lambda: events.count() >= 205, timeout=120,
             message="205 node events stored (5 scenarios and the burst of 200)")
    assert events.count() == 205
    by_title = {e.title: e for e in events}
    handled = by_title["RangeError: amount must be positive, got 0"]
    assert handled.platform == "node" and dict(handled.tags)["handled"] == "yes"
    assert handled.data["exception"][-1]["stacktrace"]["frames"][-1]["function"] == "chargeCard"
    assert by_title["Payment provider is slow"].level == "warning"
    chain = by_title["Error: could not load the cart"].data["exception"]
    assert [e["type"] for e in chain] == ["SyntaxError", "Error"]
    rejection = by_title["TypeError: rejected while saving the order"]
    assert dict(rejection.tags)["handled"] == "no"
    assert "onunhandledrejection" in dict(rejection.tags)["mechanism"]
    uncaught = by_title["Error: uncaught in the worker child"]
    assert dict(uncaught.tags)["handled"] == "no"
    burst = {e.title for e in events if e.title.startswith("Error: burst error number")}
    assert burst == {f"Error: burst error number {i}" for i in range(200)}


def test_minified_and_unminified_releases_resolve_names_and_group_together(web, worker, tmp_path):
    """tests/js/app/names bundled by esbuild twice (minified, and not), debug IDs injected and
    maps uploaded by the real sentry-cli (artifact bundles, no --release), run under the real
    @sentry/node: every marked frame gets its original function name, minified error classes
    their declared names, and each fault is one issue across both builds."""
    from monitor.models import Issue
    from sourcemaps.tokens import create_org_token

    org = Organization.objects.create(name="Names Co", slug="namesco")
    project = Project.objects.create(organization=org, name="Api", slug="names", platform="node",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    dsn = f"http://{project.keys.get().public_key}@{web.split('://', 1)[1]}/{project.id}"
    _, token = create_org_token(org, "ci", url=web)
    for release, minify in (("names@1.0.0", True), ("names@1.0.1", False)):
        dist = jsbuild.build_names_bundle(tmp_path / release, "node.js", release, minify=minify,
                                          padding_lines=0 if minify else 3)
        for args in (("inject", str(dist)),
                     ("upload", "--wait", "--org", org.slug, "--project", project.slug, str(dist))):
            done = jsbuild.run_cli(token, "sourcemaps", *args)
            assert done.returncode == 0, done.stdout + done.stderr
        ran = jsbuild.run_node_bundle(dist / "app.min.js", dsn)
        assert ran.returncode == 0, ran.stderr
    events = Event.objects.filter(project=project)
    wait_for(lambda: events.count() == 6, timeout=120, message="six events processed")
    marked = []
    for event in events:
        exc = event.data["exception"][-1]
        for frame in exc["stacktrace"]["frames"]:
            mark = jsbuild.frame_mark(frame)
            if mark:
                marked.append((mark[1], frame["function"]))
                assert frame["pre_context"] and frame["post_context"], frame
    assert len(marked) == 34 and [m for m in marked if m[0] != m[1]] == []
    titles = {e.title.split(":")[0] for e in events}
    assert titles == {"NotFoundError", "ValidationError", "TypeError"}
    assert Issue.objects.filter(project=project).count() == 3
    assert len({e.issue_id for e in events if e.title.startswith("NotFoundError")}) == 1


def test_one_fault_through_two_entry_points_after_an_await_is_one_issue(web, worker):
    """The real @sentry/node sends listSlots' RangeError reached through an operation table
    from two entry points, resuming after an await that Node's tick queue settles: Node's own
    frames stand between each entry point's frame and listSlots, and faultline-fp-6 finds the
    dispatch across them (one issue, where faultline-fp-5 made one per entry point)."""
    from grouping.fingerprint import FP5, group, runtime_frame
    from monitor.models import Issue

    org = Organization.objects.create(name="Slots Co", slug="slotsco")
    project = Project.objects.create(organization=org, name="Api", slug="slots",
                                     platform="node",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    dsn = f"http://{project.keys.get().public_key}@{web.split('://', 1)[1]}/{project.id}"
    result = run_node(dsn, "entry-points")
    assert result.returncode == 0, (result.stdout, result.stderr)
    events = Event.objects.filter(project=project)
    wait_for(lambda: events.count() == 2, timeout=120, message="two node events stored")
    stacks = [e.data["exception"][-1]["stacktrace"]["frames"] for e in events]
    callers = [[f["function"] for f in frames if f.get("in_app")] for frames in stacks]
    assert sorted(c[-2:] for c in callers) == [["viaQueue", "listSlots"],
                                              ["viaWeb", "listSlots"]], callers
    for frames in stacks:  # what the rule crosses: the runtime's frames below the entry point
        assert runtime_frame(frames[-2]) and frames[-1]["function"] == "listSlots"
    assert len({group(e.data, FP5).hash for e in events}) == 2
    assert Issue.objects.filter(project=project).count() == 1
