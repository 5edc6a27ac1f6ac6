"""Simulate a project that learns from its own triage (docs/ml-grouping.md, "Learning from the
project's triage"): the held-out applications of generated corpora (or the mined codebases),
the served model, and a simulated user who answers "likely the same — merge?" suggestions with
the ground truth, wrong now and then.

Each round replays the project's events in arrival order as grouping.ml decides them (candidate
key, conflict veto, the project's threshold), with the answers so far applied as production
applies them: a *merge* joins the two fingerprints' issues, a *not the same* keeps them apart
(grouping.constraints' rule: a candidate is refused when it holds a fingerprint kept apart from
the new one, or when a fingerprint kept apart from it sits in an issue at least as near), and
the threshold is grouping.adapt.choose over the labelled pairs within the policy's bounds. The
user then answers the nearest open suggestion. Reported after 0, 5, 20 and 50 answers: issues
per bug, pair precision and B-cubed F1, and the answers it took to reach issues <= 1.2x bugs at
pair precision >= 0.99 (if it did).

    .venv/bin/python bench/feedback_sim.py var/corpus/corpus-seed13.jsonl --split heldout_app
    .venv/bin/python bench/feedback_sim.py --mined ../mine-py/lab/corpus --mistakes 0.05
    .venv/bin/python bench/feedback_sim.py --choose-band --mined ../mine-*/lab/corpus

`--choose-band` chooses the suggestion band per platform family on left-out codebases instead:
each mined codebase that may be chosen on (not lab.corpus.is_report_only) is left out in turn,
the widest band at which most suggestions of the other codebases (pooled) are true duplicates is
chosen, and the left-out codebase's share at that band is reported; the band chosen on all of
them is the result, and the report-only codebases are scored with it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")

REPORT_AT = (0, 5, 20, 50)
BANDS = [round(0.01 * i, 2) for i in range(1, 11)]  # 0.01 … 0.10: "just beyond"
MOST = 0.75  # "most of them are true duplicates": three in four
MIN_SUGGESTIONS = 5  # a family with fewer suggestions at every band keeps the default
TARGET_ISSUES, TARGET_PRECISION = 1.2, 0.99


class Project:
    """One simulated project: its events (training.metrics.Dataset), their vectors, and
    what its user answered so far."""

    def __init__(self, data, vectors, policy):
        self.data, self.vectors, self.policy = data, vectors, policy
        self.same: list[tuple[str, str]] = []  # fingerprints a user merged
        self.apart: set[frozenset] = set()  # fingerprints kept apart
        self.labels: list[tuple[float, bool]] = []
        self.answered: set[frozenset] = set()
        self.thresholds: dict[str, float] = {}

    def threshold(self, family: str) -> float:
        return self.thresholds.get(family, self.policy.threshold(family))

    def replay(self):
        """(issue per event, open suggestions (distance, new fingerprint, candidate issue's
        fingerprints)) under the answers so far."""
        from grouping.conflict import first_match

        data = self.data
        issue_of: dict[str, int] = {}
        members: dict[int, set[str]] = defaultdict(set)
        by_key: dict[str, list[tuple[int, np.ndarray, str]]] = defaultdict(list)
        rep: dict[int, np.ndarray] = {}
        suggestions = []
        for index, hash_ in enumerate(data.hashes):
            if hash_ in issue_of:
                continue
            family = data.families[index]
            limit = self.threshold(family)
            conflict = min(limit, self.policy.conflict_threshold(family))
            vector = self.vectors[index]
            found = []
            if data.eligible[index]:
                for issue, v, text in by_key[data.keys[index]]:
                    found.append(Candidate(issue, float(1.0 - v @ vector), text))
                found.sort(key=lambda c: c.distance)
                found = [c for c in found[:5] if self.admissible(hash_, c, members, rep, vector)]
            match = first_match(data.texts[index], found, limit, conflict) if found else None
            if match is not None:
                issue = match.issue_id
            else:
                issue = len(members)
                if data.eligible[index]:
                    by_key[data.keys[index]].append((issue, vector, data.texts[index]))
                    rep[issue] = vector
                if found and found[0].distance <= limit + self.policy.suggestion_band(family):
                    suggestions.append((found[0].distance, hash_, found[0].issue_id))
            issue_of[hash_] = issue
            members[issue].add(hash_)
        # the user's merges join issues afterwards, as merges do
        parent = {i: i for i in members}

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for a, b in self.same:
            parent[root(issue_of[a])] = root(issue_of[b])
        clusters = [root(issue_of[h]) for h in data.hashes]
        open_ = [(d, h, members[c]) for d, h, c in suggestions
                 if root(issue_of[h]) != root(c) and frozenset((h, min(members[c])))
                 not in self.answered]
        return clusters, sorted(open_, key=lambda s: s[0])

    def admissible(self, hash_, candidate, members, rep, vector) -> bool:
        held = members[candidate.issue_id]
        if any(frozenset((hash_, h)) in self.apart for h in held):
            return False
        for pair in self.apart:
            inside = pair & held
            if inside and len(pair - held) == 1:
                other = next(iter(pair - held))
                for issue, hashes in members.items():
                    if other in hashes and issue in rep and \
                            float(1.0 - rep[issue] @ vector) <= candidate.distance:
                        return False
        return True

    def answer(self, suggestion, truth: dict[str, str], rng: random.Random, mistakes: float):
        from grouping import adapt

        distance, hash_, candidate = suggestion
        first = min(candidate)
        same = truth[hash_] == truth[first]
        if rng.random() < mistakes:
            same = not same
        self.answered.add(frozenset((hash_, first)))
        if same:
            self.same.append((hash_, first))
            self.apart -= {frozenset((hash_, h)) for h in candidate}
        else:
            self.apart |= {frozenset((hash_, h)) for h in candidate}
        self.labels.append((distance, same))
        family = self.data.families[self.data.hashes.index(hash_)]
        if len(self.labels) >= adapt.MIN_LABELS:
            low, high = self.policy.bounds(family)
            self.thresholds[family] = adapt.choose(self.labels, self.policy.base_threshold(family),
                                                   low, high)


class Candidate:
    def __init__(self, issue_id, distance, text):
        self.issue_id, self.distance, self.text = issue_id, distance, text


def projects(args) -> dict[str, list[dict]]:
    rows: list[dict] = []
    for path in args.corpus:
        from lab.generate.corpus import load

        for row in load(path, (args.split,)):
            rows.append({**row, "app": f"{Path(path).stem}/{row.get('app', '')}"})
    if args.mined:
        from lab.corpus import load_mined

        files = [f for folder in args.mined for f in sorted(Path(folder).glob("*.jsonl.zst"))]
        rows += load_mined(files)
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["app"]].append(row)
    return grouped


def gaps(project: Project, truth: dict[str, str]) -> list[tuple[float, bool]]:
    """(distance beyond the threshold, true duplicate?) of each suggestion at 0 answers."""
    _, open_ = project.replay()
    out = []
    for distance, hash_, candidate in open_:
        family = project.data.families[project.data.hashes.index(hash_)]
        out.append((distance - project.threshold(family), truth[hash_] == truth[min(candidate)]))
    return out


def widest(pooled: list[tuple[float, bool]]) -> float | None:
    """The widest band whose suggestions are mostly true duplicates (None: too few)."""
    chosen = None
    for band in BANDS:
        inside = [same for gap, same in pooled if gap <= band]
        if len(inside) >= MIN_SUGGESTIONS and sum(inside) / len(inside) >= MOST:
            chosen = band
    return chosen


def share(found: list[tuple[float, bool]], band: float) -> str:
    inside = [same for gap, same in found if gap <= band]
    return f"{sum(inside)}/{len(inside)}" if inside else "0/0"


def choose_band(args, policy, encode, prepare) -> int:
    from lab.corpus import is_report_only

    wide = dataclasses.replace(policy, bands=max(BANDS))
    by_family: dict[str, dict[str, list]] = defaultdict(dict)
    for name, rows in sorted(projects(args).items()):
        data = prepare(rows)
        project = Project(data, encode(data.texts), wide)
        truth = dict(zip(data.hashes, data.labels, strict=True))
        family = max(set(data.families), key=data.families.count)
        by_family[family][name] = gaps(project, truth)
    for family, codebases in sorted(by_family.items()):
        choosing = {n: g for n, g in codebases.items() if not is_report_only(n)}
        print(f"{family}: {len(choosing)} choosing codebases, "
              f"{len(codebases) - len(choosing)} report-only")
        for name, found in sorted(choosing.items()):
            others = [x for n, g in choosing.items() if n != name for x in g]
            band = widest(others)
            print(f"  left out {name:32} band {band}  its true duplicates "
                  f"{share(found, band) if band else '-'}")
        pooled = [x for g in choosing.values() for x in g]
        band = widest(pooled)
        print("  pooled true duplicates by band: " + ", ".join(
            f"{b:.2f} {share(pooled, b)}" for b in BANDS))
        print(f"  chosen on all: {band}")
        for name, found in sorted(codebases.items()):
            if name not in choosing and band:
                print(f"  report-only {name:29} true duplicates {share(found, band)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="*")
    parser.add_argument("--split", default="heldout_app")
    parser.add_argument("--mined", nargs="*", default=[])
    parser.add_argument("--mistakes", type=float, default=0.05)
    parser.add_argument("--answers", type=int, default=max(REPORT_AT))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--choose-band", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from grouping.policy import of_model
    from training.metrics import encode, prepare, score

    policy = of_model(None)  # the served (stock) model's policy; a project adjusts nothing yet
    if args.choose_band:
        return choose_band(args, policy, encode, prepare)
    rng = random.Random(args.seed)
    print(f"{'project':44} {'answers':>7} {'x bugs':>7} {'pair P':>7} {'B3 F1':>7} "
          f"{'threshold':>9}  target")
    for name, rows in sorted(projects(args).items()):
        data = prepare(rows)
        if len(set(data.labels)) < 2:
            continue
        project = Project(data, encode(data.texts), policy)
        truth = dict(zip(data.hashes, data.labels, strict=True))
        reached = None
        for answers in range(args.answers + 1):
            clusters, open_ = project.replay()
            scores = score(data.labels, clusters)
            met = (scores.issues_per_bug <= TARGET_ISSUES
                   and scores.pairwise_precision >= TARGET_PRECISION)
            if met and reached is None:
                reached = answers
            if answers in REPORT_AT or (not open_ and answers < max(REPORT_AT)):
                shown = ", ".join(f"{f} {t:.3f}" for f, t in sorted(project.thresholds.items()))
                print(f"{name[:44]:44} {answers:>7} {scores.issues_per_bug:>7.2f} "
                      f"{scores.pairwise_precision:>7.3f} {scores.bcubed_f1:>7.3f} "
                      f"{shown or 'policy':>9}  {'met' if met else ''}", flush=True)
            if not open_:
                print(f"{'':44} no suggestion left after {answers} answers")
                break
            project.answer(open_[0], truth, rng, args.mistakes)
        print(f"{'':44} answers to issues <= {TARGET_ISSUES}x bugs at P >= {TARGET_PRECISION}: "
              f"{reached if reached is not None else 'not reached'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
