"""The stockroom codebase (lab.mine.js.stockroom): a Node service whose faults are its own code.
Reads the committed file (no capture here): it is report-only, its rows are the bugs the
generator defines and raise their types, and its releases really refactor (crash frames move to
other functions and modules, the reports module becomes an ES module)."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from lab.corpus import is_report_only, read_rows
from lab.mine.js.stockroom.__main__ import OUTPUT, SEED, plan
from lab.mine.js.stockroom.app import files
from lab.mine.js.stockroom.bugs import BUGS
from tests.helpers.node_service_corpus import assert_rows_are_the_bugs_and_raise_their_types


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return list(read_rows(OUTPUT))


def test_it_is_scored_only():
    assert is_report_only("stockroom")


def test_rows_are_the_defined_bugs_and_raise_their_types(rows):
    assert_rows_are_the_bugs_and_raise_their_types("stockroom", rows, BUGS)


def test_releases_refactor_the_raising_code(rows):
    frames = defaultdict(set)
    for row in rows:
        frames[row["bug"]].add(row["crash_frame"].split(" [as ")[0].removeprefix("Object."))
    assert sum(len(f) > 1 for f in frames.values()) >= 8, dict(frames)
    modules = {row["release"]: row["crash_frame"].split(":")[0] for row in rows
               if row["bug"] == "stockroom/reports/exportCsv:name:TypeError"}
    assert modules["stockroom@1.1.0"] == "reports/reports.js"
    assert modules["stockroom@1.4.0"] == "reports/reports.mjs"


def test_the_generator_is_seeded_and_renders_each_release_alike():
    assert plan(random.Random(SEED)) == plan(random.Random(SEED))
    assert files(3) == files(3)
    assert "catalog/items.js" in files(1) and "catalog/lookup.js" in files(3)
    assert "reports/reports.mjs" in files(3) and "orders/queries.js" in files(4)
