"""What tells twin faults apart when their stack traces embed alike (grouping.conflict), and how
the replay and the validation choice use it: pure functions, no database."""

from dataclasses import dataclass

import numpy as np

from evaluation import metrics
from grouping.conflict import MAX_LINE, conflicts, distinguishing, first_match
from tests.test_training_pairs import normalized
from training import evaluate

HOOK = "NotFoundError: hook <int> not found\n  resolveHook in app\n  O in app"
TARGET = "NotFoundError: target <int> not found\n  resolveHook in app\n  O in app"
LON = ('CoercionError: cannot coerce \'x<int>\' to int\n'
       '  select_sample in etl.extract: out = coerce(data["lon"], "int")')  # fmt: skip
SAMPLE = ('CoercionError: cannot coerce \'x<int>\' to int\n'
          '  select_sample in etl.extract: out_<int> = coerce(data["sample"], "int", strict=True)')


def test_a_word_of_the_message_or_a_name_of_the_crash_line_tells_twins_apart():
    assert conflicts(HOOK, TARGET)
    assert conflicts("TypeError: e.retry.map is not a function\n  buildSize in app",
                     "TypeError: e.size.map is not a function\n  buildSize in app")
    assert conflicts(LON, SAMPLE)  # same message; the crash lines name other data
    assert not conflicts(LON, LON.replace("out =", "result ="))  # a release's edit


def test_what_varies_between_events_of_one_fault_does_not_conflict():
    # quoted data (paths, input), minified names (per release), a crash line without names
    assert not conflicts("FileNotFoundError: [Errno <int>] No such file: '/var/app/lat-482.json'",
                         "FileNotFoundError: [Errno <int>] No such file: '/var/app/lat-9.json'")
    assert not conflicts("ValueError: invalid literal for int(): 'abc'\n  parse in app.forms",
                         "ValueError: invalid literal for int(): 'xyz'\n  parse in app.forms")
    assert not conflicts("TypeError: t is not a function\n  loadCoupon in app",
                         "TypeError: r is not a function\n  loadCoupon in app")
    assert not conflicts(LON, LON.replace('coerce(data["lon"], "int")', "int(value)"))
    # a release adds an argument: a superset of the names, not other data
    assert not conflicts("FileNotFoundError: <str>\n  load in etl: open(data[\"lat_path\"])",
                         "FileNotFoundError: <str>\n  load in etl: open(data[\"lat_path\"], "
                         "encoding=\"utf-8\")")
    assert distinguishing(HOOK) == ("NotFoundError: hook <int> not found", frozenset())
    assert distinguishing(LON)[1] == frozenset({"lon", "int"})


def test_only_a_bounded_start_of_a_hostile_text_is_read():
    text = "E: " + "'a" * 200_000 + "\n  " + '"x" ' * 200_000
    header, names = distinguishing(text)
    assert header.count("<str>") + header.count("<id>") <= MAX_LINE and names == {"x"}
    assert distinguishing(text.replace("'a", "'b", 1000)) == (header, names)  # past the bound


@dataclass
class Near:
    distance: float
    text: str


def test_the_nearest_that_does_not_conflict_may_be_a_little_further():
    near = [Near(0.03, TARGET), Near(0.05, HOOK), Near(0.30, HOOK)]
    assert first_match(HOOK, near, 0.10, 0.0) is near[1]
    assert first_match(HOOK, near, 0.10, 0.04) is near[0]  # close enough despite the conflict
    assert first_match(HOOK, near, 0.04, 0.0) is None  # the agreeing one is past the threshold
    assert first_match(HOOK, [], 0.10, 0.0) is None


def twins_dataset():
    """Two bugs (hook, target), each seen in two releases whose texts differ by a call path; the
    twins of a release sit 0.02 apart, the releases of one bug 0.08."""
    texts = [HOOK, TARGET, HOOK.replace("O in", "P in"), TARGET.replace("O in", "P in")]
    labels = ["hook", "target", "hook", "target"]
    one = normalized(crash_function="resolve")
    angles = [0.0, 0.02, 0.08, 0.10]  # cosine distances from the first
    vectors = np.array([[1 - a, np.sqrt(1 - (1 - a) ** 2)] for a in angles])
    data = metrics.Dataset(labels, [one] * 4, [f"h{i}" for i in range(4)], [True] * 4, texts,
                           ["javascript"] * 4, ["NotFoundError"] * 4)  # fmt: skip
    return data, vectors


def test_the_replay_and_the_choice_use_the_conflict_threshold():
    data, vectors = twins_dataset()
    assert metrics.simulate_ml(data, vectors, 0.10) == [0, 0, 0, 0]  # distance alone
    assert metrics.simulate_ml(data, vectors, 0.10, conflict=0.0) == [0, 1, 0, 1]
    choice = evaluate.choose(data, vectors)
    assert choice.conflicts["javascript"] < choice.thresholds["javascript"]
    scores = metrics.score(data.labels, metrics.simulate_ml(
        evaluate.keyed(data, choice.rules), vectors, choice.thresholds,
        conflict=choice.conflicts))  # fmt: skip
    assert scores.pairwise_precision == 1.0 and scores.issues == 2
    without = evaluate.choose(data, vectors, use_conflicts=False)
    assert without.conflicts == without.thresholds
