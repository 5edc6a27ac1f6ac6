"""A measurement, not served: a second, release-aware candidate path for a renamed crash site.

The served key rules read the crash site's function name (grouping.clean.anchored_key), so an
application's own fault splits when a release renames its function or extracts a helper. This
replays the choice group with the served rule (key, threshold, veto, text shape: the shipped
manifest, as lab.errors does) and, where the key finds no match, a second path: an existing
issue whose first event's crash *statement* is the new one's (`signature`: the root type, the
site's code line as written or what it does, the message's template, optionally the file's base
name), whose site function differs, within `tight` of it, and only where the evidence says
"rename" rather than "another site" (`EVIDENCE`):

- "release": the candidate issue has no event of the new event's release (its site vanished);
- "site": no event of the new event's release in the candidate issue crashed in another site
  function than the new one (one renamed site may join it from several entry points);
- "site+new": "site", and the new site function was never seen in an earlier release.

The path's parameters are chosen with codebases left out whole, across the families' choice
codebases pooled (a rename path is not a family's): each left out in turn, the candidate that
lowers no choosing codebase's pair precision and leaves the fewest issues on the rest is chosen
(ties: the more cautious), and the left-out codebase scored. The serving criterion (fixed before
its results were read; docs/ml-grouping.md, "The serving criterion") judges each path on every
codebase left out: admissible only where all the path's own joins are right (into an issue
already holding the joining event's bug) and no codebase's issues per bug rise; the admissible
path with the lowest worst, then median, issues per bug wins, ties to the `release` evidence.
Report-only codebases are never read.

    .venv/bin/python -m lab.rename_path --families python node javascript
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SIGNATURES = ("line+file", "line", "operations+file", "operations")  # most cautious first
EVIDENCE = ("release", "site+new", "site")  # most cautious first
TIGHT = (0.1, 2.0)  # 2.0: any distance (cosine distance is at most 2)
LINE_CHARS = 200  # the statement text read: a hostile line is cut, never scanned whole


@dataclass(frozen=True)
class RenamePath:
    """The second path's parameters."""

    signature: str
    tight: float
    evidence: str

    @property
    def label(self) -> str:
        return f"{self.signature} d<={self.tight:g} {self.evidence}"

    def caution(self) -> tuple:
        return (SIGNATURES.index(self.signature), self.tight, EVIDENCE.index(self.evidence))


def signature(event: dict, shape: str) -> tuple[str, str, str]:
    """(statement signature, site function, release) of a normalized event; an empty signature
    where the site has no code line (its site function and release still count as evidence)."""
    from grouping.clean import (
        _file,
        app_site,
        code_line,
        grouping_function,
        grouping_type,
        line_operations,
        message_template,
        scanned_exceptions,
        site_function,
    )
    from monitor import limits

    exceptions = scanned_exceptions(event)
    root = exceptions[0] if exceptions else {}
    site, _ = app_site(event)
    line = " ".join(code_line(site)[:LINE_CHARS].split()) if site else ""
    func = site_function(grouping_function(site)) if site else ""
    release = str(event.get("release") or "")
    if not line:
        return "", func, release
    body = line_operations(line, str(event.get("platform") or "")) \
        if shape.startswith("operations") else line
    value = str(root.get("value") or event.get("message") or "")[:limits.EMBED_MESSAGE_CHARS]
    parts = [grouping_type(root), body, message_template(value)]
    if shape.endswith("+file"):
        parts.append(_file(site).replace("\\", "/").rsplit("/", 1)[-1].split(".")[0])
    return "|".join(parts), func, release


@dataclass
class _State:
    """What the path reads besides the key's candidates, per project (scope)."""

    by_statement: dict = field(default_factory=dict)  # (scope, sig) → [(issue, vector, func)]
    sites_of: dict = field(default_factory=dict)  # issue → {(release, site function)}
    first_release: dict = field(default_factory=dict)  # (scope, func) → first release seen


def _renamed(state: _State, path: RenamePath, scope: str, issue: int, func: str,
             release: str) -> bool:
    """Whether the evidence says a rename of the candidate issue's site, not another site."""
    sites = state.sites_of.get(issue, set())
    if path.evidence == "release":
        return all(r != release for r, _ in sites)
    if any(r == release and f != func for r, f in sites):
        return False
    return path.evidence == "site" or state.first_release.get((scope, func), release) == release


def simulate(data, vectors: np.ndarray, threshold: float, conflict: float, minified,
             path: RenamePath | None) -> tuple[list[int], int, int]:
    """training.metrics.simulate_ml with the second path (None: the served decision alone);
    (issue per event, fingerprints the path joined, of them the joins into an issue that
    already held the joining event's bug: the path's own precision is their ratio)."""
    from grouping.conflict import first_match
    from grouping.policy import replay_policy
    from training.metrics import nearest_within, scope_of

    policy = replay_policy(threshold, conflict, minified=minified)
    state, issue_of_hash, by_key = _State(), {}, {}
    clusters: list[int] = []
    joins = issues = right = 0
    bugs_of: dict[int, set] = {}  # issue → the labels of the events it holds so far
    for index, hash_ in enumerate(data.hashes):
        scope, event = scope_of(data, index), data.events[index]
        sig, func, release = signature(event, path.signature) if path else ("", "", "")
        if hash_ not in issue_of_hash:
            joined, key = None, (scope, data.keys[index])
            family = data.families[index]
            limit = policy.event_threshold(event, family)
            candidates = by_key.get(key, []) if data.eligible[index] else []
            if candidates:
                nearest = nearest_within(candidates, vectors[index], limit)
                match = first_match(data.texts[index], nearest, limit,
                                    policy.event_conflict_threshold(event, family))
                joined = match.issue if match else None
            if joined is None and sig and data.eligible[index]:
                found = sorted((float(1.0 - vector @ vectors[index]), issue)
                               for issue, vector, old in state.by_statement.get((scope, sig), [])
                               if old != func)
                found = [(d, i) for d, i in found if d <= path.tight
                         and _renamed(state, path, scope, i, func, release)]
                if found:
                    joined, joins = found[0][1], joins + 1
                    right += data.labels[index] in bugs_of.get(joined, set())
            if joined is None:
                joined, issues = issues, issues + 1
                if data.eligible[index]:
                    by_key.setdefault(key, []).append((joined, vectors[index], data.texts[index]))
                    if sig:
                        state.by_statement.setdefault((scope, sig), []).append(
                            (joined, vectors[index], func))
            issue_of_hash[hash_] = joined
        clusters.append(issue_of_hash[hash_])
        bugs_of.setdefault(clusters[-1], set()).add(data.labels[index])
        if path:
            state.sites_of.setdefault(clusters[-1], set()).add((release, func))
            state.first_release.setdefault((scope, func), release)
    return clusters, joins, right


def grid() -> list[RenamePath]:
    return [RenamePath(s, t, e) for s in SIGNATURES for t in TIGHT for e in EVIDENCE]


def choose(scores: dict, names: Sequence[str], paths: Sequence[RenamePath]) -> RenamePath | None:
    """On `names`: of the paths that lower no codebase's pair precision (against no path), the
    one with the fewest issues pooled, ties to the more cautious; None when no path removes an
    issue."""
    base = sum(scores[n, None].issues for n in names)
    kept = [p for p in paths if all(scores[n, p].pairwise_precision
                                    >= scores[n, None].pairwise_precision - 1e-9 for n in names)]
    best = min(kept, key=lambda p: (sum(scores[n, p].issues for n in names), p.caution()),
               default=None)
    return best if best and sum(scores[n, best].issues for n in names) < base else None


def own_precision(joins: int, right: int) -> float:
    """The path's own precision: of its joins, those into an issue already holding the joining
    event's bug (1.0 where it joins nothing)."""
    return right / joins if joins else 1.0


def admissible(scores: dict, own: dict, names: Sequence[str], path: RenamePath) -> bool:
    """The serving criterion, fixed before the results were read: each codebase left out in
    turn, the path's own joins are all right and its issues per bug do not rise."""
    return all(own[n, path] == 1.0 and scores[n, path].issues_per_bug
               <= scores[n, None].issues_per_bug + 1e-9 for n in names)


def rank(scores: dict, by_family: dict[str, list[str]], path: RenamePath) -> tuple:
    """Among admissible paths, lower is better: the families' mean worst left-out issues per bug,
    then their mean median, then the more cautious (the `release` evidence first)."""
    worst = [max(scores[n, path].issues_per_bug for n in names) for names in by_family.values()]
    median = [statistics.median(scores[n, path].issues_per_bug for n in names)
              for names in by_family.values()]
    caution = path.caution()
    return (round(statistics.mean(worst), 6), round(statistics.mean(median), 6),
            caution[2], caution[0], caution[1])


def _figures(rows: list) -> str:
    per_bug = [s.issues_per_bug for s in rows]
    precision = [s.pairwise_precision for s in rows]
    f1 = [s.bcubed_f1 for s in rows]
    return (f"{max(per_bug):.2f} / {statistics.median(per_bug):.2f}, "
            f"{min(precision):.3f} / {statistics.median(precision):.3f}, "
            f"{min(f1):.3f} / {statistics.median(f1):.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.rename_path",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--mined", nargs="*", default=[Path("lab/corpus")], type=Path)
    parser.add_argument("--families", nargs="*", default=["python", "node", "javascript"])
    parser.add_argument("--cache", type=Path, default=Path("var/select/cache"))
    parser.add_argument("--labels", choices=("site", "fine", "drift"), default="site",
                        help="what counts as one mined bug (lab.select --labels)")
    args = parser.parse_args(argv)
    from lab import setup_django

    setup_django()
    from embeddings.encoder import Encoder, current_spec
    from grouping import rules as grouping_rules
    from grouping.families import family_of
    from lab.corpus import is_report_only
    from lab.never_seen import rule_for
    from lab.select import (
        CachedEncoder,
        Runs,
        build_codebases,
        rows_by_codebase,
        served_rules,
        split_gate,
        todays_shape,
        untrained,
    )
    from training import metrics

    spec = current_spec()
    served = served_rules(None, spec)
    encoder = CachedEncoder(Encoder(spec), args.cache)
    sources = rows_by_codebase([], untrained(args.mined), labels=args.labels)
    runs, scores, family_of_codebase, paths, own = Runs(), {}, {}, grid(), {}
    for family in args.families:
        mine = {name: parts for name, parts in sources.items() if not is_report_only(name)
                and family_of(parts[0][1][0]["event"].get("platform")) == family}
        shape = todays_shape(served, grouping_rules.CURRENT)(family)
        key, veto, threshold = rule_for(served, family)
        print(f"# {family}: {key}{'+veto' if veto else ''} at {threshold:g}, {shape.label}")
        for codebase in build_codebases(mine, encoder.encode, shape.rules(grouping_rules.CURRENT)):
            data, family_of_codebase[codebase.name] = runs.keyed(codebase, key), family
            for path in [None, *paths]:
                clusters, joins, right = simulate(data, codebase.vectors, threshold,
                                                  0.0 if veto else threshold,
                                                  split_gate(key)[1], path)
                scores[codebase.name, path] = metrics.score(data.labels, clusters)
                own[codebase.name, path] = own_precision(joins, right)
                if path and joins:
                    print(f"  {codebase.name:<18} {path.label:<32} joins {joins:>3} "
                          f"(own {own[codebase.name, path]:.3f}): "
                          f"{_figures([scores[codebase.name, path]])}")
    names = sorted(family_of_codebase)
    chosen = {n: choose(scores, [m for m in names if m != n], paths) for n in names}
    print("\n== each codebase left out, the path chosen on the rest ==")
    for name in names:
        path = chosen[name]
        print(f"  {name:<18} {path.label if path else 'none':<32} "
              f"{_figures([scores[name, None]])}  ->  {_figures([scores[name, path]])}")
    print("\n== worst / median left-out codebase: issues per bug, pair precision, B3-F1 ==")
    for family in args.families:
        mine = [n for n in names if family_of_codebase[n] == family]
        if mine:
            print(f"  {family:<10} served {_figures([scores[n, None] for n in mine])}  ->  "
                  f"with the path {_figures([scores[n, chosen[n]] for n in mine])}")
    by_family = {f: [n for n in names if family_of_codebase[n] == f] for f in args.families}
    by_family = {f: mine for f, mine in by_family.items() if mine}
    print("\n== the serving criterion: own joins all right and no issues per bug rise on every "
          "left-out codebase ==")
    kept = [p for p in paths if admissible(scores, own, names, p)]
    for path in sorted(kept, key=lambda p: rank(scores, by_family, p)):
        worst, median = rank(scores, by_family, path)[:2]
        print(f"  admissible {path.label:<32} mean worst {worst:.3f}, mean median {median:.3f}")
    for path in paths:
        if path not in kept:
            bad = [n for n in names if own[n, path] < 1.0
                   or scores[n, path].issues_per_bug > scores[n, None].issues_per_bug + 1e-9]
            print(f"  refused    {path.label:<32} on {', '.join(bad)}")
    best = min(kept, key=lambda p: rank(scores, by_family, p), default=None)
    print(f"\n  served by the criterion: {best.label if best else 'none'}")
    cheap = min((p for p in kept if p.evidence == "release"),
                key=lambda p: rank(scores, by_family, p), default=None)
    for path in dict.fromkeys(p for p in (best, cheap) if p):
        print(f"  {path.label}, worst / median left-out codebase:")
        for family, mine in by_family.items():
            print(f"    {family:<10} {_figures([scores[n, None] for n in mine])}  ->  "
                  f"{_figures([scores[n, path] for n in mine])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
