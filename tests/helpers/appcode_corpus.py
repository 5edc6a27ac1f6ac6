"""The checks every application-code corpus shares (invoice-desk, tests/lab/test_appcode_corpus.py;
clinic-desk, tests/lab/test_clinicapp_corpus.py): an application whose faults are in its own
code, captured by the real sentry-sdk through its own entry points. A test module imports these
tests and defines the `application` fixture (its lab.mine.appcode.machinery.Application); they
read the committed file, and regenerate it once to check that the generator writes the same
bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict

import pytest

from grouping.fingerprint import group
from ingest.normalize import normalize_event
from lab.corpus import read_rows, site_label
from lab.mine.appcode.machinery import ROOT, Application, frameworks
from tests.helpers.old_sdks import OLD_PYTHON_SDKS

__all__ = [  # what a test module imports: the fixture `rows` and the tests
    "rows",
    "test_the_shared_row_format",
    "test_labels_agree_with_the_events",
    "test_bugs_span_releases_and_entry_points",
    "test_hard_negatives",
    "test_releases_refactor_the_code",
    "test_every_bug_ingests_through_normalize_and_fingerprint",
    "test_the_generator_writes_the_same_bytes",
]

KEYS = {"app", "bug", "crash", "crash_frame", "entry", "event", "family", "libraries",
        "platform", "release", "site", "split"}
@pytest.fixture(scope="module")
def rows(application: Application) -> list[dict]:
    return list(read_rows(application.out))


def _values(row: dict) -> list[dict]:
    return row["event"]["exception"]["values"]


def test_the_shared_row_format(application, rows):
    APP, VERSIONS = application.app, application.versions
    assert rows
    for row in rows:
        assert set(row) == KEYS
        assert row["app"] == APP and row["platform"] == "python" and row["split"] == "mined"
        assert row["event"]["release"] == row["release"]
        assert row["release"] in {f"{APP}@{v}" for v in VERSIONS}
        assert row["event"]["sdk"]["name"].startswith("sentry.python")
        assert site_label(row) == row["bug"]  # no miner suffix for the site rule to strip


def test_labels_agree_with_the_events(application, rows):
    """Each event raised its bug's exception chain, first from the app's code (or the standard
    library it called), with the app's frames on the stack."""
    APP, by_label = application.app, {bug.label: bug for bug in application.bugs}
    package = application.settings.partition(".")[0]  # the app's own package: invoicedesk
    for row in rows:
        bug = by_label[row["bug"]]
        assert tuple(v["type"] for v in _values(row)) == bug.types, row["bug"]
        assert row["site"] == bug.site
        frame = _values(row)[0]["stacktrace"]["frames"][-1]
        assert row["crash_frame"] == f"{frame['module']}:{frame['function']}"
        if row["crash"] == "app":
            assert frame["in_app"] and frame["module"].startswith(f"{package}.")
        else:
            assert row["crash"] == "other" and "/site-packages/" not in frame["abs_path"]
        assert any(f.get("in_app") and f["abs_path"].startswith(f"/srv/{APP}/releases/")
                   for f in _values(row)[-1]["stacktrace"]["frames"])


def test_bugs_span_releases_and_entry_points(application, rows):
    BUGS, VERSIONS = application.bugs, application.versions
    releases, entries, counts = defaultdict(set), defaultdict(set), defaultdict(int)
    for row in rows:
        releases[row["bug"]].add(row["release"].partition("@")[2])
        entries[row["bug"]].add(row["entry"])
        counts[row["bug"]] += 1
    assert set(releases) == {bug.label for bug in BUGS}
    for bug in BUGS:
        assert releases[bug.label] == {VERSIONS[r] for r in bug.releases}, bug.id
        assert len(entries[bug.label]) >= 2 and 8 <= counts[bug.label] <= 16, bug.id
    assert {row["entry"] for row in rows} == {"flask", "django", "celery", "click", "jobs"}


def test_hard_negatives(application, rows):
    """One type from one function for two bugs; one line (site) raising two types; one message
    from two bugs; one raising function reached for two bugs from two callers."""
    by_frame, by_site, by_message = defaultdict(set), defaultdict(set), defaultdict(set)
    for row in rows:
        first = _values(row)[0]
        by_frame[(row["release"], first["type"], row["crash_frame"])].add(row["bug"])
        by_site[row["site"]].add(first["type"])
        by_message[(_values(row)[-1]["type"], _values(row)[-1]["value"])].add(row["bug"])
    assert sum(len(b) > 1 for b in by_frame.values()) >= 3 * len(application.versions)
    assert sum(len(t) > 1 for t in by_site.values()) >= 2
    assert sum(len(b) > 1 for b in by_message.values()) >= 3


def test_releases_refactor_the_code(rows):
    """Between releases functions move and are renamed (the crash frame changes) and lines
    move (the same function raises from other lines)."""
    frames, lines = defaultdict(set), defaultdict(set)
    for row in rows:
        frames[row["bug"]].add(row["crash_frame"])
        frame = _values(row)[0]["stacktrace"]["frames"][-1]
        lines[row["bug"]].add((frame["function"], frame["lineno"]))
    assert sum(len(f) > 1 for f in frames.values()) >= 10
    assert sum(len(n) > len(frames[b]) for b, n in lines.items()) >= 10


def test_every_bug_ingests_through_normalize_and_fingerprint(rows):
    seen = set()
    for index, row in enumerate(rows):
        if (row["bug"], row["entry"]) in seen:
            continue
        seen.add((row["bug"], row["entry"]))
        event = normalize_event(row["event"], 1_700_000_000.0 + index, f"{index:032x}")
        assert event["exception"][-1]["type"] == _values(row)[-1]["type"]
        assert group(event).variant == "in-app"


def captured_sdk_env(captured: dict[str, str]) -> dict[str, str] | None:
    """The environment that runs the generator with the frameworks and SDK the file was
    captured with: the venv's own, or, where only sentry-sdk differs (a fresh install may take a
    newer one), the release `make old-sdks` put in var/test-sdks ahead of it. None where
    neither has them."""
    installed = frameworks()
    if installed == captured:
        return dict(os.environ)
    pinned = OLD_PYTHON_SDKS / f"sentry-sdk-{captured.get('sentry-sdk')}"
    others = {k: v for k, v in installed.items() if k != "sentry-sdk"}
    if others != {k: v for k, v in captured.items() if k != "sentry-sdk"} or not pinned.is_dir():
        return None
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(pinned), os.environ.get("PYTHONPATH")]))}


def test_the_generator_writes_the_same_bytes(application, rows, tmp_path):
    """Given the frameworks and SDK the file was captured with (its rows' `libraries`): another
    sentry-sdk sends other bytes, and 3.x takes other options."""
    env = captured_sdk_env(rows[0]["libraries"])
    if env is None:
        pytest.skip(f"captured with {rows[0]['libraries']}, installed {frameworks()}")
    out = tmp_path / "again.jsonl.zst"
    subprocess.run([sys.executable, "-m", application.package, "--out", str(out)], cwd=ROOT,
                   check=True, timeout=300, capture_output=True, env=env)
    assert out.read_bytes() == application.out.read_bytes()
