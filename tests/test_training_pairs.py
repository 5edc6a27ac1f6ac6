"""Pooled corpora and the hard negatives training makes (issue 8): pure functions, no database.

- two corpus files pooled are two projects: equal bug ids stay two bugs, and an event of one
  never joins an issue of the other, even with identical fingerprints;
- the hard-negative augmentations change the fault, not just its wording, and never the input.
"""

import copy
import random

import numpy as np

from evaluation import metrics
from grouping.clean import clean_event
from tests.test_grouping_training import corpus_file
from tests.test_ml_grouping import event
from training import augment, evaluate, lifecycle, pairs


def test_pooled_corpora_are_separate_projects(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = corpus_file(tmp_path / "a"), corpus_file(tmp_path / "b")  # the same rows
    alone = lifecycle.load_splits(str(first))["validation"]
    pooled = lifecycle.load_splits([str(first), str(second)])["validation"]
    assert len(pooled.labels) == 2 * len(alone.labels)
    assert len(set(pooled.labels)) == 2 * len(set(alone.labels))  # equal ids, two bugs each
    vectors = np.ones((len(pooled.labels), 4)) / 2.0  # every event at distance 0 from every other
    clusters = metrics.simulate_ml(pooled, vectors, 0.5)
    by_scope = {scope: {c for c, s in zip(clusters, pooled.scopes, strict=True) if s == scope}
                for scope in set(pooled.scopes)}  # fmt: skip
    assert len(by_scope) == 2 and not set.intersection(*by_scope.values())
    # what validation chooses on the pool is scored per project: a perfect split on both
    thresholds, rules = evaluate.choose(pooled, np.eye(len(pooled.labels)))
    assert thresholds["python"] in evaluate.GRID and rules["python"] in evaluate.KEY_RULES



def normalized(**kwargs) -> dict:
    from ingest.normalize import normalize_event

    return normalize_event(event(**kwargs), 1_700_000_000.0, "0" * 32)


def test_swap_field_makes_another_fault_on_the_same_line():
    original = normalized(crash_line='body_value = data["body"]', exc_type="KeyError",
                          value="'body'", crash_function="read_body")  # fmt: skip
    before = copy.deepcopy(original)
    swapped = augment.swap_field(original, random.Random(3))
    assert original == before  # pure
    line = swapped["exception"][-1]["stacktrace"]["frames"][-1]["context_line"]
    noun = line.split("_", 1)[0]
    assert noun != "body" and noun in augment.FIELD_NOUNS and f'data["{noun}"]' in line
    assert swapped["exception"][-1]["value"] == f"'{noun}'"
    assert clean_event(swapped) != clean_event(original)
    assert augment.swap_field(normalized(crash_line="return 1 / 0"), random.Random(3)) is None


def test_swap_site_keeps_the_message_and_moves_the_crash():
    original = normalized(crash_function="read_body", value="boom")
    swapped = augment.swap_site(original, random.Random(5))
    function = swapped["exception"][-1]["stacktrace"]["frames"][-1]["function"]
    assert function != "read_body" and "_" in function
    assert swapped["exception"][-1]["value"] == original["exception"][-1]["value"]
    assert augment.swap_site(normalized(crash_function="e"), random.Random(5)) is None


def test_hard_negative_pairs_are_negatives_of_train_events(tmp_path):
    train = lifecycle.load_splits(str(corpus_file(tmp_path)))["train"]
    made = pairs.swapped_pairs(train, random.Random(0), 10)
    assert made and all(not p.same and p.source == "augment" for p in made)
    assert all(p.a in train.texts and p.b not in train.texts for p in made)
