"""returns-desk (lab.mine.returnsapp), a choice group application-code codebase: the checks of
tests.helpers.appcode_corpus on lab/corpus/python-returns-desk.jsonl.zst, that lab.select may
choose on it (pinned to choice), and that its releases move code as the docs say."""

from __future__ import annotations

from collections import defaultdict

import pytest

from lab.corpus import is_report_only
from lab.mine.returnsapp.bugs import APP
from lab.mine.returnsapp.capture import APPLICATION
from tests.helpers.appcode_corpus import *  # noqa: F403 - the fixture `rows` and the tests
from training import mined


@pytest.fixture(scope="module")
def application():
    return APPLICATION


def test_a_choice_codebase_pinned(application):
    assert not is_report_only(APP)  # chosen on: lab.select leaves it out in turn
    assert not application.report_only
    assert mined.PINNED[APP] == mined.CHOICE


def test_moves_and_the_new_entry_point(rows):  # noqa: F811 - the helper's fixture
    """3.0.0 moves the feed parser into carriers/feed.py (and a consumer takes the nightly
    feed); 3.1.0 rewrites refunds and labels as classes."""
    frames = defaultdict(set)
    for row in rows:
        frames[row["bug"]].add(row["crash_frame"])
    label = f"{APP}/carrier_feed.parse_line/KeyError-unknown-status"
    assert frames[label] == {"returnsdesk.carrier_feed:parse_line",
                             "returnsdesk.carriers.feed:decode_event"}
    label = f"{APP}/labels.make_label/AttributeError-postcode-not-matching"
    assert "returnsdesk.labels:postcode" in frames[label]
    consumed = [row for row in rows if row["entry"] == "jobs"
                and any(f.get("module") == "returnsdesk.consumer"
                        for f in row["event"]["exception"]["values"][-1]["stacktrace"]["frames"])]
    assert consumed and all(row["release"] >= f"{APP}@3.0.0" for row in consumed)
