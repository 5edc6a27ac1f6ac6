"""The mined Go and Ruby corpus (lab/corpus/go-*, ruby-*), as committed: no mining here.

Each row's event is what sentry-go or sentry-ruby sent; these checks keep the labels honest: the
crash frame is the labelled line, bugs recur across releases, the hard negatives the labelling
promises are there, no label leaked into an event, and the events go through the product's own
normalisation and fingerprinting."""

from __future__ import annotations

from collections import defaultdict

import pytest

from grouping.fingerprint import group
from ingest.normalize import normalize_event
from lab.corpus import corpus_files, read_rows
from lab.mine.goruby import CODEBASES, stack_frames
from lab.mine.owncode import CODEBASES as OWN_CODE

CODEBASE = {codebase.name: codebase for codebase in CODEBASES}
OWN = {f"{c.language}-{c.name}" for c in OWN_CODE}  # tests/lab/test_owncode_corpus.py
FILES = [path for path in corpus_files()
         if path.name.startswith(("go-", "ruby-")) and path.name.split(".")[0] not in OWN]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [row for path in FILES for row in read_rows(path)]


def exceptions(event: dict) -> list[dict]:
    """The exception chain; a Go panic with a string is a message with the thread's stack."""
    if "exception" not in event:
        return [{"type": "(panic)", "value": event["message"],
                 "stacktrace": event["threads"][0]["stacktrace"]}]
    exception = event["exception"]  # sentry-go sends the list, sentry-ruby {"values": [...]}
    return exception["values"] if isinstance(exception, dict) else exception


def crash(row: dict) -> dict:
    """The innermost frame, in the last exception, that lies in the codebase's own files."""
    root = str(CODEBASE[row["app"]].root) + "/"
    return [f for f in stack_frames(row["event"]) if absolute(f, root).startswith(root)][-1]


def absolute(frame: dict, root: str) -> str:
    """Rails' backtrace cleaner sends the app's paths relative to its root (and gems' too)."""
    path = str(frame.get("abs_path") or "")
    return root + path if frame.get("in_app") and not path.startswith("/") else path


def test_every_codebase_is_there_with_enough_bugs(rows):
    assert {p.name.split(".")[0] for p in FILES} == {f"{c.language}-{c.name}" for c in CODEBASES}
    for language in ("go", "ruby"):
        bugs = {row["bug"] for row in rows if row["platform"] == language}
        apps = {row["app"] for row in rows if row["platform"] == language}
        assert len(apps) >= 4 and len(bugs) >= 100, (language, len(apps), len(bugs))


def test_rows_have_the_mined_format(rows):
    for path in FILES:
        platform, _, app = path.name.removesuffix(".jsonl.zst").partition("-")
        for row in read_rows(path):
            assert row["platform"] == platform == row["event"]["platform"]
            assert row["app"] == app and row["bug"].startswith(app + "/")
            assert row["split"] == "mined"
            assert row["release"] == row["event"]["release"]
            assert row["release"] in {CODEBASE[app].release(i) for i in (1, 2, 3)}


def test_each_event_crashes_on_its_labelled_line(rows):
    for row in rows:
        frame = crash(row)
        root = str(CODEBASE[row["app"]].root) + "/"
        assert (absolute(frame, root), frame["lineno"]) == (
            root + row["crash"]["file"], row["crash"]["lineno"]), row["bug"]
        assert frame["function"] == row["crash"]["function"]


def test_no_label_reaches_an_event(rows):
    for row in rows:
        for exception in exceptions(row["event"]):
            for frame in (exception.get("stacktrace") or {}).get("frames", []):
                lines = [frame.get("context_line"), *(frame.get("pre_context") or []),
                         *(frame.get("post_context") or [])]
                assert not any(" lab:" in (line or "") for line in lines), (row["bug"], frame)


def test_bugs_recur_across_releases(rows):
    releases, events = defaultdict(set), defaultdict(int)
    for row in rows:
        releases[row["bug"]].add(row["release"])
        events[row["bug"]] += 1
    assert all(3 <= count <= 9 for count in events.values())
    assert sum(len(r) >= 2 for r in releases.values()) >= 0.9 * len(releases)
    # a release moved or edited the crash line of some bugs (the labels follow it)
    lines = defaultdict(set)
    for row in rows:
        lines[row["bug"]].add((row["crash"]["file"], row["crash"]["lineno"]))
    assert sum(len(found) >= 2 for found in lines.values()) >= 0.9 * len(lines)


def test_the_hard_negatives_are_there(rows):
    for language in ("go", "ruby"):
        mine = [row for row in rows if row["platform"] == language]
        by_type_function, by_line, by_value = defaultdict(set), defaultdict(set), defaultdict(set)
        for row in mine:
            site = (row["app"], row["release"], row["crash"]["file"], row["crash"]["lineno"])
            last = exceptions(row["event"])[-1]
            by_type_function[(row["app"], last["type"], row["crash"]["function"])].add(row["bug"])
            by_line[site].add(row["bug"])
            by_value[(row["app"], exceptions(row["event"])[0]["value"])].add(row["bug"])
        # another fault of the same type in the same function
        assert sum(len(bugs) >= 2 for bugs in by_type_function.values()) >= 8, language
        # one line raising different errors
        assert sum(len(bugs) >= 2 for bugs in by_line.values()) >= 4, language
        # one message from different sites
        assert sum(len(bugs) >= 2 for bugs in by_value.values()) >= 3, language


def test_events_go_through_normalisation_and_fingerprinting(rows):
    """The product's own pipeline keeps the crash frame, groups by the stack, and splits a line's
    different errors (their types differ) into different fingerprints."""
    hashes = defaultdict(set)
    for index, row in enumerate(rows):
        event = normalize_event(row["event"], 1_700_000_000.0, f"{index:032x}")
        frames = stack_frames(event)
        assert any(f.get("lineno") == row["crash"]["lineno"]
                   and f["filename"].endswith(row["crash"]["file"]) for f in frames), row["bug"]
        grouping = group(event)
        assert grouping.variant in {"in-app", "stacktrace"}, (row["bug"], grouping.variant)
        site = (row["app"], row["release"], row["crash"]["file"], row["crash"]["lineno"])
        hashes[site].add((exceptions(row["event"])[-1]["type"], row["bug"], grouping.hash))
    split = 0
    for found in hashes.values():
        by_type = defaultdict(set)
        for exc_type, _bug, digest in found:
            by_type[exc_type].add(digest)
        types = list(by_type)
        if len(types) >= 2:
            assert not by_type[types[0]] & by_type[types[1]]
            split += 1
    assert split >= 2
