"""lab.select with the site+line key: twin faults of one function (same type, same site, another
faulting expression) keep apart under its join where the site key's join merges them, `uncapped`
lifts the cap for it alone, and today's rule is judged in the text shape it serves in. Real
events, cleaning and keys; the vectors are placed by hand so the distances are known."""

from __future__ import annotations

from grouping import rules
from lab import select
from tests.helpers.select_codebases import crash_event, placed_codebase

LOOKALIKE = "return self.discount / sum(self.items)"


def codebase(name: str) -> select.Codebase:
    """One bug whose crash line a release edited (a renamed local, a comment), far in the
    embedding (0.30), and its twin in the same function, nearer (0.08) than the edit."""
    groups = [("mean", "return sum(self.items) / len(self.items)", 0.0),
              ("mean", "avg = sum(self.items) / len(self.items)  # mean price", 0.30),
              ("discount", LOOKALIKE, 0.08)]
    return placed_codebase(name, groups, lambda line, n: crash_event("average", line, f"view_{n}"))


GRID = [0.02, 0.04, 0.06, 0.08]


def today(family: str) -> tuple[str, float, bool]:
    return "site+callee", 0.04, False


def test_the_site_line_join_keeps_the_twin_apart_and_folds_the_edited_line():
    codebases = [codebase("a"), codebase("b"), codebase("c")]
    runs = select.Runs()
    site = select.leave_one_out(runs, codebases, select.Candidate("site", False, 1.0, join=True),
                                GRID)
    assert site.worst_join_precision < 1.0  # the site key alone joins the twin
    guarded = select.leave_one_out(runs, codebases,
                                   select.Candidate("site+line", False, 1.0, join=True), GRID)
    assert guarded.worst_join_precision == 1.0 and guarded.worst_precision == 1.0
    assert guarded.worst_issues_per_bug == 1.0  # the edited line joins its bug
    distance = select.leave_one_out(runs, codebases, select.Candidate("site", False, 1.0), GRID)
    assert distance.worst_issues_per_bug > 1.0  # no threshold parts the twin and joins the edit


def test_the_cap_is_lifted_for_the_uncapped_keys_alone():
    codebases = [codebase("a"), codebase("b")]
    tried = select.candidates(["site", "site+line"], joins=["site", "site+line"])
    selection = select.select(select.Runs(), codebases, tried, today, GRID, capped=True,
                              uncapped=["site+line"])
    verdicts = selection.verdicts["python"]
    joins = {v.candidate.key for v in verdicts if v.candidate.join}
    assert joins == {"site+line"}  # the site key's join stays capped out
    assert all(f.threshold <= 0.04 for v in verdicts if v.candidate.key == "site"
               for f in v.folds)
    assert selection.chosen["python"].candidate.key == "site+line"


def test_todays_rule_is_judged_in_the_shape_it_serves_in():
    served = {"frames": {"python": 1}}
    shape = select.todays_shape(served, rules.Rules(frames={"default": 2, "python": 2}))
    assert shape("python") == (1, "raw", "raw") and shape("go") == (2, "raw", "raw")
    one, two = ([codebase("a"), codebase("b")] for _ in range(2))
    selections = {frames: select.select(select.Runs(), cbs, [], today, GRID)
                  for frames, cbs in ((1, one), (2, two))}
    merged = select.merge(selections, 2, shape)
    assert merged.today["python"] is selections[1].today["python"]
    fallback_shape = select.todays_shape({"frames": {"default": 1}}, rules.CURRENT)
    fallback_today = select.merge(selections, 2, fallback_shape).fallback_today
    assert fallback_today is selections[1].fallback_today is not None
    # a rule that does no better than today's keeps it, in the shape it serves in
    worse = [select.Candidate("type", False, 1.0)]
    selections = {frames: select.select(select.Runs(), cbs, worse, today, GRID)
                  for frames, cbs in ((1, one), (2, two))}
    kept = select.merge(selections, 2, shape).chosen["python"]
    assert kept.kept and kept.candidate.key == "site+callee"
    assert select.as_rules(select.merge(selections, 2, shape), today, 1)["frames"]["python"] == 1
