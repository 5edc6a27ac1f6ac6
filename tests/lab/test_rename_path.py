"""The rename path in the simulation (training.metrics.simulate_ml, as lab.rename_path and
lab.select replay it): it joins a crash statement whose function a release renamed, and keeps a
statement copied to two sites that fail in one release apart."""

from __future__ import annotations

import numpy as np

from grouping.clean import match_key
from grouping.rename import RenamePath, release_of, site_of, statement
from monitor.limits import RENAME_LINE_CHARS
from tests.helpers.events import normalized
from training.metrics import Dataset, simulate_ml

LINE = "return sum(self.items) / len(self.items)"


def at(function: str, release: str, line: str = LINE) -> dict:
    return {**normalized(crash_function=function, crash_line=line), "release": release}


def dataset(events: list[dict]) -> Dataset:
    return Dataset(labels=[str(i) for i in range(len(events))], events=events,
                   hashes=[f"h{i}" for i in range(len(events))], eligible=[True] * len(events),
                   texts=["t"] * len(events), families=["python"] * len(events),
                   keys=[match_key(e, "site") for e in events])


def issues(events: list[dict], evidence: str = "release") -> list[int]:
    vectors = np.tile(np.eye(4, dtype=np.float32)[0], (len(events), 1))
    return simulate_ml(dataset(events), vectors, 0.04, conflict=0.04, minified=None,
                       rename=RenamePath("line", 2.0, evidence))


def test_the_statement_is_read_apart_from_the_function():
    old, new = at("average", "1.0"), at("mean", "1.1")
    assert statement(old) == statement(new) and (site_of(old), site_of(new)) == ("average", "mean")
    assert (release_of(old), release_of(new)) == ("1.0", "1.1")
    assert statement(at("average", "1.0", "return self.total / len(self.items)")) \
        != statement(old)


def test_a_function_renamed_in_a_new_release_joins_its_old_issue():
    assert issues([at("average", "1.0"), at("mean", "1.1")]) == [0, 0]


def test_a_statement_copied_to_two_sites_failing_in_one_release_stays_apart():
    for evidence in ("release", "site"):
        assert issues([at("average", "1.0"), at("mean", "1.0")], evidence) == [0, 1]


def test_the_site_evidence_lets_one_renamed_site_join_from_several_entry_points():
    first = at("average", "1.0")
    again = normalized(crash_function="mean", crash_line=LINE, caller="report_view")
    events = [first, at("mean", "1.1"), {**again, "release": "1.1"}]
    assert issues(events, "site") == [0, 0, 0]
    assert issues(events, "release")[2] == 1  # its issue already has an event of 1.1


def test_a_hostile_statement_is_read_up_to_its_bound():
    long = at("average", "1.0", "x = " + "a" * 100_000)
    assert len(statement(long)) < RENAME_LINE_CHARS + 100


def test_without_a_path_the_renamed_function_opens_an_issue():
    vectors = np.tile(np.eye(4, dtype=np.float32)[0], (2, 1))
    data = dataset([at("average", "1.0"), at("mean", "1.1")])
    assert simulate_ml(data, vectors, 0.04, conflict=0.04, minified=None, rename=None) == [0, 1]


def test_a_line_that_reports_the_error_to_the_sdk_is_no_statement():
    for line in ("hub.CaptureException(err)", "sentry_sdk.capture_exception(exc)",
                 "Sentry.captureException(error);", "Sentry.capture_exception e"):
        assert statement(at("fail", "1.0", line)) == ""
    assert statement(at("fail", "1.0", "capture(err)")) != ""
