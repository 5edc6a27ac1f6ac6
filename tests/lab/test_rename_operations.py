"""The rename path's "operations" statement (grouping.rename.operations_or_line): what the crash
line calls and reads, and where it calls and reads nothing, the line's shape with its locals as
`x`, so two sites' different lines of one runtime error stay two statements while a renamed
local still joins (the wrong joins on cronhook and tallyhouse, docs/ml-grouping.md, "The rename
path")."""

from __future__ import annotations

import numpy as np

from grouping.clean import line_operations, match_key
from grouping.rename import RenamePath, operations_or_line, statement
from lab.rename_joins import first_events, wrong_joins
from tests.helpers.events import normalized
from training.metrics import Dataset, simulate_ml


def at(function: str, release: str, line: str, bug: str = "") -> dict:
    event = normalized(crash_function=function, crash_line=line)
    return {**event, "release": release, "bug": bug or function}


def issues(events: list[dict]) -> tuple[list[int], list[int]]:
    data = Dataset(labels=[e["bug"] for e in events], events=events,
                   hashes=[f"h{i}" for i in range(len(events))], eligible=[True] * len(events),
                   texts=["t"] * len(events), families=["python"] * len(events),
                   keys=[match_key(e, "site") for e in events])
    vectors = np.tile(np.eye(4, dtype=np.float32)[0], (len(events), 1))
    renamed: list[int] = []
    clusters = simulate_ml(data, vectors, 0.04, conflict=0.04, minified=None,
                           rename=RenamePath("operations", 2.0, "site"), renamed=renamed)
    return clusters, renamed


def test_a_line_that_calls_or_reads_is_read_as_its_operations():
    line = "value = yaml.safe_load(payload)"
    assert operations_or_line(line, "python") == line_operations(line, "python") != ""
    assert operations_or_line("data = yaml.safe_load(text)", "python") \
        == operations_or_line(line, "python")


def test_a_line_that_calls_and_reads_nothing_is_read_as_its_shape():
    assert line_operations("return budget / shares[slot]", "go") == ""
    assert operations_or_line("return budget / shares[slot]", "go") \
        == operations_or_line("return budget / weights[slot]", "go")  # a renamed local
    shapes = {operations_or_line(line, "go") for line in (
        "return budget / shares[slot]", "steps := attempt / factor", "return windows[day]")}
    assert len(shapes) == 3
    assert operations_or_line('x = lines[item["sku"]]', "python") \
        != operations_or_line('x = lines[item["qty"]]', "python")  # the key it reads stays


def test_two_sites_dividing_differently_are_two_statements():
    old = at("backoff", "0.6", "steps = attempt / factor")
    new = at("allocate", "1.0", "return budget / shares[slot]")
    assert statement(old, "operations") != statement(new, "operations")
    assert statement(old, "operations+file") != statement(new, "operations+file")
    clusters, renamed = issues([old, new])
    assert clusters == [0, 1] and renamed == []


def test_a_renamed_function_that_renamed_a_local_still_joins():
    old = at("split_budget", "0.6", "return budget / weights[slot]", bug="split")
    new = at("allocate", "1.0", "return budget / shares[slot]", bug="split")
    clusters, renamed = issues([old, new])
    assert clusters == [0, 0] and renamed == [1]
    assert wrong_joins([e["bug"] for e in (old, new)], clusters, renamed) == []


def test_a_join_into_another_bugs_issue_is_reported_with_its_first_event():
    clusters, renamed = [0, 1, 0], [2]
    assert first_events(clusters) == {0: 0, 1: 1}
    assert wrong_joins(["a", "b", "c"], clusters, renamed) == [(2, 0)]
    assert wrong_joins(["a", "b", "a"], clusters, renamed) == []
