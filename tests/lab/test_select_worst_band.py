"""The choice's criterion (lab.select.pick): the worst left-out codebase first, and among rules
tied on it (within lab.select.WORST_BAND, about one further issue there) the median codebase.
Verdicts are built from per-codebase scores, so that what decides is known."""

from __future__ import annotations

from lab import select

CODEBASES = ("a", "b", "c", "d", "e")


def verdict(key: str, issues: list[int], f1: list[float], join_precision: float = 1.0,
            line: str = "raw", threshold: float = 0.04) -> select.Verdict:
    """A rule scored on five left-out codebases of 24 bugs each: its issues and F1 on each."""
    folds = tuple(select.Fold(name, threshold, select.Score(24, n, 1.0, score, join_precision))
                  for name, n, score in zip(CODEBASES, issues, f1, strict=True))
    return select.Verdict(select.Candidate(key, False, 0.98, 1, line=line), folds, threshold)


# "worst-first" is best on the worst codebase by a hair (F1 0.009, the same issues there);
# "broad" is far better on every other codebase
WORST_FIRST = verdict("site+callee", [40, 33, 32, 31, 30], [0.832, 0.90, 0.91, 0.92, 0.93])
BROAD = verdict("site", [40, 26, 26, 25, 24], [0.823, 0.97, 0.97, 0.98, 1.00])


def test_a_rule_tied_on_the_worst_codebase_and_better_on_the_median_is_chosen():
    assert WORST_FIRST.rank() < BROAD.rank()  # the worst case alone would keep the other
    assert BROAD.within_band(WORST_FIRST)
    assert select.pick([WORST_FIRST, BROAD]) is BROAD
    assert select.pick([BROAD, WORST_FIRST]) is BROAD


def test_the_band_never_lets_the_worst_codebase_fall_more_than_one_issue_behind():
    # two more issues on the worst codebase (2/24 issues per bug): outside the band
    worse = verdict("site", [42, 24, 24, 24, 24], [0.82, 1.0, 1.0, 1.0, 1.0])
    assert not worse.within_band(WORST_FIRST)
    assert select.pick([WORST_FIRST, worse]) is WORST_FIRST
    # the same issues, its F1 more than the band lower there
    thin = verdict("site", [40, 24, 24, 24, 24], [0.80, 1.0, 1.0, 1.0, 1.0])
    assert select.pick([WORST_FIRST, thin]) is WORST_FIRST
    # no band: the worst case decides alone, as before
    assert select.pick([WORST_FIRST, BROAD], band=(0.0, 0.0)) is WORST_FIRST


def test_a_rule_that_does_not_hold_is_never_chosen_for_its_median():
    loose = verdict("site", [30, 24, 24, 24, 24], [0.95, 1.0, 1.0, 1.0, 1.0],
                    join_precision=0.95, line="normalized")
    assert not loose.holds
    assert select.pick([WORST_FIRST, BROAD, loose]) is BROAD
    assert select.pick([loose]) is loose  # nothing holds: the best worst case, as before


def test_merge_judges_every_shapes_rules_together_and_keeps_the_previous_rule_only_if_picked():
    def selection(verdicts: list[select.Verdict], today: select.Verdict) -> select.Selection:
        return select.Selection({"python": select.pick(verdicts)}, None, None,
                                {"python": verdicts}, {"python": today})

    raw = select.Shape(1, "raw", "template")
    typed = select.Shape(1, "raw", "type")
    previous = select.Verdict(select.Candidate("site+callee", False, 1.0), WORST_FIRST.folds,
                              0.04)
    merged = select.merge({raw: selection([WORST_FIRST], previous),
                           typed: selection([BROAD], previous)}, raw)
    assert merged.chosen["python"] is BROAD and not merged.chosen["python"].kept
    # the previous rule, better on the median within the band, stays
    merged = select.merge({raw: selection([WORST_FIRST], BROAD)}, raw)
    assert merged.chosen["python"].kept
