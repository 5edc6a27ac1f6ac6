"""lab.select's candidates anchored on the application's crash site: a deterministic join (the
key alone, threshold JOIN) is judged leaving codebases out like any rule, and `capped` keeps
every rule within today's threshold (no join by key alone). Real events, cleaning and keys; the
vectors are placed by hand so the distances are known."""

from __future__ import annotations

from lab import select
from tests.helpers.select_codebases import crash_event, placed_codebase


def codebase(name: str) -> select.Codebase:
    """One bug whose call moved into an extracted `_mean_step` helper, far in the embedding
    (0.30), and another bug far from both."""
    groups = [("moved", "mean", 0.0), ("moved", "_mean_step", 0.30), ("other", "median", 1.0)]
    return placed_codebase(name, groups, lambda function, n: crash_event(
        function, "raise Failure(data)", f"caller_{n}", f"return {function}(data)", "app.core",
        "ValueError", "it failed"))


GRID = [0.02, 0.04, 0.06, 0.08]


def today(family: str) -> tuple[str, float, bool]:
    return "function", 0.04, True


def test_a_join_by_the_site_key_is_judged_leaving_codebases_out():
    codebases = [codebase("a"), codebase("b"), codebase("c")]
    runs = select.Runs()
    join = select.leave_one_out(runs, codebases, select.Candidate("site", False, 1.0, join=True),
                                GRID)
    assert join.threshold == select.JOIN and all(f.threshold == select.JOIN for f in join.folds)
    # the helper's events join their bug whatever the distance; the other bug stays apart
    assert join.worst_issues_per_bug == 1.0 and join.worst_precision == 1.0
    distance = select.leave_one_out(runs, codebases, select.Candidate("function", False, 1.0),
                                    GRID)
    assert distance.worst_issues_per_bug > 1.0  # the function key splits at the helper
    assert select.pick([distance, join]) is join


def test_capped_rules_stay_within_todays_threshold_and_never_join_by_key_alone():
    codebases = [codebase("a"), codebase("b")]
    tried = select.candidates(["site", "type"], joins=["site"])
    assert any(c.join for c in tried)
    selection = select.select(select.Runs(), codebases, tried, today, GRID, capped=True)
    verdicts = selection.verdicts["python"]
    assert verdicts and not any(v.candidate.join for v in verdicts)
    assert all(f.threshold <= 0.04 for v in verdicts for f in v.folds)
    assert selection.today["python"].candidate.veto  # today's rule keeps its veto
