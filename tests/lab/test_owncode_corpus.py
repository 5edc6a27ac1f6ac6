"""The Go and Ruby codebases whose faults are in their own code (lab.mine.owncode: go-shipyard,
ruby-lendlib), as committed, and regenerated once to check that the generator writes the same
bytes. They are report-only: never trained or chosen on, only scored (lab.never_seen). The
choice codebases of the same machinery (go-cronhook, ruby-tallyhouse) run these checks in
test_owncode_choice_corpus.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from grouping.fingerprint import group
from ingest.normalize import normalize_event
from lab.corpus import is_report_only, read_rows, site_label
from lab.mine.goruby import crash_frame, frame_path, stack_frames
from lab.mine.owncode import CHOICE, CODEBASES, out_path

ROOT = Path(__file__).resolve().parents[2]
SDK_GO = Path("/usr/share/gocode/src/github.com/getsentry/sentry-go")


@pytest.fixture(scope="module", params=[c for c in CODEBASES if c.name not in CHOICE],
                ids=lambda c: f"{c.language}-{c.name}")
def codebase(request):
    return request.param


@pytest.fixture(scope="module")
def rows(codebase) -> list[dict]:
    return list(read_rows(out_path(codebase)))


def _exceptions(event: dict) -> list[dict]:
    if "exception" not in event:  # a Go panic with a string: a message event
        return [{"type": "(panic)", "value": event["message"]}]
    exception = event["exception"]
    return exception["values"] if isinstance(exception, dict) else exception


def test_report_only_and_the_row_format(codebase, rows):
    assert is_report_only(codebase.name)
    assert_row_format(codebase, rows)


def assert_row_format(codebase, rows: list[dict]) -> None:
    releases = {codebase.release(i) for i in range(1, 5)}
    for row in rows:
        assert row["app"] == codebase.name and row["platform"] == codebase.language
        assert row["event"]["platform"] == codebase.language and row["split"] == "mined"
        assert row["release"] == row["event"]["release"] and row["release"] in releases
        assert row["bug"].startswith(codebase.name + "/") and site_label(row) == row["bug"]
        assert row["entry"] == row["job"].partition(" ")[0]


def test_each_event_crashes_on_its_labelled_line_of_the_app(codebase, rows):
    root = codebase.root
    for row in rows:
        frame = crash_frame(row["event"], root)
        assert frame is not None, row["bug"]
        assert (frame_path(frame, root), frame["lineno"]) == (
            f"{root}/{row['crash']['file']}", row["crash"]["lineno"]), row["bug"]
        for exception in _exceptions(row["event"]):
            for f in (exception.get("stacktrace") or {}).get("frames", []):
                assert " lab:" not in (f.get("context_line") or ""), row["bug"]


def test_bugs_span_four_releases_and_several_entry_points(codebase, rows):
    releases, entries, counts = defaultdict(set), defaultdict(set), defaultdict(int)
    for row in rows:
        releases[row["bug"]].add(row["release"])
        entries[row["bug"]].add(row["entry"])
        counts[row["bug"]] += 1
    assert 25 <= len(counts) <= 32
    for bug in counts:
        assert len(releases[bug]) == 4 and len(entries[bug]) >= 2, bug
        assert 8 <= counts[bug] <= 12, bug
    assert len({row["entry"] for row in rows}) == 3  # HTTP, command line, worker or job runner


def test_releases_refactor_the_code(rows):
    """Lines move in every bug; some crash in another function or file after a rename, an
    extracted helper or a move."""
    lines, places = defaultdict(set), defaultdict(set)
    for row in rows:
        lines[row["bug"]].add((row["crash"]["file"], row["crash"]["lineno"]))
        places[row["bug"]].add((row["crash"]["file"], row["crash"]["function"]))
    assert all(len(found) >= 3 for found in lines.values())
    assert sum(len(found) >= 2 for found in places.values()) >= 4


def test_the_hard_negatives(rows):
    by_type_function, by_line, by_message = defaultdict(set), defaultdict(set), defaultdict(set)
    for row in rows:
        last = _exceptions(row["event"])[-1]
        where = (row["release"], row["crash"]["file"], row["crash"]["lineno"])
        by_type_function[(row["release"], last["type"], row["crash"]["function"])].add(row["bug"])
        by_line[where].add((row["bug"], last["type"]))
        by_message[_exceptions(row["event"])[0]["value"]].add(row["bug"])
    # another fault of the same type in the same function
    assert sum(len(bugs) >= 2 for bugs in by_type_function.values()) >= 2 * 4
    # one line raising different errors (different types, different bugs)
    assert sum(len({t for _, t in found}) >= 2 for found in by_line.values()) >= 4
    # one message from different sites
    assert sum(len(bugs) >= 2 for bugs in by_message.values()) >= 2


def test_events_go_through_normalisation_and_fingerprinting(rows):
    seen = set()
    for index, row in enumerate(rows):
        if (row["bug"], row["entry"]) in seen:
            continue
        seen.add((row["bug"], row["entry"]))
        event = normalize_event(row["event"], 1_700_000_000.0 + index, f"{index:032x}")
        assert any(f.get("lineno") == row["crash"]["lineno"]
                   and f["filename"].endswith(row["crash"]["file"])
                   for f in stack_frames(event)), row["bug"]
        assert group(event).variant in {"in-app", "stacktrace"}, row["bug"]


def _installed(codebase) -> str | None:
    """Why this machine cannot regenerate the file byte for byte, or None."""
    if codebase.language == "go":
        if not shutil.which("go") or not SDK_GO.is_dir():
            return "Go or Debian's sentry-go missing (make sdks: golang-go, " \
                   "golang-github-getsentry-sentry-go-dev)"
        return None
    if not shutil.which("ruby"):
        return "ruby missing (make sdks: ruby, ruby-sentry-ruby)"
    probe = subprocess.run(["ruby", "-e", 'require "sentry-ruby"; require "rack"; '
                            'print "ruby#{RUBY_VERSION[0, 3]} #{Sentry::VERSION}"'],
                           capture_output=True, text=True, timeout=60)
    return None if probe.returncode == 0 else "sentry-ruby or rack missing (make sdks)"


def _captured_with(codebase, row: dict) -> tuple[str, str]:
    event = row["event"]
    return event["sdk"]["version"], event["contexts"]["runtime"]["version"]


def _running(codebase) -> tuple[str, str]:
    if codebase.language == "go":
        go = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True,
                            timeout=60, env={"PATH": "/usr/local/bin:/usr/bin:/bin",
                                             "HOME": "/tmp"}).stdout.strip()
        version = (SDK_GO / "sentry.go").read_text().partition('Version = "')[2].partition('"')[0]
        return version, go
    probe = subprocess.run(["ruby", "-e", 'require "sentry-ruby"; print Sentry::VERSION, "|", '
                            'RUBY_DESCRIPTION'], capture_output=True, text=True, timeout=60)
    version, _, description = probe.stdout.partition("|")
    return version, description


def test_the_generator_writes_the_same_bytes(codebase, rows, tmp_path):
    """With the SDK and language the file was captured with (another sends other bytes)."""
    missing = _installed(codebase)
    if missing:
        pytest.skip(missing)
    if _captured_with(codebase, rows[0]) != _running(codebase):
        pytest.skip(f"captured with {_captured_with(codebase, rows[0])}, "
                    f"installed {_running(codebase)}")
    subprocess.run([sys.executable, "-m", "lab.mine.owncode", codebase.name, "--out-dir",
                    str(tmp_path)], cwd=ROOT, check=True, timeout=600, capture_output=True)
    assert out_path(codebase, tmp_path).read_bytes() == out_path(codebase).read_bytes()
