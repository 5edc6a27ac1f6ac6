"""lab.errors: the splits and wrong merges it lists of a rule on choosing codebases, each split
put down to its causes two ways (the text and key, with one primary cause; the fingerprint's
components), and the wrong pairs ML added to an issue beyond its fingerprints."""

from __future__ import annotations

import numpy as np

from grouping import rules
from lab.errors import (
    analyse,
    causes,
    firsts,
    merges,
    primary_cause,
    split_causes,
    splits,
    wrong_pairs_added,
)
from lab.select import Codebase
from tests.helpers.events import event, normalized


def test_splits_and_merges_of_a_partition():
    labels = ["a", "a", "b", "a", "c", "c"]
    clusters = [0, 1, 1, 2, 3, 3]
    # each bug's own first event in each issue: b's in issue 1 is not the first
    assert firsts(labels, clusters) == {("a", 0): 0, ("a", 1): 1, ("b", 1): 2, ("a", 2): 3,
                                        ("c", 3): 4}
    assert splits(labels, clusters) == {"a": [0, 1, 2]}
    assert merges(labels, clusters) == {1: ["a", "b"]}


def raised(value: str, exc_type: str = "Error") -> dict:
    return {"exception": [{"type": exc_type, "value": value}]}


def test_causes_name_the_fingerprint_components_that_differ():
    base = ["type:Error", "value:x", "frame:app|cards/renderCard", "frame:app|compile"]
    assert causes(raised("You passed null"), raised("You passed undefined"), (base, base)) == [
        "message template"]
    assert causes(raised("bad 'a'"), raised("bad 'b'"), (base, base)) == ["message parameters"]
    wrapped = ["type:Error", "value:x", "frame:sentry|", *base[2:]]
    assert causes(raised("x"), raised("x"), (base, wrapped)) == ["frame count"]
    moved = [*base[:2], "frame:app|cards/renderStrictCard", "frame:app|compile"]
    assert causes(raised("x"), raised("x"), (base, moved)) == ["call path"]
    crashed = [*base[:3], "frame:app|parse"]
    assert causes(raised("x"), raised("x", "TypeError"),
                  (base, ["type:TypeError", *crashed[1:]])) == ["type", "crash frame"]
    assert causes(raised("x"), raised("x"), (base, base)) == ["same fingerprint components"]


def test_a_split_is_put_down_to_what_differs_in_the_text_and_key():
    base = normalized()
    reworded = normalized(value="found incompatible YAML document")
    edited = normalized(crash_line="return sum(self.prices) / len(self.prices)")
    moved = normalized(crash_function="_average_step")
    assert split_causes(base, reworded, "a", "b", "k", "k") == ["message template"]
    assert split_causes(base, edited, "a", "b", "k", "k") == ["crash line edited"]
    assert split_causes(base, moved, "a", "b", "k", "k") == ["site frame renamed or moved"]
    assert split_causes(base, moved, "a", "b", "k", "j") == ["key: site function"]
    other_type = normalized(exc_type="ValueError")
    assert split_causes(base, other_type, "a", "b", "k", "j")[0] == "key: exception type"
    assert split_causes(base, base, "a", "b", "k", "k") == ["other text"]
    assert split_causes(base, base, "a", "a", "k", "k") == ["same text (no candidate)"]


def test_one_primary_cause_per_split():
    assert primary_cause(["key: site function", "message template"]) == "key differs"
    assert primary_cause(["message template", "crash line edited"]) == "message and line"
    assert primary_cause(["crash line edited", "chain length"]) == "line only"
    assert primary_cause(["message template"]) == "message only"
    assert primary_cause(["chain length"]) == "other: chain length"


def test_wrong_pairs_are_those_beyond_the_fingerprints():
    labels = ["a", "a", "b", "b", "a"]
    hashes = ["h1", "h1", "h1", "h2", "h3"]
    # all five: 6 wrong pairs (3 a × 2 b); h1 alone held 2 of them
    assert wrong_pairs_added([0, 1, 2, 3, 4], labels, hashes) == 4
    assert wrong_pairs_added([0, 1, 2], labels, hashes) == 0
    assert wrong_pairs_added([0, 4], labels, hashes) == 0


def test_analyse_counts_a_split_and_a_wrong_join():
    from training import metrics

    rows = [{"bug": "one", "event": event()},
            {"bug": "one", "event": event(crash_line="return sum(self.prices) / len(self.prices)",
                                          caller="nightly_report")},
            {"bug": "two", "event": event(crash_line="return self.discount / sum(self.items)",
                                          caller="api_handler")}]
    data = metrics.prepare(rows, rules.Rules(frames=1, context="crash"), scope="cb")
    # the edited line of bug one far from its first event; bug two's twin right next to it
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    codebase = Codebase("cb", "python", data, vectors, report_only=False)
    lines = []
    found = analyse(codebase, "site+callee", 0.04, False, verbose=True, out=lines.append)
    assert (found.split_bugs, found.further, found.merged) == (1, 1, 1)
    assert found.causes["= line only"] == 1
    assert found.primaries() == {"line only": 1}
    assert found.components["distance: crash frame"] == 1
    assert found.merges["wrong pairs ML added"] == 1
    assert found.merges["ML join"] == 1
    assert any(line.startswith("- split one d=1.000 [distance] line only: crash line edited")
               for line in lines)
    assert any(line.startswith("- merge issue") and line.endswith("one  <>  two")
               for line in lines)
    # --show 0 and not verbose: the split is counted, not listed
    quiet = []
    assert analyse(codebase, "site+callee", 0.04, False, show=0, out=quiet.append) == found
    assert not any(line.startswith("- split") for line in quiet)
