"""faultline-fp-5 on the shapes its own tests leave out: a custom fingerprint with
`{{ default }}`, chained causes where only some stacks have code lines, frames without
`in_app`, a stack whose in-app frames are all reached by dispatch, a minified bundle (coarse),
a dispatch frame whose code line the SDK did not read, and the walk back to the hash an issue
was made with (earlier_hash)."""

from __future__ import annotations

import pytest

from grouping.fingerprint import FP1, FP2, FP3, FP5, group
from ingest.normalize import normalize_event
from monitor.models import GroupHash, Issue
from tests.grouping.test_node_entry_frame_fingerprint import (
    APP,
    EXPRESS,
    LOADER,
    PARSE_FEED,
    XML,
    cli_parse_feed,
    event,
    express_parse_feed,
    frame,
)
from tests.helpers.events import ingest
from tests.helpers.processing import fingerprint_mode, served_config


def _normalized(payload: dict) -> dict:
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


def test_a_custom_fingerprint_with_default_joins_the_entry_points_and_finds_fp3s_issue():
    express, cli = express_parse_feed(), cli_parse_feed()
    for e in (express, cli):
        e["fingerprint"] = ["{{ default }}", "feeds"]
    assert group(express, FP5).hash == group(cli, FP5).hash
    assert group(express, FP5).variant == "custom"
    assert group(express, FP5).previous_hash == group(express, FP3).hash != group(cli, FP3).hash
    plain = express_parse_feed()
    plain["fingerprint"] = ["feeds"]  # no default: every configuration hashes it alike
    assert group(plain, FP5).hash == group(plain, FP3).hash
    assert group(plain, FP5).previous_hash is None


def _chained(cause_frames: list[dict], outer_frames: list[dict]) -> dict:
    return _normalized({"platform": "node", "exception": {"values": [
        {"type": "Error", "value": "Closing tag 'rss' is expected",
         "stacktrace": {"frames": cause_frames}},
        {"type": "FeedError", "value": "could not read the feed",
         "stacktrace": {"frames": outer_frames}}]}})


def _bare(f: dict) -> dict:
    return {**f, "context_line": None, "post_context": None}


def test_a_chain_whose_outer_stack_has_no_code_lines_cuts_only_where_a_line_tells():
    """The cause's stack is cut at its dispatch; the wrapper's, without code lines, keeps its
    in-app frames (nothing tells a dispatch there), read as sites all the same."""
    web = frame(f"{APP}/web.js", "?", "const result = handler(req.body);")
    cli = frame(f"{APP}/cli.js", "runCommand", "return handler(JSON.parse(json));")
    outer = [_bare(frame(f"{APP}/jobs.js", "Object.refresh [as jobs/refresh]", "")),
             _bare(frame(f"{APP}/feed.js", "readFeed", ""))]
    one = _chained([EXPRESS, web, PARSE_FEED, XML], outer)
    two = _chained([LOADER, cli, PARSE_FEED, XML], outer)
    assert group(one, FP5).hash == group(two, FP5).hash
    assert "frame:jobs.js|refresh" in group(one, FP5).components
    assert group(one, FP5).previous_hash == group(one, FP3).hash


def test_frames_without_in_app_hash_as_under_faultline_fp_3():
    """No frame says in_app (normalization infers none): every frame is hashed and nothing is
    cut, as under fp-3; such an SDK's entry points stay apart."""
    unmarked = [{k: v for k, v in f.items() if k != "in_app"}
                for f in express_parse_feed()["exception"][0]["stacktrace"]["frames"]]
    e = _normalized({"platform": "node", "exception": {"values": [
        {"type": "Error", "value": "x", "stacktrace": {"frames": unmarked}}]}})
    assert not any(f.get("in_app") for f in e["exception"][0]["stacktrace"]["frames"])
    assert group(e, FP5).variant == "system"  # every frame, the entry point's too
    assert group(e, FP5).hash == group(e, FP3).hash
    assert group(e, FP5).previous_hash is None


def test_in_app_frames_all_reached_by_dispatch_keep_the_crash_site():
    """Every in-app caller dispatches: only the crash site (and the type) is left, and two
    crash sites stay two fingerprints."""
    chain = [frame(f"{APP}/a.js", "a", "tables[k](x);"), frame(f"{APP}/b.js", "b", "fns[j](x);"),
             frame(f"{APP}/c.js", "c", "return handler(x);")]
    one = event(*chain, PARSE_FEED, XML)
    other = event(*chain, frame(f"{APP}/feed.js", "parseItem", "return parse(input.item);"), XML)
    assert group(one, FP5).components == (
        "type:Error", "frame:feed.js|parseFeed|const feed = new XMLParser().parse(input.xml);")
    assert group(one, FP5).hash != group(other, FP5).hash


def test_a_minified_bundle_hashes_as_under_faultline_fp_3():
    bundle = _normalized({"platform": "node", "exception": {"values": [
        {"type": "TypeError", "value": "t is undefined", "stacktrace": {"frames": [
            {"filename": f"{APP}/dist/main.3f9a2c1d.js", "function": "Object.du [as run]",
             "lineno": 1, "colno": 30_000, "in_app": True,
             "context_line": "{snip} return handler(t) {snip}"},
            {"filename": f"{APP}/dist/main.3f9a2c1d.js", "function": "bu", "lineno": 1,
             "colno": 40_000, "in_app": True, "context_line": "{snip} e.x.y {snip}"}]}}]}})
    assert group(bundle, FP5).hash == group(bundle, FP3).hash
    assert any(c.startswith("value:") for c in group(bundle, FP5).components)  # coarse


def test_a_dispatch_frame_without_its_code_line_splits_as_under_faultline_fp_3():
    """SDK code lines are best-effort: where the dispatching frame's line is missing, nothing
    tells the dispatch, the entry frames stay and the event takes its own fingerprint, as it
    did under faultline-fp-3 (where every frame's line is hashed). No join is lost that fp-3
    made; ML grouping folds such splits back."""
    with_line = express_parse_feed()
    without = event(EXPRESS, _bare(frame(f"{APP}/web.js", "?", "")), PARSE_FEED, XML,
                    value="Closing tag 'rss' is expected")
    assert group(with_line, FP5).hash != group(without, FP5).hash
    assert group(with_line, FP3).hash != group(without, FP3).hash


def test_earlier_hash_reaches_an_issue_made_under_faultline_fp_1():
    """A Node event with code lines and an in-app frame of a minified bundle hashes apart
    under fp-1, fp-2 (= fp-3: it reads the bundle's names) and fp-5 (it cuts the entry frames).
    An issue whose only fingerprint was made under fp-1 (no event of it since) must still be
    found: the event carries every earlier hash, newest first, not fp-3's alone."""
    e = _vendor_event()
    hashes = {c: group(e, c).hash for c in (FP1, FP2, FP3, FP5)}
    assert hashes[FP2] == hashes[FP3] != hashes[FP1]
    assert hashes[FP5] != hashes[FP3]
    assert group(e, FP5).previous_hash == hashes[FP3]
    assert group(e, FP5).older_hashes == (hashes[FP1],)
    assert group(e, FP3).older_hashes == ()  # fp-3's previous hash is fp-1's already
    assert group(e, FP3).previous_hash == hashes[FP1]


def _vendor_event() -> dict:
    vendor = frame(f"{APP}/vendor.U2NJAFAF.js", "t.parseFeed",
                   "const feed = new XMLParser().parse(input.xml);")
    vendor.pop("module")  # a bundle's frame names no module
    return event(EXPRESS, frame(f"{APP}/web.js", "?", "const result = handler(req.body);"),
                 vendor, XML)


@pytest.mark.django_db
def test_an_issue_made_under_faultline_fp_1_keeps_its_event_under_fp_5(project):
    payload = {"platform": "node", "exception": {"values": [
        {k: v for k, v in _vendor_event()["exception"][0].items() if k != "mechanism"}]}}
    fingerprint_mode(project)
    with served_config(FP1):
        ingest(project, payload)
    (issue,) = Issue.objects.all()
    with served_config(FP5):
        ingest(project, payload)
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert sorted(GroupHash.objects.values_list("fingerprint_config", flat=True)) == [FP1, FP5]
