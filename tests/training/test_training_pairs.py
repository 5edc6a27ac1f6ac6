"""Pooled corpora and the hard negatives training makes: pure functions, no database.

- two corpus files pooled are two projects: equal bug ids stay two bugs, and an event of one
  never joins an issue of the other, even with identical fingerprints;
- the hard-negative augmentations change the fault, not just its wording, and never the input.
"""

import copy
import random

import numpy as np

from grouping.clean import clean_event
from tests.helpers.events import normalized
from tests.helpers.training import corpus_file
from training import augment, evaluate, lifecycle, metrics, pairs


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
                for scope in set(pooled.scopes)}
    assert len(by_scope) == 2 and not set.intersection(*by_scope.values())
    # what validation chooses on the pool is scored per project: a perfect split on both
    choice = evaluate.choose(pooled, np.eye(len(pooled.labels)))
    assert choice.thresholds["python"] in evaluate.GRID
    assert choice.rules["python"] in evaluate.KEY_RULES


def test_swap_field_makes_another_fault_on_the_same_line():
    original = normalized(crash_line='body_value = data["body"]', exc_type="KeyError",
                          value="'body'", crash_function="read_body")
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


WORDS = ["zebra", "lantern", "harbor", "violet", "quartz", "meadow", "copper", "falcon"]
TWIN_A = ('JSONDecodeError: Expecting value: line <int> column <int> (char <int>)\n'
          '  read_retry in notifier.inbox: result = json.loads(data["webhook_body"])\n'
          '  process_read_retry_on in notifier.services')
TWIN_B = TWIN_A.replace("webhook_body", "retry_body").replace("result =", "result_<int> =")


def test_vocabulary_is_the_frames_own_words_not_the_exception_type_or_format():
    words = augment.vocabulary("NotFoundError: hook <int> not found\n  buildHook in app\n"
                               "  processBuildHookConsume in app")
    assert words == {"build", "hook", "process", "consume"}  # no "found", "app", "int", "not"


def test_relabel_renames_alike_on_both_sides_and_keeps_what_tells_twins_apart():
    seen_differing = False
    for seed in range(40):
        a, b = augment.relabel(TWIN_A, TWIN_B, WORDS, random.Random(seed))
        assert (a, b) != (TWIN_A, TWIN_B)
        assert a.splitlines()[0] == TWIN_A.splitlines()[0]  # the message names no frame word
        new = {w for w in WORDS if w in a or w in b}
        assert 1 <= len(new) <= 3
        # renamed alike: tokens equal in the twins stay equal, the two that differed still do
        before = [x == y for x, y in zip(TWIN_A.split(), TWIN_B.split(), strict=True)]
        after = [x == y for x, y in zip(a.split(), b.split(), strict=True)]
        assert after == before and before.count(False) == 2
        seen_differing |= "webhook" not in a or "retry_body" not in b
    assert seen_differing  # the word that tells them apart gets renamed too, some of the time


def test_relabelled_share_zero_leaves_the_recipe_pairs_untouched():
    chosen = [pairs.Pair(TWIN_A, TWIN_B, False, "corpus"), pairs.Pair(TWIN_A, TWIN_A, True, "x")]
    assert pairs.relabelled(chosen, WORDS, 0.0, random.Random(0)) is chosen
    renamed = pairs.relabelled(chosen, WORDS, 1.0, random.Random(0))
    assert [(p.same, p.source) for p in renamed] == [(False, "corpus"), (True, "x")]
    assert all(p.a != q.a for p, q in zip(renamed, chosen, strict=True))
    assert renamed[1].a == renamed[1].b  # one text on both sides stays one text


def test_choice_gives_up_a_hair_of_validation_f1_for_the_smaller_threshold():
    """99 bugs whose two events sit 0.03 apart and one whose sit 0.17 apart: 0.18 gains 0.0025
    of B-cubed F1 over 0.04 on these bugs. With no slack the choice follows that hair; with
    CHOICE_SLACK it keeps the smaller threshold (what transferred to unseen applications)."""
    one = normalized(crash_function="read_body")
    bugs, vectors = 100, []
    for bug in range(bugs):
        first, second = np.zeros(2 * bugs), np.zeros(2 * bugs)
        first[2 * bug] = 1.0
        angle = np.arccos(1 - (0.17 if bug == 0 else 0.03))
        second[2 * bug], second[2 * bug + 1] = np.cos(angle), np.sin(angle)
        vectors += [first, second]
    n = 2 * bugs
    data = metrics.Dataset([f"bug{i // 2}" for i in range(n)], [one] * n,
                           [f"hash{i}" for i in range(n)], [True] * n,
                           [f"text{i}" for i in range(n)], ["python"] * n, ["k"] * n)
    vectors = np.array(vectors)
    assert evaluate.choose(data, vectors, slack=0.0).thresholds["python"] == 0.18
    assert evaluate.choose(data, vectors).thresholds["python"] == 0.04
    assert evaluate.CHOICE_SLACK == 0.005
