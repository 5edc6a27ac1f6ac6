"""Validation and test metrics of an embedder on the corpus, with training.metrics.

The candidate-key rule and the threshold are chosen together on validation only, per platform
family: among every rule (grouping.rules) and threshold whose pair precision there is at least
PRECISION_FLOOR, the most specific rule (KEY_RULES order) at the smallest threshold whose B-cubed
F1 is within CHOICE_SLACK of the best (when the key does the separating, F1 plateaus, and a
larger threshold that adds a hair of F1 on a few validation bugs only adds risk on others:
bench/selection.py, validation only, gave JavaScript worst-corpus precision 0.985 with no slack
and 1.000 with 0.005, at a better mean F1); the most specific rule at the smallest threshold if
none reaches the floor. Then the conflict threshold (grouping.conflict: the stricter one for
pairs whose messages, crash-line names or crash sites differ) for that rule and threshold, the
same way.
The floor is 1.0, not the 0.98 target: validation holds few bugs per platform, and a choice that
barely clears 0.98 on them fell to 0.83 on other validation bugs (bench/selection.py). A
trained model that separates twin faults by distance earns a looser key than the stock model,
which needs the key to separate them. Test and held-out splits are then scored with those
choices, never tuned on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from grouping.policy import MINIFIED_GATE, MinifiedGate, replay_policy
from training import metrics
from training.metrics import Dataset

GRID = [round(0.02 * i, 2) for i in range(1, 26)]  # 0.02 … 0.50
KEY_RULES = ("function", "names", "module", "type")  # most specific first; never the code line
PRECISION_FLOOR = 1.0
CHOICE_SLACK = 0.005  # F1 a more cautious choice may give up (bench/selection.py, transfer.py)
Encode = Callable[[list[str]], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Choice:
    """Per platform family: the threshold, the candidate-key rule and the conflict threshold
    (grouping.conflict), with "default" thresholds for families not named."""

    thresholds: dict[str, float]
    rules: dict[str, str]
    conflicts: dict[str, float]


def truncate(vectors: np.ndarray, dimension: int | None) -> np.ndarray:
    """Matryoshka: the first `dimension` coordinates, unit length again."""
    if dimension is None or dimension >= vectors.shape[1]:
        return vectors
    cut = vectors[:, :dimension]
    return cut / np.maximum(np.linalg.norm(cut, axis=1, keepdims=True), 1e-12)


def keyed(data: Dataset, rules: dict[str, str],
          minified: MinifiedGate | None = MINIFIED_GATE) -> Dataset:
    """The dataset with each event's candidate key under its family's rule ("default" for
    families not named; none at all: the keys the dataset was prepared with), minified
    JavaScript without a source map under the `minified` gate's."""
    if not rules:
        return data
    policy = replay_policy(0.0, key_rules=rules, minified=minified)  # only its keys are read
    return dataclasses.replace(data, keys=[policy.key(event) for event in data.events])


def conflict_grid(threshold: float) -> list[float]:
    """Conflict thresholds tried with `threshold`: never join (0), the grid below it, itself
    (conflicts count for nothing)."""
    return [0.0] + [g for g in GRID if g < threshold] + [threshold]


def _pick(passing: list[tuple[float, ...]], slack: float) -> tuple | None:
    """The first choice (they come most cautious first) whose F1 (first item) is within
    `slack` of the best; None if there is none."""
    best = max((row[0] for row in passing), default=None)
    if best is None:
        return None
    return next(tuple(row[1:]) for row in passing if row[0] >= best - slack - 1e-9)


def _scores(data: Dataset, vectors: np.ndarray, threshold: float,
            conflict: float) -> metrics.Scores:
    return metrics.score(data.labels, metrics.simulate_ml(data, vectors, threshold,
                                                          conflict=conflict))


def choose(data: Dataset, vectors: np.ndarray, floor: float = PRECISION_FLOOR,
           slack: float = CHOICE_SLACK, use_conflicts: bool = True) -> Choice:
    """Per family, chosen on `data` (validation): first the most specific rule at the smallest
    threshold whose B-cubed F1 is within `slack` of the best any reaches at pair precision >=
    `floor`, with no conflict rule; then, for that rule and threshold, the smallest conflict
    threshold within `slack` of the best F1 at the floor. The conflict threshold only vetoes:
    chosen together, it let validation take larger thresholds that fresh corpora punished
    (docs/training.md). `use_conflicts=False`: no conflict rule (the conflict threshold is the
    threshold)."""
    thresholds: dict[str, float] = {}
    rules: dict[str, str] = {}
    conflicts: dict[str, float] = {}
    for family in sorted(set(data.families)):
        part, keep = metrics.subset(data, family)
        part_vectors = vectors[keep]
        by_rule = {rule: keyed(part, {family: rule}) for rule in KEY_RULES}
        passing: list[tuple[float, str, float]] = []  # (F1, rule, threshold), in choice order
        for rule, candidates in by_rule.items():
            for threshold in GRID:
                s = _scores(candidates, part_vectors, threshold, threshold)
                if s.pairwise_precision >= floor:
                    passing.append((s.bcubed_f1, rule, threshold))
        rule, threshold = _pick(passing, slack) or (KEY_RULES[0], GRID[0])
        conflict = threshold
        if use_conflicts:
            vetoes = [(s.bcubed_f1, c) for c in conflict_grid(threshold) if (s := _scores(
                by_rule[rule], part_vectors, threshold, c)).pairwise_precision >= floor]
            conflict = (_pick(vetoes, slack) or (0.0,))[0]
        rules[family], thresholds[family], conflicts[family] = rule, threshold, conflict
    thresholds["default"] = min(thresholds.values()) if thresholds else 0.12
    conflicts["default"] = min(conflicts.values()) if conflicts else 0.0
    return Choice(thresholds, rules, conflicts)


def scores_dict(data: Dataset, vectors: np.ndarray, thresholds: dict[str, float],
                rules: dict[str, str] | None = None,
                conflicts: dict[str, float] | None = None) -> dict:
    def one(part: Dataset, vecs: np.ndarray) -> dict:
        s = metrics.score(part.labels, metrics.simulate_ml(part, vecs, thresholds,
                                                           conflict=conflicts or None))
        return {"events": s.events, "bugs": s.bugs, "issues": s.issues,
                "issues_per_bug": round(s.issues_per_bug, 3),
                "pair_precision": round(s.pairwise_precision, 4),
                "pair_recall": round(s.pairwise_recall, 4),
                "bcubed_f1": round(s.bcubed_f1, 4)}

    if not data.labels:
        return {}
    data = keyed(data, rules or {})
    out = one(data, vectors)
    out["by_family"] = {}
    for family in sorted(set(data.families)):
        part, keep = metrics.subset(data, family)
        out["by_family"][family] = one(part, vectors[keep])
    return out


def encode_splits(encode: Encode, splits: dict[str, Dataset]) -> dict[str, np.ndarray]:
    """Vectors of every non-empty split except train (which is never scored). Each distinct
    text is encoded once: a bug's events repeat their texts."""
    scored = {name: data for name, data in splits.items() if name != "train" and data.labels}
    distinct = sorted({text for data in scored.values() for text in data.texts})
    if not distinct:
        return {name: encode(data.texts) for name, data in scored.items()}
    vectors = np.asarray(encode(distinct))
    row = {text: index for index, text in enumerate(distinct)}
    return {name: vectors[[row[text] for text in data.texts]] for name, data in scored.items()}


def evaluate(encode: Encode | dict[str, np.ndarray], splits: dict[str, Dataset],
             dimension: int | None = None) -> dict:
    """Key rules and thresholds from validation; metrics for every non-empty split except
    train. `encode` may be the split vectors already computed (encode_splits)."""
    full = encode if isinstance(encode, dict) else encode_splits(encode, splits)
    vectors = {name: truncate(v, dimension) for name, v in full.items()}
    validation = splits.get("validation")
    if validation is None or not validation.labels:
        raise ValueError("the corpus has no validation split")
    choice = choose(validation, vectors["validation"])
    result = {"thresholds": choice.thresholds, "keys": choice.rules,
              "conflict_thresholds": choice.conflicts}
    for name, vecs in vectors.items():
        result[name] = scores_dict(splits[name], vecs, choice.thresholds, choice.rules,
                                   choice.conflicts)
    return result


def no_worse(candidate: dict, served: dict, tolerance: float) -> bool:
    """Validation B-cubed F1 and pair precision both within `tolerance` of the served model's."""
    c, s = candidate.get("validation") or {}, served.get("validation") or {}
    if not c or not s:
        return False
    return (c["bcubed_f1"] >= s["bcubed_f1"] - tolerance
            and c["pair_precision"] >= s["pair_precision"] - tolerance)
