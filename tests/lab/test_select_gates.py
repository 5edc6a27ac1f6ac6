"""lab.select's minified gates: a rule under a gate is picked only where it keeps every left-out
codebase's pair precision at least the same rule's under the `fingerprint` gate."""

from __future__ import annotations

from lab.select import Candidate, Fold, Score, Verdict, admissible, pick


def verdict(gate: str, precisions: tuple[float, float], issues: int) -> Verdict:
    folds = tuple(Fold(name, 0.02, Score(10, issues, precision, 0.5))
                  for name, precision in zip(("planner-web", "storefront-web"), precisions,
                                             strict=True))
    return Verdict(Candidate("function", False, 1.0, 1, minified=gate), folds, 0.02)


def test_a_gate_that_lowers_one_codebases_precision_is_never_picked():
    plain = verdict("fingerprint", (0.795, 0.927), 70)
    folding = verdict("names+join", (0.804, 0.885), 20)  # folds most, storefront-web below
    careful = verdict("values+join", (0.808, 0.927), 60)
    served = verdict("", (0.808, 0.927), 60)
    allowed = admissible([plain, folding, careful, served])
    assert folding not in allowed and {id(v) for v in allowed} == {
        id(plain), id(careful), id(served)}
    assert pick([plain, folding, careful]) is folding  # the rank alone would take it
    assert pick(admissible([plain, folding, careful])) is careful
