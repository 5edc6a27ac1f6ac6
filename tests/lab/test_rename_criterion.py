"""lab.rename_path's serving criterion: a rename path's own joins are counted right only where the
issue already held the joining event's bug, a path is admissible only where every left-out
codebase has all its own joins right and no more issues per bug, and ties go to the `release`
evidence."""

from __future__ import annotations

import numpy as np

from grouping.clean import match_key
from grouping.rename import RenamePath
from lab.rename_path import admissible, own_joins, own_precision, rank
from tests.helpers.events import normalized
from training.metrics import Dataset, Scores, simulate_ml

LINE = "return sum(self.items) / len(self.items)"


def at(function: str, release: str) -> dict:
    return {**normalized(crash_function=function, crash_line=LINE), "release": release}


def joins(labels: list[str], events: list[dict]) -> tuple[int, int]:
    data = Dataset(labels=labels, events=events, hashes=[f"h{i}" for i in range(len(events))],
                   eligible=[True] * len(events), texts=["t"] * len(events),
                   families=["python"] * len(events),
                   keys=[match_key(e, "site") for e in events])
    vectors = np.tile(np.eye(4, dtype=np.float32)[0], (len(events), 1))
    renamed: list[int] = []
    clusters = simulate_ml(data, vectors, 0.04, conflict=0.04, minified=None,
                           rename=RenamePath("line", 2.0, "release"), renamed=renamed)
    return own_joins(labels, clusters, renamed)


def test_a_join_into_an_issue_holding_the_bug_is_right_and_one_into_another_bug_is_not():
    events = [at("average", "1.0"), at("mean", "1.1")]
    assert joins(["bug", "bug"], events) == (1, 1)
    assert joins(["bug", "other"], events) == (1, 0)
    assert own_precision(1, 0) == 0.0 and own_precision(0, 0) == 1.0


def score(issues: int, bugs: int = 10) -> Scores:
    return Scores(events=100, bugs=bugs, issues=issues, pairwise_precision=1.0,
                  pairwise_recall=1.0, bcubed_precision=1.0, bcubed_recall=1.0, bcubed_f1=1.0)


RELEASE, SITE = RenamePath("line", 2.0, "release"), RenamePath("line", 2.0, "site")


def test_one_wrong_join_or_one_more_issue_on_any_codebase_refuses_a_path():
    scores = {("a", None): score(20), ("b", None): score(12),
              ("a", SITE): score(15), ("b", SITE): score(12)}
    own = {("a", SITE): 1.0, ("b", SITE): 1.0}
    assert admissible(scores, own, ["a", "b"], SITE)
    assert not admissible(scores, {**own, ("b", SITE): 0.9}, ["a", "b"], SITE)
    assert not admissible({**scores, ("b", SITE): score(13)}, own, ["a", "b"], SITE)


def test_the_worst_codebase_decides_and_a_tie_goes_to_the_release_evidence():
    scores = {("a", RELEASE): score(15), ("b", RELEASE): score(11),
              ("a", SITE): score(15), ("b", SITE): score(11)}
    by_family = {"python": ["a", "b"]}
    assert min((SITE, RELEASE), key=lambda p: rank(scores, by_family, p)) == RELEASE
    scores["a", SITE] = score(14)
    assert min((SITE, RELEASE), key=lambda p: rank(scores, by_family, p)) == SITE


def replayed(events: list[dict], hashes: list[str]) -> list[int]:
    data = Dataset(labels=["a"] * len(events), events=events, hashes=hashes,
                   eligible=[True] * len(events), texts=["t"] * len(events),
                   families=["python"] * len(events),
                   keys=[match_key(e, "site") for e in events])
    vectors = np.tile(np.eye(4, dtype=np.float32)[0], (len(events), 1))
    return simulate_ml(data, vectors, 0.04, conflict=0.04, minified=None, rename=SITE)


def test_a_known_fingerprint_arriving_in_the_new_release_says_its_site_still_crashes():
    """The evidence is the fingerprint's site function (its first event's) in each release its
    events came in, as the installation records them (GroupHash.site_function,
    FingerprintRelease)."""
    old, again = at("average", "1.0"), at("average", "1.1")
    assert replayed([old, at("mean", "1.1")], ["h0", "h2"]) == [0, 0]  # renamed in 1.1
    # `average` crashed in 1.1 too: another site, no rename
    assert replayed([old, again, at("mean", "1.1")], ["h0", "h0", "h2"]) == [0, 0, 1]
