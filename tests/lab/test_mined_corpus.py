"""The mined Python corpus (lab/corpus/python-*.jsonl.zst): real library faults captured by the
real sentry-sdk, labelled as docs/corpus.md says. Reads the committed files; mines nothing."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest

from grouping.fingerprint import group
from ingest.normalize import normalize_event
from lab.corpus import corpus_files, load_mined
from lab.mine.python import assemble
from lab.mine.python.codebases import BY_NAME

FRAMEWORKS = {"flask", "werkzeug", "django", "fastapi", "starlette", "celery", "click",
              "asyncio", "sentry_sdk", "anyio"}


@pytest.fixture(scope="module")
def rows():
    """The codebases mined around one library (lab.mine.python); invoice-desk and clinic-desk,
    whose faults are their own code's, have their own tests (test_appcode_corpus.py,
    test_clinicapp_corpus.py)."""
    paths = [p for p in corpus_files()
             if p.name.startswith("python-") and p.name[7:-10] in BY_NAME]
    return load_mined(paths)


def _innermost(row: dict) -> dict:
    return row["event"]["exception"]["values"][0]


def _crash_frame(row: dict) -> dict:
    return _innermost(row)["stacktrace"]["frames"][-1]


def _signature(row: dict) -> str:
    return json.dumps([[v["type"], v["stacktrace"]["frames"][-1].get("module"),
                        v["stacktrace"]["frames"][-1].get("function")]
                       for v in row["event"]["exception"]["values"]])


def test_rows_have_the_shared_format_and_the_real_sdk(rows):
    assert rows
    for row in rows:
        assert row["platform"] == "python" and row["split"] == "mined"
        assert row["bug"].startswith(row["app"] + "/")
        event = row["event"]
        assert event["release"] == row["release"] == f"{row['app']}@{row['library_version']}"
        assert event["sdk"]["name"].startswith("sentry.python")
        assert event["exception"]["values"]
    codebases = {row["app"] for row in rows}
    assert len(codebases) >= 14, sorted(codebases)
    assert len({row["bug"] for row in rows}) >= 450
    assert {row["library"] for row in rows} >= {BY_NAME[c].library for c in codebases}


def test_each_crash_frame_lies_where_its_label_says(rows):
    """The innermost exception raised in the library's site-packages (or the app, or elsewhere:
    the standard library or generated code, as labelled), and the app's call site is on the
    stack."""
    for row in rows:
        frame = _crash_frame(row)
        module = str(frame.get("module"))
        package = BY_NAME[row["app"]].package
        if row["crash"] == "library":
            assert frame.get("in_app") is False, row["bug"]
            assert "/site-packages/" in frame["abs_path"], row["bug"]
            assert module.split(".")[0] not in FRAMEWORKS | {package}, (row["bug"], module)
        elif row["crash"] == "app":
            assert frame.get("in_app") is True and module.startswith(package + "."), row["bug"]
        else:  # the standard library, or code the library generated at run time
            assert row["crash"] == "other" and not frame.get("in_app"), row["bug"]
            assert "/site-packages/" not in (frame.get("abs_path") or ""), row["bug"]
        site_function = row["site"].split(".")[-1]
        in_app = [f["function"] for v in row["event"]["exception"]["values"]
                  for f in v["stacktrace"]["frames"] if f.get("in_app")]
        assert site_function in in_app, (row["bug"], in_app)


def test_bugs_span_releases_and_entry_points(rows):
    releases = defaultdict(set)
    events = Counter()
    entries = defaultdict(set)
    for row in rows:
        releases[row["bug"]].add(row["release"])
        events[row["bug"]] += 1
        entries[row["app"]].add(row["entry"])
    assert all(3 <= n <= 12 for n in events.values()), events.most_common(3)
    spanning = sum(1 for r in releases.values() if len(r) >= 2)
    assert spanning >= 0.9 * len(releases)
    per_app = defaultdict(set)
    for row in rows:
        per_app[row["app"]].add(row["release"])
    assert all(len(r) >= 3 for r in per_app.values()), per_app
    assert all(len(e) >= 2 for e in entries.values()), entries


def test_hard_negatives_exist(rows):
    """Same type raised in the same library function for two bugs (two call sites); one call
    site failing two ways; one message from two bugs."""
    raisers = defaultdict(set)
    site_types = defaultdict(set)
    messages = defaultdict(set)
    for row in rows:
        inner = _innermost(row)
        frame = _crash_frame(row)
        if row["crash"] == "library":
            raisers[(row["app"], inner["type"], frame.get("module"), frame.get("function"))].add(
                row["bug"])
        site_types[(row["app"], row["site"])].add(inner["type"])
        messages[(inner["type"], inner.get("value"))].add(row["bug"])
    assert sum(1 for bugs in raisers.values() if len(bugs) >= 2) >= 50
    assert sum(1 for types in site_types.values() if len(types) >= 2) >= 30
    assert sum(1 for bugs in messages.values() if len(bugs) >= 2) >= 30


def test_labels_never_contradict_the_events(rows):
    """Within a codebase no two bugs ever share a signature (raising type and function, for
    each exception of the chain) at one call site, in any release."""
    owner: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        owner[(row["app"], row["site"], _signature(row))].add(row["bug"])
    clashes = {key: bugs for key, bugs in owner.items() if len(bugs) > 1}
    assert not clashes, list(clashes.items())[:3]


def test_upgrades_drift_and_apps_change_between_releases(rows):
    """Some bugs raise differently after a library upgrade, and the app's own lines move."""
    by_bug: dict[str, set[str]] = defaultdict(set)
    lines: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_bug[row["bug"]].add(_signature(row))
        site_function = row["site"].split(".")[-1]
        for frame in row["event"]["exception"]["values"][-1]["stacktrace"]["frames"]:
            if frame.get("function") == site_function:
                lines[row["bug"]].add(frame["lineno"])
    assert sum(1 for s in by_bug.values() if len(s) > 1) >= 20
    assert sum(1 for s in lines.values() if len(s) > 1) >= 0.5 * len(lines)


def test_every_bug_ingests_through_normalize_and_fingerprint(rows):
    """One event of each bug from each entry point through the real normalize and fingerprint
    (all of them would take most of a minute on a loaded machine)."""
    hashes = defaultdict(set)
    seen = set()
    for index, row in enumerate(rows):
        if (row["bug"], row["entry"]) in seen:
            continue
        seen.add((row["bug"], row["entry"]))
        event = normalize_event(row["event"], 1_700_000_000.0 + index, f"{index:032x}")
        assert event["exception"][-1]["type"] == row["event"]["exception"]["values"][-1]["type"]
        grouping = group(event)
        assert grouping.variant == "in-app" and re.fullmatch(r"[0-9a-f]{32}", grouping.hash)
        hashes[row["app"]].add(grouping.hash)
    assert all(len(h) > 10 for h in hashes.values())


def test_bug_decision_merges_alike_inputs_and_drops_confusable_ones():
    """Inputs failing alike at every release are one bug; an input whose failure matches an
    accepted bug's at any release is dropped rather than labelled apart."""
    codebase = BY_NAME["config-loader"]

    def probe(inp: str, sig: str) -> dict:
        return {"site": "settings.load_settings", "input": inp, "outcome": "raised",
                "crash": "library", "signature": [[sig, "yaml.reader", "update_raw"]]}

    probes = [
        [probe("none", "A"), probe("number", "A"), probe("tab", "S"), probe("quote", "Q")],
        [probe("none", "A"), probe("number", "A"), probe("tab", "S2"), probe("quote", "S2")],
        [probe("none", "A"), probe("number", "A"), probe("tab", "S2")],
    ]
    bugs = assemble.decide_bugs(codebase, probes)
    assert [(b.inputs, sorted(b.signatures)) for b in bugs] == [
        (["none", "number"], [0, 1, 2]), (["tab"], [0, 1, 2])]
    plans = assemble.plan_events(codebase, bugs)
    counts = Counter(item["bug"] for plan in plans.values() for item in plan)
    assert all(3 <= n <= 9 for n in counts.values())
