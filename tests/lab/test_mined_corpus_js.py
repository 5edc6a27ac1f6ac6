"""The mined JavaScript corpus (lab/corpus/node-*.jsonl.zst and javascript-*.jsonl.zst): real
library faults captured by the real @sentry/node and @sentry/browser. Reads the committed files
(no mining here): their format, that each crash frame sits where its label says, that bugs span
releases, that the hard negatives are there, that browser releases ship with and without source
maps, and that the events go through Faultline's own normalize and fingerprint."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from lab.corpus import HERE as CORPUS
from lab.corpus import read_rows
from lab.mine.js.stats import crash_exception, hard_negatives, js_files

ROOT = Path(__file__).resolve().parents[2]
SDK = {"node": "sentry.javascript.node", "javascript": "sentry.javascript.browser"}


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[dict]]:
    """Codebase -> its rows, for every mined JavaScript file."""
    files = js_files()
    if not files:
        pytest.fail("no mined JavaScript corpus under lab/corpus/")
    return {path.name: list(read_rows(path)) for path in files}


def rows_of(corpus: dict[str, list[dict]], platform: str) -> list[dict]:
    return [row for rows in corpus.values() for row in rows if row["platform"] == platform]


def test_rows_have_the_mined_format(corpus):
    for name, rows in corpus.items():
        prefix, codebase = name.removesuffix(".jsonl.zst").split("-", 1)
        assert {"node": "node", "javascript": "javascript"}[prefix] == rows[0]["platform"]
        for row in rows:
            assert row["app"] == codebase and row["split"] == "mined"
            assert row["bug"].startswith(f"{codebase}/")
            assert row["platform"] == prefix
            event = row["event"]
            assert event["release"] == row["release"]
            assert event["sdk"]["name"] == SDK[prefix]
            assert crash_exception(event)["stacktrace"]["frames"]
            assert row["crash"] in {"library", "app"}


def test_nothing_names_the_mining_machine(corpus):
    """Events and kept maps say the deployed paths, never the miner's folders or ports."""
    for rows in corpus.values():
        for row in rows:
            text = json.dumps(row["event"])
            assert "/work/" not in text and "var/mine" not in text and "127.0.0.1" not in text
            assert "mine_trigger" not in text
    for map_file in (CORPUS / "js-artifacts").rglob("*.map"):
        sources = json.loads(map_file.read_bytes())["sources"]
        assert not [s for s in sources if "libs/" in s or "lab/mine" in s], map_file


def test_sizes_meet_the_targets(corpus):
    for platform, codebases, bugs in (("node", 8, 220), ("javascript", 4, 100)):
        rows = rows_of(corpus, platform)
        assert len({r["app"] for r in rows}) >= codebases, platform
        assert len({r["bug"] for r in rows}) >= bugs, platform
    per_bug = defaultdict(int)
    for rows in corpus.values():
        for row in rows:
            per_bug[row["bug"]] += 1
    assert all(3 <= n <= 12 for n in per_bug.values()), min(per_bug.items(), key=lambda x: x[1])


def test_node_crash_frame_is_in_the_library_or_the_app_as_labelled(corpus):
    """The innermost frame with a file (Node's own `node:internal/...` modules are none) is under
    node_modules exactly for library crashes, and it is the frame discovery recorded (file and
    function)."""
    for row in rows_of(corpus, "node"):
        frames = [f for f in crash_exception(row["event"])["stacktrace"]["frames"]
                  if "/" in str(f.get("filename", ""))
                  and not str(f.get("filename")).startswith("node:")]
        crash = frames[-1]
        in_library = "/node_modules/" in crash["filename"]
        assert in_library == (row["crash"] == "library"), (row["bug"], crash["filename"])
        assert crash["in_app"] is not in_library
        file, function = row["crash_frame"].split(":", 1)
        # code a library compiled with eval (an EJS template) is named after the eval's caller:
        # "eval at compile (/srv/<codebase>/node_modules/ejs/lib/ejs.js:652:12), <anonymous>"
        filename = re.sub(r"^eval at [^(]*\((.*?):\d+:\d+\).*$", r"\1", crash["filename"])
        assert filename.endswith("/" + file), (row["bug"], crash["filename"], file)
        # discovery called the function itself, the entry points call it through the route table
        bare = function.split(" [as ")[0].rsplit(".", 1)[-1]
        if bare not in ("", "<anonymous>"):  # Sentry writes an anonymous function as "?"
            assert bare in crash.get("function", ""), (row["bug"], bare, crash.get("function"))


def test_both_kinds_of_crash_and_every_entry_point_occur(corpus):
    node = rows_of(corpus, "node")
    assert {r["crash"] for r in node} == {"library", "app"}
    assert {r["entry"] for r in node} == {"express", "koa", "http", "worker", "cli"}
    assert {r["entry"] for r in rows_of(corpus, "javascript")} == {"click", "timer", "promise",
                                                                    "caught"}
    handled = {crash_exception(r["event"])["mechanism"]["handled"] for r in node}
    assert handled == {True, False}  # the Express and Koa handlers report unhandled errors


def test_most_bugs_span_two_releases_and_libraries_change_between_them(corpus):
    releases = defaultdict(set)
    for rows in corpus.values():
        for row in rows:
            releases[row["bug"]].add(row["release"])
    assert sum(len(r) >= 2 for r in releases.values()) >= 0.7 * len(releases)
    for rows in corpus.values():
        if all(r["crash"] == "app" for r in rows):
            continue  # a service whose faults are its own code (stockroom): its releases refactor
        versions = {json.dumps(r["libraries"], sort_keys=True) for r in rows}
        assert len(versions) >= 3, rows[0]["app"]


def test_a_bug_keeps_its_label_when_the_library_moves_the_raising_code(corpus):
    """Some bugs crash in a different library file or function after an upgrade (a real refactor),
    and are still one bug."""
    frames = defaultdict(set)
    for row in rows_of(corpus, "node"):
        if row["crash"] == "library":
            frames[row["bug"]].add(row["crash_frame"])
    assert sum(len(f) > 1 for f in frames.values()) >= 20


def test_hard_negatives_exist_in_every_platform(corpus):
    for platform in ("node", "javascript"):
        counts = hard_negatives(rows_of(corpus, platform))
        assert counts["same_type_same_function"] >= 20, (platform, counts)
        assert counts["sites_with_several_bugs"] >= 10, (platform, counts)
        assert counts["messages_from_several_sites"] >= 5, (platform, counts)


def test_browser_releases_ship_minified_with_and_without_source_maps(corpus):
    rows = rows_of(corpus, "javascript")
    assert all(r["minified"] for r in rows)
    by_app = defaultdict(lambda: [0, 0])
    for row in rows:
        by_app[row["app"]]["sourcemaps" in row] += 1
        frames = crash_exception(row["event"])["stacktrace"]["frames"]
        name = frames[-1]["filename"].rsplit("/", 1)[-1]
        assert name.startswith("app.") and name.endswith(".js"), frames[-1]["filename"]
        if "sourcemaps" in row:
            folder = ROOT / row["sourcemaps"] / "assets"
            assert (folder / name).is_file() and (folder / f"{name}.map").is_file(), name
            assert row["event"].get("debug_meta", {}).get("images"), row["bug"]
    assert all(without and with_maps for without, with_maps in by_app.values()), dict(by_app)
    bundles_per_app = defaultdict(set)
    for row in rows:
        frames = crash_exception(row["event"])["stacktrace"]["frames"]
        bundles_per_app[row["app"]].add(frames[-1]["filename"].rsplit("/", 1)[-1])
    assert all(len(names) >= 3 for names in bundles_per_app.values())  # hashed per release


def test_artifacts_stay_small():
    total = sum(p.stat().st_size for p in (CORPUS / "js-artifacts").rglob("*") if p.is_file())
    total += sum(p.stat().st_size for p in js_files())
    assert total < 8 * 1024 * 1024


def test_events_go_through_normalize_and_fingerprint(corpus):
    """A sample of every codebase through Faultline's own pipeline: it keeps the type, finds
    in-app frames and fingerprints; different application sites get different fingerprints."""
    from training.metrics import prepare

    sample = []
    for rows in corpus.values():
        firsts: dict[str, dict] = {}
        for row in rows:
            firsts.setdefault(row["bug"], row)
        sample.extend(list(firsts.values())[:12])
    data = prepare(sample)
    for row, event, digest, text in zip(sample, data.events, data.hashes, data.texts,
                                        strict=True):
        assert event["platform"] == row["platform"]
        sent = crash_exception(row["event"])
        assert event["exception"][-1]["type"] == sent["type"]
        assert any(f.get("in_app") for f in event["exception"][-1]["stacktrace"]["frames"])
        assert digest and text
    site_of_hash = defaultdict(set)
    for row, digest in zip(sample, data.hashes, strict=True):
        site_of_hash[digest].add((row["app"], row["site"].rsplit(":", 1)[0]))
    assert sum(len(s) > 1 for s in site_of_hash.values()) <= len(site_of_hash) // 10


def test_browser_crash_frame_maps_back_to_the_library_or_the_app_as_labelled(corpus):
    """Through the kept source maps (symbolic, as Faultline resolves them), the minified crash
    frame of a release shipped with maps points into the library's sources or the application's
    module as the label says (discovery ran the same modules under Node)."""
    from symbolic.sourcemap import SourceMapView

    views: dict[Path, SourceMapView] = {}
    agree = total = 0
    for row in rows_of(corpus, "javascript"):
        if "sourcemaps" not in row:
            continue
        frame = crash_exception(row["event"])["stacktrace"]["frames"][-1]
        name = frame["filename"].rsplit("/", 1)[-1]
        path = ROOT / row["sourcemaps"] / "assets" / f"{name}.map"
        if path not in views:
            views[path] = SourceMapView.from_json_bytes(path.read_bytes())
        token = views[path].lookup(frame["lineno"] - 1, frame["colno"] - 1)
        assert token is not None and token.src, (row["bug"], frame)
        file = row["crash_frame"].split(":", 1)[0]
        if row["crash"] == "library":
            agree += "node_modules/" in token.src and "/app/" not in token.src
        else:
            agree += token.src.endswith("app/" + file)
        total += 1
    assert total >= 100 and agree >= 0.9 * total, (agree, total)
