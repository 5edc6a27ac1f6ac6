"""The chatrelay codebase (lab.mine.js.chatrelay): a second Node choice codebase whose faults are
its own code. Reads the committed file (no capture here): it is a pinned choice codebase, its
rows are the bugs the generator defines and raise their types (and causes), its releases really
refactor (a split file, renamed and moved functions and files, a class rewrite, an extracted
helper two bugs now share, a new job runner), and its hard negatives are there."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from lab.corpus import is_report_only, read_rows
from lab.mine.js.chatrelay.__main__ import OUTPUT, SEED, plan
from lab.mine.js.chatrelay.app import files
from lab.mine.js.chatrelay.bugs import BUGS
from tests.helpers.node_service_corpus import assert_rows_are_the_bugs_and_raise_their_types
from training import mined


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return list(read_rows(OUTPUT))


def message(row: dict) -> str:
    return row["event"]["exception"]["values"][-1].get("value", "")


def test_it_is_a_choice_codebase_pinned_so_no_earlier_codebase_moves():
    assert not is_report_only("chatrelay")
    assert mined.PINNED["chatrelay"] == mined.CHOICE


def test_rows_are_the_defined_bugs_and_raise_their_types(rows):
    assert_rows_are_the_bugs_and_raise_their_types("chatrelay", rows, BUGS)
    assert len(rows) >= 280


def test_releases_refactor_the_raising_code(rows):
    frames = defaultdict(set)
    for row in rows:
        frames[row["bug"]].add(row["crash_frame"])
    assert sum(len(f) > 1 for f in frames.values()) >= 18, dict(frames)
    assert frames["chatrelay/rooms/renameRoom:title:RangeError"] == {
        "rooms.js:renameRoom", "rooms.js:padTitle"}
    assert frames["chatrelay/notify/formatDigest:unit:RangeError"] == {
        "notify.js:formatDigest", "notify/notifier.js:Notifier.digestLine"}
    emoji = "lib/emoji.js:glyph"  # 1.3 moves both emoji lookups into one helper
    assert emoji in frames["chatrelay/presence/setStatus:emoji:RangeError"]
    assert emoji in frames["chatrelay/messages/renderMarkdown:emoji:RangeError"]


def test_hard_negatives_are_present(rows):
    by_message, entries, types = defaultdict(set), defaultdict(set), defaultdict(set)
    for row in rows:
        by_message[message(row)].add(row["bug"])
        entries[row["bug"]].add(row["entry"])
        types[row["crash_frame"]].add(row["event"]["exception"]["values"][-1]["type"])
    for shared in ("Cannot read properties of undefined (reading 'trim')", "Invalid time value",
                   "not allowed in this room", "Invalid code point NaN"):
        assert len(by_message[shared]) == 2, shared
    assert types["messages.js:parseId"] == {"SyntaxError", "RangeError"}  # one line, two types
    assert all(len(e) > 1 for e in entries.values())


def test_the_generator_is_seeded_and_renders_each_release_alike():
    assert plan(random.Random(SEED)) == plan(random.Random(SEED))
    assert files(2) == files(2)
    assert "messages.js" in files(1) and "messages/post.js" in files(2)
    assert "hooks/ingest.js" in files(2) and "integrations/webhooks.js" in files(3)
    assert "class Notifier" in files(3)["notify/notifier.js"]
    assert "jobs/runner.js" in files(3) and "jobs/runner.js" not in files(2)
    assert "enterRoom" in files(4)["rooms.js"] and "joinRoom" in files(3)["rooms.js"]


def test_a_second_run_writes_the_same_bytes(tmp_path):
    """Needs the miner's Node packages (`cd lab/mine/js && npm ci`)."""
    from lab.mine.js import libs
    from lab.mine.js.chatrelay.__main__ import main

    if not (libs.HERE / "node_modules" / "@sentry" / "node").is_dir():
        pytest.skip("lab/mine/js/node_modules is not installed (`make lab-js`)")
    out = tmp_path / "again.jsonl.zst"
    main(["--output", str(out)])
    assert out.read_bytes() == OUTPUT.read_bytes()
