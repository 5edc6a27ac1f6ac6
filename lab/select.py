"""Rules and thresholds chosen for transfer: leave one codebase out.

A threshold chosen on bugs of the applications it is then judged on looks better than it is on
an application nobody trained on. So, per platform family, every candidate rule (a candidate-key
rule of grouping.rules, with or without the conflict veto of grouping.conflict, and the
precision floor its threshold is chosen at) is judged by what its *choice* does to a codebase
the choice never saw: each choosing codebase in turn is left out, the threshold is chosen on the
others (pooled, as training.evaluate chooses: the smallest threshold within a slack of the best
B-cubed F1 at pair precision >= the floor) and the left-out codebase is scored. Of the rules
whose WORST left-out codebase holds (precision of ML's joins >= TARGET_PRECISION), those whose
worst codebase is within one further issue of the best worst codebase (WORST_BAND: issues per
bug, then F1) are tied on the worst case, and the MEDIAN left-out codebase decides among them
(fewer issues per bug, then F1); ties to the more cautious rule and the smaller threshold
(`pick`). Its threshold is then chosen on all choosing codebases. Report-only codebases
(lab.corpus.is_report_only) are never chosen on, only scored at the end ("never seen").

A family with fewer than MIN_CODEBASES choosing codebases takes the FALLBACK: one rule chosen the
same way across every platform's codebases (each left out in turn, chosen on all the others),
kept only where it is no worse than today's default on them.

Scoring is training.metrics' (prepare, simulate_ml, tally, score); a codebase's events are
simulated and tallied once per rule and threshold, and codebases pool by adding their tallies
(each is its own projects), so the choice is the scorer's own.

    .venv/bin/python -m lab.select --corpus var/corpus/corpus-seed{7,17,19,23,29}.jsonl \
        --mined ../mine-py/lab/corpus ../mine-js/lab/corpus ../mine-goruby/lab/corpus \
        [--model DIR] [--write-rules]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import json
import os
import pickle
import shlex
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

TARGET_PRECISION = 0.98  # the product's pair-precision target on unseen codebases
FLOORS = (0.98, 0.99, 1.0)  # in-fold precision floors tried (a rule's part)
# most specific first. "site…": anchored on the application's own crash site
# (grouping.clean.anchored_key); "site+line": and what its code line does; "statement": the
# crash line itself as written and the type, no function, no file (grouping.clean.statement_key)
KEY_RULES = ("site+line", "site+callee", "site+template", "function", "names", "site",
             "module", "type", "statement")
LABELS = ("site", "fine", "drift")  # what counts as one mined bug (rows_by_codebase)
JOIN = 2.0  # a threshold no cosine distance exceeds: the key alone joins (a deterministic join)
GRID = [round(0.02 * i, 2) for i in range(1, 26)]  # 0.02 … 0.50
SLACK = 0.005  # F1 a more cautious threshold may give up (training.evaluate.CHOICE_SLACK)
# the worst left-out codebase's resolution: about one further issue on a choosing codebase of
# 20-25 bugs (1/20 issues per bug; one more split moves its B-cubed F1 by about 0.01). Rules whose
# worst codebase lies within this of the best worst codebase are tied on the worst case, and the
# median codebase decides between them (`pick`)
WORST_BAND = (0.05, 0.01)  # (issues per bug, B-cubed F1)
MIN_CODEBASES = 2  # fewer choosing codebases than this: the family takes the fallback
NO_VETO = 2.0  # a conflict threshold that never vetoes (cosine distance is at most 2)
# the embedding text's code-line and message shapes, the served (today's) first
# (grouping.clean.LINE_SHAPES, MESSAGE_SHAPES)
LINES = ("raw", "normalized", "operations", "locals")
MESSAGES = ("raw", "template", "type")
# minified gates lab.select may try (grouping.policy.MINIFIED_KEYS; "+join": by key alone)
MINIFIED_GATES = ("fingerprint", "names", "names+join", "path+template", "path+template+join",
                  "values", "values+join", "places", "places+join", "by-platform",
                  "by-platform+join")


class Shape(NamedTuple):
    """The embedding text's shape: frames in it, how the crash line reads (LINES) and how the
    message reads (MESSAGES)."""

    frames: int
    line: str = "raw"
    message: str = "raw"

    @classmethod
    def of(cls, shape: int | tuple) -> Shape:
        """A shape from frames alone (a raw line and message) or a (frames, line, message)."""
        return cls(shape) if isinstance(shape, int) else cls(*shape)

    @property
    def label(self) -> str:
        return f"{self.frames} frames, {self.line} line, {self.message} message"

    def rules(self, rules):
        """`rules` (grouping.rules.Rules) in this shape for every family."""
        return dataclasses.replace(rules, frames=self.frames, line=self.line,
                                   message=self.message)


@dataclass(frozen=True)
class Candidate:
    """A rule: the candidate-key rule, whether conflicting texts never join (the veto), and
    the precision floor its threshold is chosen at."""

    key: str
    veto: bool
    floor: float
    frames: int = 0  # the text shape: frames in the text (0: the grouping rules')
    join: bool = False  # events of one key join whatever their distance (threshold JOIN)
    line: str = "raw"  # the text shape: the crash line (LINES)
    message: str = "raw"  # the text shape: the message (MESSAGES)
    minified: str = ""  # the minified gate tried ("names", "names+join"; "": the served one)

    @property
    def rule(self) -> str:
        """The key rule as the runs read it: with its minified gate where it names one."""
        return f"{self.key}{GATE}{self.minified}" if self.minified else self.key

    @property
    def label(self) -> str:
        shape = f" {self.frames}fr" if self.frames else ""
        shape += "" if self.line == "raw" else f" {self.line[:4]}"
        shape += "" if self.message == "raw" else f" {self.message[:4]}"
        shape += f" min:{self.minified}" if self.minified else ""
        if self.join:
            return f"{self.key} join{'+veto' if self.veto else ''}{shape}"
        return f"{self.key}{'+veto' if self.veto else ''} P>={self.floor:g}{shape}"

    def caution(self) -> tuple:
        """Ties go to the more cautious rule: a distance over a join, more specific key, veto,
        higher floor, fewer frames, the served line and message shapes (raw) first."""
        return (self.join, KEY_RULES.index(self.key) if self.key in KEY_RULES
                else len(KEY_RULES), not self.veto, -self.floor, self.frames,
                LINES.index(self.line), MESSAGES.index(self.message), bool(self.minified))


def candidates(keys: Iterable[str] = KEY_RULES, floors: Iterable[float] = FLOORS,
               vetoes: Iterable[bool] = (False, True), frames: int = 0,
               joins: Iterable[str] = (), line: str = "raw",
               message: str = "raw", gates: Iterable[str] = ("",)) -> list[Candidate]:
    """Every key with and without the veto at every floor, under every minified gate of
    `gates` ("": the served one); `joins`: keys also tried as a deterministic join (no
    distance; with the veto, texts that conflict still never join)."""
    vetoes, gates = list(vetoes), list(gates)
    return ([Candidate(k, v, f, frames, line=line, message=message, minified=g)
             for k in keys for v in vetoes for f in floors for g in gates]
            + [Candidate(k, v, 1.0, frames, join=True, line=line, message=message, minified=g)
               for k in joins for v in vetoes for g in gates])


@dataclass
class Codebase:
    """One codebase's events (metrics.Dataset, one scope per source file) and their vectors."""

    name: str
    family: str
    data: object  # training.metrics.Dataset
    vectors: np.ndarray
    report_only: bool


@dataclass(frozen=True)
class Score:
    """The scorer's figures that the choice reads (metrics.Scores, flattened), and the pair
    precision of ML's own joins: of the pairs it put together that fingerprinting had not, the
    share of one bug. Fingerprinting alone already merges some bugs of real codebases (one
    stack, two faults); no threshold can part those, so the choice judges what ML adds."""

    bugs: int
    issues: int
    precision: float
    f1: float
    join_precision: float = 1.0

    @property
    def issues_per_bug(self) -> float:
        return self.issues / self.bugs if self.bugs else 0.0

    @classmethod
    def of(cls, scores, join_precision: float = 1.0) -> Score:
        return cls(scores.bugs, scores.issues, scores.pairwise_precision, scores.bcubed_f1,
                   join_precision)


def join_precision(ml, fingerprint) -> float:
    """Of the pairs the ML tally holds beyond the fingerprint tally of the same events (ML only
    ever joins whole fingerprints), the share of one bug; 1.0 when it joined none."""
    added = ml.cluster_pairs - fingerprint.cluster_pairs
    return (ml.true_pairs - fingerprint.true_pairs) / added if added else 1.0


GATE = "|minified:"  # a key rule and the minified gate it is tried under: "function|minified:names"


def split_gate(key: str):
    """(key rule, grouping.policy.MinifiedGate) of a run's key: the served gate where the key
    names none; "<key>|minified:<gate key>[+join]" names one (grouping.policy.MINIFIED_KEYS)."""
    from grouping.policy import MINIFIED_GATE, MinifiedGate

    rule, _, gate = key.partition(GATE)
    if not gate:
        return rule, MINIFIED_GATE
    name = gate.removesuffix("+join")
    return rule, MinifiedGate(name, f"minified:{gate}", join=name != gate)


class Runs:
    """Each codebase's clusters per key rule, veto and threshold, simulated once
    (metrics.simulate_ml) and tallied once (metrics.tally); pooled scores add the tallies."""

    def __init__(self) -> None:
        self._keyed: dict[tuple, object] = {}
        self._clusters: dict[tuple, list] = {}
        self._tallies: dict[tuple, object] = {}
        self._fingerprints: dict[str, object] = {}

    def keyed(self, codebase: Codebase, key: str):
        """The codebase's events keyed by the run's key rule and minified gate (split_gate)."""
        from training.evaluate import keyed

        if (codebase.name, key) not in self._keyed:
            rule, gate = split_gate(key)
            self._keyed[codebase.name, key] = keyed(codebase.data, {"default": rule}, gate)
        return self._keyed[codebase.name, key]

    def clusters(self, codebase: Codebase, key: str, veto: bool, threshold: float) -> list:
        from training import metrics

        slot = (codebase.name, key, veto, threshold)
        if slot not in self._clusters:
            self._clusters[slot] = metrics.simulate_ml(
                self.keyed(codebase, key), codebase.vectors, threshold,
                conflict=0.0 if veto else threshold, minified=split_gate(key)[1])
        return self._clusters[slot]

    def fingerprint_tally(self, codebase: Codebase):
        from training import metrics

        if codebase.name not in self._fingerprints:
            self._fingerprints[codebase.name] = metrics.tally(codebase.data.labels,
                                                              codebase.data.hashes)
        return self._fingerprints[codebase.name]

    def tally(self, codebase: Codebase, key: str, veto: bool, threshold: float):
        from training import metrics

        slot = (codebase.name, key, veto, threshold)
        if slot not in self._tallies:
            self._tallies[slot] = metrics.tally(
                codebase.data.labels, self.clusters(codebase, key, veto, threshold))
        return self._tallies[slot]

    def score(self, codebases: Sequence[Codebase], key: str, veto: bool,
              threshold: float) -> Score:
        """The codebases pooled, each its own projects (metrics.Tally adds up)."""
        from training import metrics

        total = fingerprints = None
        for codebase in codebases:
            part, alone = (self.tally(codebase, key, veto, threshold),
                           self.fingerprint_tally(codebase))
            total = part if total is None else total + part
            fingerprints = alone if fingerprints is None else fingerprints + alone
        return Score.of(metrics.scores_of(total), join_precision(total, fingerprints))


def fingerprint_score(codebase: Codebase) -> Score:
    """Fingerprinting alone: one issue per hash."""
    from training import metrics

    return Score.of(metrics.score(codebase.data.labels, codebase.data.hashes))


def choose_threshold(runs: Runs, codebases: Sequence[Codebase], candidate: Candidate,
                     grid: Sequence[float] = GRID, slack: float = SLACK) -> float:
    """On the pooled codebases: the smallest threshold whose B-cubed F1 is within `slack` of
    the best any reaches where ML's joins have pair precision >= the candidate's floor; the
    smallest if none."""
    passing = [(s.f1, t) for t in grid
               if (s := runs.score(codebases, candidate.rule, candidate.veto, t)).join_precision
               >= candidate.floor]
    if not passing:
        return grid[0]
    best = max(f1 for f1, _ in passing)
    return next(t for f1, t in passing if f1 >= best - slack - 1e-9)


@dataclass(frozen=True)
class Fold:
    left_out: str
    threshold: float  # chosen on the others
    score: Score


@dataclass(frozen=True)
class Verdict:
    """A rule judged by its left-out codebases, and its threshold chosen on all of them."""

    candidate: Candidate
    folds: tuple[Fold, ...]
    threshold: float
    kept: bool = False  # the previous rule, which no chosen rule beat on these codebases

    def _values(self, name: str) -> list[float]:
        return [getattr(f.score, name) for f in self.folds]

    @property
    def worst_precision(self) -> float:
        return min(self._values("precision"))

    @property
    def median_precision(self) -> float:
        return statistics.median(self._values("precision"))

    @property
    def worst_join_precision(self) -> float:
        return min(self._values("join_precision"))

    @property
    def median_join_precision(self) -> float:
        return statistics.median(self._values("join_precision"))

    @property
    def worst_issues_per_bug(self) -> float:
        return max(self._values("issues_per_bug"))

    @property
    def median_issues_per_bug(self) -> float:
        return statistics.median(self._values("issues_per_bug"))

    @property
    def worst_f1(self) -> float:
        return min(self._values("f1"))

    @property
    def median_f1(self) -> float:
        return statistics.median(self._values("f1"))

    @property
    def holds(self) -> bool:
        """ML's joins keep the precision target on the worst left-out codebase (so its pair
        precision is at least the target's or fingerprinting's own, the lower)."""
        return self.worst_join_precision >= TARGET_PRECISION

    def rank(self) -> tuple:
        """Smaller is better on the worst case: holding on the worst codebase first (else the
        better worst join precision), then the worst codebase's issues per bug, then its F1,
        then the median F1, then caution and the smaller threshold."""
        return (not self.holds, 0.0 if self.holds else -round(self.worst_join_precision, 3),
                round(self.worst_issues_per_bug, 2), -round(self.worst_f1, 3),
                -round(self.median_f1, 3), self.candidate.caution(), self.threshold)

    def median_rank(self) -> tuple:
        """Smaller is better among rules tied on the worst case (`within_band`): the median
        codebase's issues per bug, then its F1, then the worst case as `rank` reads it."""
        return (round(self.median_issues_per_bug, 2), -round(self.median_f1, 3),
                round(self.worst_issues_per_bug, 2), -round(self.worst_f1, 3),
                self.candidate.caution(), self.threshold)

    def within_band(self, best: Verdict, band: tuple[float, float] = WORST_BAND) -> bool:
        """Tied with `best` on the worst case: both hold, and this rule's worst codebase has at
        most `band` more issues per bug and at most `band` less F1 than `best`'s."""
        issues, f1 = band
        return (self.holds and best.holds
                and self.worst_issues_per_bug <= best.worst_issues_per_bug + issues + 1e-9
                and self.worst_f1 >= best.worst_f1 - f1 - 1e-9)


def leave_one_out(runs: Runs, codebases: Sequence[Codebase], candidate: Candidate,
                  grid: Sequence[float] = GRID) -> Verdict:
    """Each codebase left out in turn: the threshold chosen on the others, scored on it (a
    join's threshold is JOIN: nothing is chosen, the key alone decides)."""
    grid = [JOIN] if candidate.join else grid
    folds = []
    for out in codebases:
        rest = [c for c in codebases if c is not out]
        threshold = choose_threshold(runs, rest, candidate, grid)
        folds.append(Fold(out.name, threshold,
                          runs.score([out], candidate.rule, candidate.veto, threshold)))
    return Verdict(candidate, tuple(folds), choose_threshold(runs, codebases, candidate, grid))


def fixed(runs: Runs, codebases: Sequence[Codebase], candidate: Candidate,
          threshold: float) -> Verdict:
    """A rule at a given threshold (today's), scored on each codebase: nothing chosen."""
    return Verdict(candidate, tuple(
        Fold(c.name, threshold, runs.score([c], candidate.rule, candidate.veto, threshold))
        for c in codebases), threshold)


def pick(verdicts: Sequence[Verdict], band: tuple[float, float] = WORST_BAND) -> Verdict:
    """The rule chosen: the best worst case (`Verdict.rank`); where it holds, of the rules
    tied with it on the worst case (`Verdict.within_band`) the best median codebase
    (`Verdict.median_rank`). A rule better on most codebases is not lost to a worse one for a
    difference on the worst codebase below that codebase's resolution, and the band never lets
    the worst codebase fall further than `band` behind the best."""
    best = min(verdicts, key=Verdict.rank)
    if not best.holds:
        return best
    return min((v for v in verdicts if v.within_band(best, band)), key=Verdict.median_rank)


def no_worse(verdict: Verdict, today: Verdict) -> bool:
    """Never worse than today's rule on the same left-out codebases: ML's join precision at
    least today's (or the target), and worst and median F1 at least today's."""
    return (verdict.worst_join_precision >= min(today.worst_join_precision, TARGET_PRECISION)
            and verdict.worst_f1 >= today.worst_f1 - 1e-9
            and verdict.median_f1 >= today.median_f1 - 1e-9)


@dataclass(frozen=True)
class Selection:
    """Per family the rule chosen, how, and the fallback for families without codebases."""

    chosen: dict[str, Verdict]  # family → its own choice
    fallback: Verdict | None  # None: today's default stays (nothing was no worse)
    fallback_today: Verdict | None
    verdicts: dict[str, list[Verdict]]  # family ("*": across all) → every candidate's
    today: dict[str, Verdict]  # family → today's rule at today's threshold


def admissible(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The verdicts a choice may pick: a rule under a minified gate only where no left-out
    codebase's pair precision falls below the same rule's under the `fingerprint` gate (no ML
    join; where it was not tried, the served gate): minified code without a source map keeps a
    precision no lower than fingerprinting's, whatever else holds."""
    gates = {v.candidate.minified for v in verdicts}
    plain = "fingerprint" if "fingerprint" in gates else ""
    bases = {v.candidate: v for v in verdicts if v.candidate.minified == plain}
    out = []
    for verdict in verdicts:
        if verdict.candidate.minified and verdict.candidate.minified != plain:
            base = bases.get(dataclasses.replace(verdict.candidate, minified=plain))
            if base is None or any(
                    mine.score.precision < theirs.score.precision - 1e-9
                    for mine, theirs in zip(verdict.folds, base.folds, strict=True)):
                continue
        out.append(verdict)
    return out


def todays_rule(today: Callable[[str], tuple], family: str) -> tuple[str, float, bool]:
    """(key rule, threshold, veto) of today's rule: `today` may leave the veto out (none)."""
    key, threshold, *veto = today(family)
    return key, threshold, bool(veto and veto[0])


def cap(grid: Sequence[float], threshold: float, capped: bool) -> list[float]:
    """The grid, up to `threshold` where `capped` (the served model's own threshold: the
    furthest its validation, which has twin faults of one site, kept them apart at)."""
    return [t for t in grid if not capped or t <= threshold + 1e-9] or [grid[0]]


def select(runs: Runs, codebases: Sequence[Codebase], rules: Sequence[Candidate],
           today: Callable[[str], tuple], grid: Sequence[float] = GRID,
           progress: Callable[[str], None] = lambda _: None,
           capped: bool = False, uncapped: Iterable[str] = ()) -> Selection:
    """The choice over the choosing codebases (report-only ones are never read here).
    `today(family)` is today's (key rule, threshold, veto); `capped`: no rule joins further
    than today's threshold (no join by key alone either), except rules keyed by one of
    `uncapped` (keys that part twin faults themselves: "site+line")."""
    uncapped = frozenset(uncapped)

    def capped_for(rule: Candidate) -> bool:
        return capped and rule.key not in uncapped

    choosing = [c for c in codebases if not c.report_only]
    families = sorted({c.family for c in choosing})
    chosen: dict[str, Verdict] = {}
    verdicts: dict[str, list[Verdict]] = {}
    todays: dict[str, Verdict] = {}
    for family in families:
        mine = [c for c in choosing if c.family == family]
        key, threshold, veto = todays_rule(today, family)
        todays[family] = fixed(runs, mine, Candidate(key, veto, 1.0), threshold)
        if len(mine) < MIN_CODEBASES or not rules:  # no rules: a shape built for today's alone
            continue
        verdicts[family] = [leave_one_out(runs, mine, r, cap(grid, threshold, capped_for(r)))
                            for r in rules if not (capped_for(r) and r.join)]
        chosen[family] = pick(admissible(verdicts[family]))
        progress(f"{family}: {chosen[family].candidate.label} at {chosen[family].threshold}")
    fallback = fallback_today = None
    if len(choosing) >= MIN_CODEBASES:
        key, threshold, veto = todays_rule(today, "default")
        fallback_today = fixed(runs, choosing, Candidate(key, veto, 1.0), threshold)
        verdicts["*"] = [leave_one_out(runs, choosing, r, cap(grid, threshold, capped_for(r)))
                         for r in rules if not (capped_for(r) and r.join)]
        acceptable = [v for v in admissible(verdicts["*"]) if no_worse(v, fallback_today)]
        fallback = pick(acceptable) if acceptable else None
        progress(f"fallback: {fallback.candidate.label if fallback else 'today'}")
    return Selection(chosen, fallback, fallback_today, verdicts, todays)


def merge(selections: dict, current: int | Shape,
          served_shape: Callable[[str], int | Shape] | None = None) -> Selection:
    """Selections of several text shapes (frames → its selection) as one: per family the
    choice (`pick`) among every shape's rules; the fallback likewise among those no worse than
    today's rule, which is judged in today's shape (`served_shape(family)`, "default" for the
    fallback, where that shape was built, else `current`); a previous rule kept (`pick` prefers
    it to the choice) keeps that shape. Shapes are Shape, or frames alone (a raw line and
    message)."""
    selections = {Shape.of(shape): selection for shape, selection in selections.items()}
    current = Shape.of(current)
    today = selections[current]
    todays = dict(today.today)
    shapes = dict.fromkeys(todays, current)
    for family in todays:
        shape = Shape.of(served_shape(family)) if served_shape else current
        if shape in selections and family in selections[shape].today:
            todays[family], shapes[family] = selections[shape].today[family], shape
    chosen: dict = {}
    verdicts: dict[str, list[Verdict]] = {}
    for selection in selections.values():
        for family, found in selection.verdicts.items():
            verdicts.setdefault(family, []).extend(found)
        for family, verdict in selection.chosen.items():
            chosen.setdefault(family, []).append(verdict)
    # every shape's rules judged together, as one selection of them all would
    chosen = {family: pick(admissible(verdicts.get(family, [])) or found)
              for family, found in chosen.items()}
    for family, verdict in chosen.items():  # never worse than the previous rule
        previous = todays.get(family)
        if previous is not None and pick([verdict, previous]) is previous:
            shape = shapes[family]
            chosen[family] = dataclasses.replace(previous, kept=True, candidate=dataclasses.replace(
                previous.candidate, frames=shape.frames, line=shape.line, message=shape.message))
    fallback = None
    served_default = selections.get(Shape.of(served_shape("default")) if served_shape
                                    else current)
    fallback_today = (served_default or today).fallback_today or today.fallback_today
    if fallback_today is not None:
        acceptable = [v for v in admissible(verdicts.get("*", []))
                      if no_worse(v, fallback_today)]
        fallback = pick(acceptable) if acceptable else None
    return Selection(chosen, fallback, fallback_today, verdicts, todays)


def source_text(family: str, verdict: Verdict, families: int = 1) -> str:
    """What the issue page says decided: the family's own choice or the fallback."""
    shape = f" on {verdict.candidate.frames} frames" if verdict.candidate.frames else ""
    reads = ([f"its crash line as {verdict.candidate.line}"]
             if verdict.candidate.line != "raw" else [])
    reads += ([] if verdict.candidate.message == "raw"
              else ["its exception type without a library's message"]
              if verdict.candidate.message == "type"
              else [f"its message as a {verdict.candidate.message}"])
    shape += f" ({' and '.join(reads)})" if reads else ""
    rule = f"{verdict.candidate.key}{' with the veto' if verdict.candidate.veto else ''}"
    if verdict.candidate.join:  # no distance read: only the veto reads the text
        return (f"{family}: {verdict.candidate.key} joined by key alone"
                f"{' unless the texts conflict' if verdict.candidate.veto else ''}, chosen "
                f"leaving out each of its {len(verdict.folds)} codebases in turn")
    if verdict.kept:
        return (f"{family}: {rule} at {verdict.threshold:g}, the previous rule, kept: no rule "
                f"chosen leaving out each of its {len(verdict.folds)} codebases in turn did "
                f"better on them")
    if family == "default":
        return (f"fallback: {rule} at {verdict.threshold:g}{shape}, chosen leaving out each of "
                f"{len(verdict.folds)} codebases of {families} platforms in turn")
    return (f"{family}: {rule} at {verdict.threshold:g}{shape}, chosen leaving out each of "
            f"its {len(verdict.folds)} codebases in turn")


def as_rules(selection: Selection, today: Callable[[str], tuple],
             families: int) -> dict:
    """The choice as grouping rules (thresholds, key and conflict thresholds per family,
    "default" the fallback) with the source of each."""
    thresholds, keys, conflicts, sources, frames = {}, {}, {}, {}, {}
    lines, messages = {}, {}
    for family, verdict in sorted(selection.chosen.items()):
        # a join reads no distance, but its veto reads the texts: they keep the shape it was
        # scored in (a join without the veto keeps the family's)
        shaped = not verdict.candidate.join or verdict.candidate.veto
        frames[family] = verdict.candidate.frames if shaped else 0
        lines[family] = verdict.candidate.line if shaped else "raw"
        messages[family] = verdict.candidate.message if shaped else "raw"
        thresholds[family] = verdict.threshold
        keys[family] = verdict.candidate.key
        conflicts[family] = 0.0 if verdict.candidate.veto else NO_VETO
        sources[family] = source_text(family, verdict)
    if selection.fallback is not None:
        verdict = selection.fallback
        frames["default"] = verdict.candidate.frames
        lines["default"], messages["default"] = verdict.candidate.line, verdict.candidate.message
        thresholds["default"], keys["default"] = verdict.threshold, verdict.candidate.key
        conflicts["default"] = 0.0 if verdict.candidate.veto else NO_VETO
        sources["default"] = source_text("default", verdict, families)
        fallback = {"key": verdict.candidate.key, "threshold": verdict.threshold,
                    "veto": verdict.candidate.veto, "floor": verdict.candidate.floor,
                    "frames": verdict.candidate.frames, "line": verdict.candidate.line,
                    "message": verdict.candidate.message,
                    "evidence": _evidence(verdict, selection.fallback_today)}
    else:
        keys["default"], thresholds["default"], veto = todays_rule(today, "default")
        frames["default"] = 0
        lines["default"] = messages["default"] = "raw"
        conflicts["default"] = 0.0 if veto else NO_VETO
        count = len(selection.fallback_today.folds) if selection.fallback_today else 0
        sources["default"] = (
            f"fallback: {keys['default']} at {thresholds['default']:g}, the previous default, "
            f"kept: no rule chosen leaving out each of {count} codebases of {families} "
            f"platforms in turn was no worse on them")
        evidence = sources["default"]
        if selection.fallback_today is not None:
            evidence += "; " + _evidence(selection.fallback_today, None).replace(
                "chose on the rest", "the previous default on each")
        fallback = {"key": keys["default"], "threshold": thresholds["default"], "veto": veto,
                    "evidence": evidence}
    return {"thresholds": thresholds, "key": keys, "conflict_thresholds": conflicts,
            "sources": sources, "fallback": fallback, "frames": frames, "lines": lines,
            "messages": messages}


def _evidence(verdict: Verdict, today: Verdict | None) -> str:
    text = (f"left out each of {len(verdict.folds)} choosing codebases of every platform in "
            f"turn, chose on the rest: worst / median precision of ML's joins "
            f"{verdict.worst_join_precision:.3f} / {verdict.median_join_precision:.3f}, pair "
            f"precision {verdict.worst_precision:.3f} / {verdict.median_precision:.3f}, issues "
            f"per bug "
            f"{verdict.worst_issues_per_bug:.2f} / {verdict.median_issues_per_bug:.2f}, "
            f"B-cubed F1 {verdict.worst_f1:.3f} / {verdict.median_f1:.3f}")
    if today is not None:
        text += (f"; today's default on them: precision of joins "
                 f"{today.worst_join_precision:.3f} / {today.median_join_precision:.3f}, pair "
                 f"precision {today.worst_precision:.3f} / "
                 f"{today.median_precision:.3f}, issues per bug "
                 f"{today.worst_issues_per_bug:.2f} / {today.median_issues_per_bug:.2f}, "
                 f"F1 {today.worst_f1:.3f} / {today.median_f1:.3f}")
    return text


# ---------------------------------------------------------------------------------------------
# Loading, embedding (cached), the CLI


def with_minified(path: Path, minified: Path | None) -> list[dict]:
    """A mined file's rows, and with `minified` (a folder: lab.corpus.MINIFIED) those of its
    codebase's minified releases there (the file of the same name), as one project: the
    bundle's releases follow the codebase's own, and leaving the codebase out leaves them out."""
    from lab.corpus import read_rows

    extra = minified / path.name if minified is not None else None
    return [*read_rows(path), *(read_rows(extra) if extra is not None and extra.exists()
                                else [])]


def rows_by_codebase(generated: Sequence[Path], mined: Sequence[Path],
                     labels: str = "site", minified: Path | None = None) -> dict[str, list]:
    """codebase → [(source, rows)]: a generated corpus's applications (every split) and each
    mined file's codebase. One source is one project. `labels`: "site" counts a mined bug as
    one call site and error type (lab.corpus.site_label), "fine" as the miner labelled it,
    "drift" as site labels closed under drift (lab.corpus.drift_labels). `minified`: also the
    codebases' minified releases in that folder (`with_minified`)."""
    from lab.corpus import corpus_files, drift_labels, site_label
    from lab.generate import corpus

    out: dict[str, list] = {}
    for path in generated:
        by_app: dict[str, list] = {}
        for row in corpus.load(path):
            by_app.setdefault(row["app"], []).append(row)
        for app, rows in by_app.items():
            out.setdefault(app, []).append((Path(path).stem, rows))
    for folder in mined:
        folder = Path(folder)
        files = corpus_files(folder) if folder.is_dir() else [folder]
        for path in files:
            by_app = {}
            rows = with_minified(path, minified)
            if labels == "drift":
                rows = [{**row, "bug": label} for row, label in zip(
                    rows, drift_labels(rows), strict=True)]
            for row in rows:
                if labels == "site":
                    row = {**row, "bug": site_label(row)}
                by_app.setdefault(row["app"], []).append(row)
            for app, rows in by_app.items():
                out.setdefault(app, []).append((path.name, rows))
    return out


def untrained(mined: Sequence[Path]) -> list[Path]:
    """The mined files of `mined` (folders or files) outside training.mined's train group."""
    from lab.corpus import corpus_files
    from training import mined as groups

    files = [p for folder in mined for p in (corpus_files(folder) if Path(folder).is_dir()
                                             else [Path(folder)])]
    return [p for p in files if groups.group_of(p) != groups.TRAIN]


def corpus_digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(str(p) for p in paths):
        digest.update(Path(path).name.encode() + b"\n")
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


class CachedEncoder:
    """Vectors kept on disk per model version and text: reruns embed only new texts."""

    def __init__(self, encoder, folder: Path) -> None:
        self.encoder = encoder
        self.file = folder / f"{encoder.spec.version[:16]}.pkl"
        self.known: dict[str, np.ndarray] = {}
        if self.file.exists():
            with open(self.file, "rb") as handle:
                self.known = pickle.load(handle)

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self.known})
        if missing:
            self.known.update(zip(missing, self.encoder.encode(missing), strict=True))
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with open(self.file.with_suffix(".tmp"), "wb") as handle:
                pickle.dump(self.known, handle)
            os.replace(self.file.with_suffix(".tmp"), self.file)
        if not texts:
            return np.zeros((0, self.encoder.dimension), dtype=np.float32)
        return np.stack([self.known[t] for t in texts])


def build_codebases(sources: dict[str, list], encode: Callable[[list[str]], np.ndarray],
                    rules) -> list[Codebase]:
    from lab.corpus import is_report_only
    from training import metrics

    out = []
    for name, parts in sorted(sources.items()):
        data = metrics.concat([metrics.prepare(rows, rules, scope=f"{name}@{source}")
                               for source, rows in parts])
        family = statistics.mode(data.families)
        out.append(Codebase(name, family, data, encode(data.texts), is_report_only(name)))
        print(f"codebase {name:<28} {family:<11} bugs {len(set(data.labels)):>4} events "
              f"{len(data.labels):>5} {'REPORT-ONLY' if out[-1].report_only else 'choosing'}",
              flush=True)
    return out


def _row(name: str, score: Score) -> str:
    return (f"  {name:<40} {score.bugs:>5} {score.issues_per_bug:>8.2f} {score.precision:>7.3f} "
            f"{score.join_precision:>6.3f} {score.f1:>6.3f}")


def print_verdicts(selection: Selection, out=sys.stdout) -> None:
    print("\n== left-out choosing codebases (each left out in turn, chosen on the rest; x: a "
          "minified gate that lowers a codebase's pair precision, never picked) ==", file=out)
    print(f"  {'family':<10} {'rule':<22} {'thr':>5} {'joinP worst':>11} {'P worst':>8} "
          f"{'P med':>6} {'x/bug worst':>11} {'x/bug med':>9} {'F1 worst':>8} {'F1 med':>6}",
          file=out)
    for family, verdicts in sorted(selection.verdicts.items()):
        today = selection.today.get(family) if family != "*" else selection.fallback_today
        picked = selection.chosen.get(family) if family != "*" else selection.fallback
        allowed = {id(v) for v in admissible(verdicts)}
        rows = ([("today", today)] if today else []) + [
            ("*" if v is picked else " " if id(v) in allowed else "x", v)
            for v in sorted(verdicts, key=Verdict.rank)]
        for mark, v in rows:
            label = "today " + v.candidate.key if mark == "today" else v.candidate.label
            print(f"{mark[:1]} {family:<10} {label:<22} {v.threshold:>5.2f} "
                  f"{v.worst_join_precision:>11.3f} "
                  f"{v.worst_precision:>8.3f} {v.median_precision:>6.3f} "
                  f"{v.worst_issues_per_bug:>11.2f} {v.median_issues_per_bug:>9.2f} "
                  f"{v.worst_f1:>8.3f} {v.median_f1:>6.3f}", file=out)
        if picked:
            for fold in picked.folds:
                print(f"    left out {fold.left_out:<28} thr {fold.threshold:.2f} "
                      f"bugs {fold.score.bugs:>4} x/bug {fold.score.issues_per_bug:.2f} "
                      f"P {fold.score.precision:.3f} joinP {fold.score.join_precision:.3f} "
                      f"F1 {fold.score.f1:.3f}", file=out)
    for family, today in sorted(selection.today.items()):
        if family not in selection.verdicts:
            print(f"  {family}: {len(today.folds)} choosing codebase(s), fewer than "
                  f"{MIN_CODEBASES}: takes the fallback", file=out)


def never_seen(worlds: dict[int, tuple[Runs, list[Codebase]]], columns: dict[str, Callable]
               ) -> dict:
    """Report-only codebases scored by each column (fingerprint, rules): per codebase and per
    family pooled. A column maps a family to (shape, key, veto, threshold), or is None:
    fingerprint; `worlds` holds each text shape's runs and codebases (Shape, or frames)."""
    first = next(iter(worlds))
    report = [c for c in worlds[first][1] if c.report_only]
    table: dict = {}
    for family in sorted({c.family for c in report}):
        mine = [c for c in report if c.family == family]
        for name, rule in columns.items():
            cells = {}
            if rule is not None:
                shape, *choice = rule(family)
                runs, shaped = worlds[shape]
                mine = [c for c in shaped if c.report_only and c.family == family]
            for c in mine:
                cells[c.name] = (fingerprint_score(c) if rule is None
                                 else runs.score([c], *choice))
            if rule is None:
                from training import metrics
                labels = [f"{c.name}|{x}" for c in mine for x in c.data.labels]
                hashes = [f"{c.name}|{x}" for c in mine for x in c.data.hashes]
                cells["all"] = Score.of(metrics.score(labels, hashes))
            else:
                cells["all"] = runs.score(mine, *choice)
            table.setdefault(family, {})[name] = cells
    return table


def print_never_seen(table: dict, out=sys.stdout) -> None:
    print("\n== never seen (report-only codebases: no choice read them) ==", file=out)
    print(f"  {'family / codebase / column':<40} {'bugs':>5} {'x/bug':>8} {'pair-P':>7} "
          f"{'joinP':>6} {'B3-F1':>6}", file=out)
    for family, columns in sorted(table.items()):
        for column, cells in columns.items():
            for codebase, score in cells.items():
                print(_row(f"{family} {codebase} {column}", score), file=out)


def _score_json(score: Score) -> dict:
    return {"bugs": score.bugs, "issues_per_bug": round(score.issues_per_bug, 3),
            "pair_precision": round(score.precision, 4),
            "join_precision": round(score.join_precision, 4), "bcubed_f1": round(score.f1, 4)}


def _verdict_json(v: Verdict) -> dict:
    return {"rule": v.candidate.label, "threshold": v.threshold,
            "worst": {"pair_precision": round(v.worst_precision, 4),
                      "join_precision": round(v.worst_join_precision, 4),
                      "issues_per_bug": round(v.worst_issues_per_bug, 3),
                      "bcubed_f1": round(v.worst_f1, 4)},
            "median": {"pair_precision": round(v.median_precision, 4),
                       "join_precision": round(v.median_join_precision, 4),
                       "issues_per_bug": round(v.median_issues_per_bug, 3),
                       "bcubed_f1": round(v.median_f1, 4)},
            "left_out": {f.left_out: {"threshold": f.threshold, **_score_json(f.score)}
                         for f in v.folds}}


def write_manifest_choices(folder: Path, result: dict, families: Iterable[str]) -> None:
    """The choice of `families` (lab.select's result) into the shipped model's manifest choices
    (thresholds, key rules, conflict thresholds, frames, lines, messages: what
    embeddings.registry and
    grouping.policy read for it), the other families' choices kept, and its checksums."""
    from embeddings import shipped

    path = folder / shipped.MANIFEST
    manifest = json.loads(path.read_text())
    choices = manifest["choices"]
    for family in sorted(families):
        for name, table in (("thresholds", "thresholds"), ("key_rules", "key_rules"),
                            ("conflict_thresholds", "conflict_thresholds"),
                            ("frames", "frames"), ("lines", "lines"),
                            ("messages", "messages")):
            if family in result.get(table, {}):
                choices.setdefault(name, {})[family] = result[table][family]
    provenance = result["provenance"]
    record = {"families": sorted(families), "command": provenance["command"],
              "date": provenance["date"], "corpus_sha256": provenance["corpus_sha256"],
              "choosing_codebases": provenance["choosing_codebases"],
              "sources": {f: result["sources"][f] for f in sorted(families)}}
    earlier = standing(choices.get("chosen_by", {}).get("lab.select"), families)
    choices["chosen_by"] = {
        **{k: v for k, v in choices.get("chosen_by", {}).items() if k != "lab.select"},
        "lab.select": {**record, **({"earlier": earlier} if earlier else {})}}
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    sums = "".join(f"{shipped.sha256_file(folder / name)}  {name}\n"
                   for name in (shipped.DELTA, shipped.MANIFEST))
    (folder / shipped.SUMS).write_text(sums)
    shipped.load.cache_clear()


def standing(previous: dict | None, rewritten: Iterable[str]) -> list[dict]:
    """The earlier lab.select records of a manifest (`previous` and its `earlier` ones), each
    restricted to the families it still decides once `rewritten` are chosen anew."""
    if not previous:
        return []
    rewritten = set(rewritten)
    out = []
    for record in [{k: v for k, v in previous.items() if k != "earlier"},
                   *previous.get("earlier", [])]:
        families = sorted(set(record.get("families", [])) - rewritten)
        if families:
            out.append({**record, "families": families,
                        "sources": {f: s for f, s in record.get("sources", {}).items()
                                    if f in families}})
    return out


def todays_shape(served: dict | None, rules) -> Callable[[str], Shape]:
    """family → the text shape today's rule serves in: the served rules' frames, lines and
    messages where they name the family (a manifest lab.select wrote), else the grouping
    rules'. Today's rule is judged in this shape, as it serves."""
    from lab.never_seen import shape_for

    return lambda family: Shape(*shape_for(served, family, rules))


def served_rules(path: Path | None, spec) -> dict | None:
    """The rules serving `spec`'s model today (lab.never_seen.load_rules' shape): `path`'s,
    else the manifest's choices of a trained or shipped model (what production reads for it:
    embeddings.registry), else None (the grouping rules)."""
    from lab.never_seen import load_rules

    if path is not None:
        return load_rules(path)
    for manifest in (Path(spec.path) / "manifest.json", Path(spec.path) / "faultline.json"):
        if manifest.is_file() and "choices" in json.loads(manifest.read_text()):
            return load_rules(manifest)
    from embeddings import shipped
    from embeddings.encoder import uses_shipped

    if uses_shipped() and shipped.load().version == spec.version:
        return load_rules(shipped.SHIPPED_DIR / shipped.MANIFEST)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.select", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--corpus", nargs="*", default=[], type=Path,
                        help="generated corpus files (lab.generate.corpus): each app a codebase")
    parser.add_argument("--mined", nargs="*", default=[], type=Path,
                        help="mined corpus folders or files (lab.corpus)")
    parser.add_argument("--model", help="a model directory (default: the configured model)")
    parser.add_argument("--families", nargs="*", help="only these families")
    parser.add_argument("--keys", nargs="*", default=list(KEY_RULES), choices=KEY_RULES,
                        help="candidate-key rules tried")
    parser.add_argument("--joins", nargs="*", default=[], choices=KEY_RULES,
                        help="key rules also tried as a deterministic join (no distance)")
    parser.add_argument("--cap-at-today", action="store_true",
                        help="no rule joins further than today's threshold for its family, and "
                             "none by key alone: the served model chose it on validation that "
                             "has twin faults of one site, which the mined labels count as one")
    parser.add_argument("--uncap", nargs="*", default=[], choices=KEY_RULES,
                        help="with --cap-at-today: key rules the cap does not hold (keys that "
                             "part twin faults of one site themselves: site+line)")
    parser.add_argument("--veto-only", action="store_true",
                        help="only rules with the conflict veto (grouping.conflict: twins of "
                             "one site, which the mined labels count as one bug, stay apart)")
    parser.add_argument("--today", type=Path,
                        help="the rules serving today (a manifest, lab.select's JSON or "
                             "grouping/tuned_rules.json; default: the model's manifest where "
                             "it has one, else the grouping rules)")
    parser.add_argument("--frames", nargs="*", type=int, default=[],
                        help="text shapes tried: frames in the text (default: the rules')")
    parser.add_argument("--lines", nargs="*", default=[], choices=LINES,
                        help="text shapes tried: the crash line as written (raw), with its "
                             "locals and literals as placeholders (normalized), or as the calls "
                             "and attributes it reads (operations); default: the rules'")
    parser.add_argument("--messages", nargs="*", default=[], choices=MESSAGES,
                        help="text shapes tried: the message as written (raw) or as its "
                             "template; default: the rules'")
    parser.add_argument("--minified", nargs="*", default=[], choices=MINIFIED_GATES,
                        help="minified gates tried beside the served one, for minified browser "
                             "or Node JavaScript without a source map "
                             "(grouping.policy.MINIFIED_KEYS; +join: the gate's key alone "
                             "joins, its distance not read)")
    parser.add_argument("--max-threshold", type=float, default=GRID[-1],
                        help="the largest threshold tried")
    parser.add_argument("--labels", choices=LABELS, default="site",
                        help="what counts as one mined bug: site (lab.corpus.site_label), fine "
                             "(the miners'), drift (site labels closed under drift)")
    parser.add_argument("--without-trained", action="store_true",
                        help="leave out the mined codebases of training.mined's train group "
                             "(a model trained on them is never chosen for on them)")
    parser.add_argument("--with-minified", action="store_true",
                        help="also the Node codebases' releases shipped as minified esbuild "
                             "bundles (lab/corpus/minified, lab.mine.js --bundled), each with "
                             "its codebase")
    parser.add_argument("--cache", type=Path, default=Path("var/select/cache"))
    parser.add_argument("--out", type=Path, default=Path("var/select"))
    parser.add_argument("--write-rules", action="store_true",
                        help="write the choice into grouping/tuned_rules.json (stock model)")
    parser.add_argument("--write-manifest", action="store_true",
                        help="write the families chosen anew into the shipped model's manifest "
                             "(what production reads for it; the shipped model only)")
    parser.add_argument("--manifest-families", nargs="*", default=None,
                        help="with --write-manifest: only these families' choices (\"default\": "
                             "the fallback); the others stay as served (those the report-only "
                             "codebases did not bear out)")
    args = parser.parse_args(argv)
    from lab import setup_django

    setup_django()
    from embeddings.encoder import Encoder, ModelSpec, current_spec, model_version
    from grouping import rules as grouping_rules
    from grouping.families import for_family
    from lab.never_seen import rule_for

    spec = (ModelSpec(Path(args.model).name, args.model, model_version(args.model))
            if args.model else current_spec())
    encoder = CachedEncoder(Encoder(spec), args.cache)
    rules = grouping_rules.CURRENT
    current = Shape(rules.frames_for("default"), rules.line_for("default"),
                    rules.message_for("default"))  # today's shape
    shapes = [Shape(frames, line, message)
              for frames in dict.fromkeys(args.frames or [current.frames])
              for line in dict.fromkeys(args.lines or [current.line])
              for message in dict.fromkeys(args.messages or [current.message])]
    if args.without_trained:
        args.mined = untrained(args.mined)
    from lab.corpus import MINIFIED

    minified = MINIFIED if args.with_minified else None
    sources = rows_by_codebase(args.corpus, args.mined, args.labels, minified)
    if args.families:  # only their codebases are embedded (a codebase's first event's family)
        from grouping.families import family_of

        sources = {name: parts for name, parts in sources.items()
                   if family_of(parts[0][1][0]["event"].get("platform")) in args.families}

    served = served_rules(args.today, spec)

    def today(family: str) -> tuple[str, float, bool]:
        if served is None:
            return (rules.key_for(family), rules.threshold(family),
                    for_family(rules.conflict_thresholds, family, NO_VETO) == 0.0)
        key, veto, threshold = rule_for(served, family)
        return key, threshold, veto

    grid = [t for t in GRID if t <= args.max_threshold + 1e-9]
    worlds: dict[Shape, tuple[Runs, list[Codebase]]] = {}
    selections: dict[Shape, Selection] = {}
    served_shape = todays_shape(served, rules)
    served_families = {family for table in ("frames", "lines", "messages")
                       for family in (served or {}).get(table, {})}
    todays_shapes = {served_shape(family) for family in served_families}
    for shape in sorted(set(shapes) | {current} | todays_shapes):
        print(f"-- text shape: {shape.label}", flush=True)
        shaped = build_codebases(sources, encoder.encode, shape.rules(rules))
        if args.families:
            shaped = [c for c in shaped if c.family in args.families]
        worlds[shape] = (Runs(), shaped)
        vetoes = (True,) if args.veto_only else (False, True)
        tried = (candidates(args.keys, frames=shape.frames, joins=args.joins, vetoes=vetoes,
                            line=shape.line, message=shape.message,
                            gates=["", *args.minified])
                 if shape in shapes else [])
        selections[shape] = select(worlds[shape][0], shaped, tried, today, grid,
                                   progress=lambda text: print(text, flush=True),
                                   capped=args.cap_at_today, uncapped=args.uncap)
    selection = merge(selections, current, served_shape)
    codebases = worlds[current][1]
    families = len({c.family for c in codebases if not c.report_only})
    chosen = as_rules(selection, today, families)
    chosen["frames"] = {f: n or rules.frames_for(f) for f, n in chosen["frames"].items()}
    print_verdicts(selection)

    def new_rule(family: str) -> tuple[Shape, str, bool, float]:
        def of(table: str):
            return chosen[table].get(family, chosen[table]["default"])

        return (Shape(of("frames"), of("lines"), of("messages")),
                chosen["key"].get(family, chosen["key"]["default"]),
                chosen["conflict_thresholds"].get(
                    family, chosen["conflict_thresholds"]["default"]) == 0.0,
                chosen["thresholds"].get(family, chosen["thresholds"]["default"]))

    table = never_seen(worlds, {
        "fingerprint": None,
        "today's rules": lambda f: (served_shape(f) if served_shape(f) in worlds
                                    else current, today(f)[0], today(f)[2], today(f)[1]),
        "chosen rules": new_rule})
    print_never_seen(table)
    files = list(args.corpus) + [p for folder in args.mined for p in (
        sorted(Path(folder).glob("*.jsonl.zst")) if Path(folder).is_dir() else [folder])]
    files += [Path(os.path.relpath(minified / p.name)) for p in files
              if minified is not None and (minified / p.name).exists()]
    provenance = {
        "corpus_sha256": corpus_digest(files),
        "corpora": [str(p) for p in files],
        "command": "python -m lab.select " + shlex.join(sys.argv[1:] if argv is None
                                                         else list(argv)),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ"),
        "model": f"{spec.name}@{spec.version[:12]}",
        "choosing_codebases": sorted(c.name for c in codebases if not c.report_only),
        "report_only_codebases": sorted(c.name for c in codebases if c.report_only),
    }
    result = {
        "thresholds": chosen["thresholds"], "key_rules": chosen["key"],
        "frames": chosen["frames"], "lines": chosen["lines"], "messages": chosen["messages"],
        "conflict_thresholds": chosen["conflict_thresholds"], "sources": chosen["sources"],
        "fallback": chosen["fallback"], "provenance": provenance,
        "left_out": {f: [_verdict_json(v) for v in sorted(vs, key=Verdict.rank)[:5]]
                     for f, vs in selection.verdicts.items()},
        "today": {f: _verdict_json(v) for f, v in selection.today.items()},
        "never_seen": {f: {col: {cb: _score_json(s) for cb, s in cells.items()}
                           for col, cells in cols.items()} for f, cols in table.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"{spec.version[:16]}.json"
    target.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(f"\nwrote {target}")
    print(json.dumps({k: result[k] for k in ("thresholds", "key_rules", "conflict_thresholds",
                                              "frames", "lines", "messages", "sources",
                                              "provenance")}, indent=2))
    gated = sorted(f for f, v in [*selection.chosen.items(), ("default", selection.fallback)]
                   if v is not None and v.candidate.minified)
    if gated and (args.write_manifest or args.write_rules):
        parser.error(f"the choice for {', '.join(gated)} takes a minified gate, which neither "
                     "rules nor manifests carry (grouping.policy.MINIFIED_GATE serves): "
                     "choose without --minified to write")
    if args.write_manifest:
        from embeddings import shipped

        if shipped.load().version != spec.version:
            parser.error("--write-manifest: the model chosen for is not the shipped one")
        fresh = {f for f, v in selection.chosen.items() if not v.kept}
        if selection.fallback is not None:
            fresh.add("default")
        if args.manifest_families is not None:
            fresh &= set(args.manifest_families)
        write_manifest_choices(shipped.SHIPPED_DIR, result, fresh)
        print(f"wrote {shipped.SHIPPED_DIR / shipped.MANIFEST}: {sorted(fresh)}")
    if args.write_rules:
        written = dataclasses.replace(
            rules, key=chosen["key"], thresholds=chosen["thresholds"], frames=chosen["frames"],
            line=chosen["lines"], message=chosen["messages"],
            conflict_thresholds=chosen["conflict_thresholds"], sources=chosen["sources"],
            fallback=chosen["fallback"], provenance=provenance)
        grouping_rules.TUNED_FILE.write_text(written.to_json())
        print(f"wrote {grouping_rules.TUNED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
