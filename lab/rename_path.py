"""The rename path's choice: which statement, distance and release evidence
(grouping.rename) the served path uses, measured on the choice group.

The served key rules read the crash site's function name (grouping.clean.anchored_key), so an
application's own fault splits when a release renames its function or extracts a helper. This
replays the choice group with the served rule (key, threshold, veto, text shape: the shipped
manifest, as lab.errors does) through training.metrics.simulate_ml, without the rename path and
with each candidate path of the grid: where the key finds no match, an existing issue whose
first event's crash *statement* is the new one's (`signature`: the root type, the site's code
line as written or what it does, the message's template, optionally the file's base name),
whose site function differs (or, with `moves`, whose function kept its name in another file and
whose crash line reads as written), within `tight` of it, and only where the evidence says
"rename" rather than "another site" (grouping.rename.EVIDENCE):

- "release": the candidate issue has no event of the new event's release (its site vanished);
- "site": no event of the new event's release in the candidate issue crashed in another site
  function than the new one (one renamed site may join it from several entry points).

The serving criterion (fixed before its results were read; docs/ml-grouping.md, "The rename
path") judges each path on every codebase left out: admissible only where all the path's own
joins are right (into an issue already holding the joining event's bug) and no codebase's
issues per bug rise; the admissible path with the lowest worst, then median, issues per bug
wins, ties to the `release` evidence. The winner is grouping.policy.RENAME_PATH. Report-only
codebases are never read.

    .venv/bin/python -m lab.rename_path --families python node go ruby javascript
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Iterator, Sequence
from pathlib import Path

from grouping.rename import ANY_DISTANCE, EVIDENCE, MOVES, SIGNATURES, RenamePath

TIGHT = (0.1, 0.15, 0.2, 0.3, ANY_DISTANCE)  # the last: the statement alone decides


def own_joins(labels: Sequence[str], clusters: Sequence[int], renamed: Sequence[int]
              ) -> tuple[int, int]:
    """(the path's joins, of them those into an issue that already held an event of the
    joining event's bug): the path's own precision is their ratio."""
    right = sum(any(clusters[j] == clusters[i] and labels[j] == labels[i] for j in range(i))
                for i in renamed)
    return len(renamed), right


def choice_codebases(sources: dict, families: Sequence[str], cache: Path,
                     only: Sequence[str] = ()) -> Iterator[tuple]:
    """Each choice codebase of `families` (never a report-only one) keyed under the served rule
    (the shipped manifest's, as lab.errors reads it): (family, codebase, its keyed dataset, the
    rule (key, veto, threshold), the family's text shape); `only`: these codebases alone."""
    from embeddings.encoder import Encoder, current_spec
    from grouping import rules as grouping_rules
    from grouping.families import family_of
    from lab.corpus import is_report_only
    from lab.never_seen import rule_for
    from lab.select import CachedEncoder, Runs, build_codebases, served_rules, todays_shape

    spec = current_spec()
    served = served_rules(None, spec)
    encoder, runs = CachedEncoder(Encoder(spec), cache), Runs()
    for family in families:
        mine = {name: parts for name, parts in sources.items() if not is_report_only(name)
                and family_of(parts[0][1][0]["event"].get("platform")) == family
                and (not only or name in only or name.split("-", 1)[-1] in only)}
        if not mine:
            continue
        shape = todays_shape(served, grouping_rules.CURRENT)(family)
        rule = rule_for(served, family)
        for codebase in build_codebases(mine, encoder.encode, shape.rules(grouping_rules.CURRENT)):
            yield family, codebase, runs.keyed(codebase, rule[0]), rule, shape


def replayed(data, vectors, rule: tuple, path: RenamePath | None) -> tuple[list[int], list[int]]:
    """(issue per event, the events the path joined) under the served rule with `path`."""
    from lab.select import split_gate
    from training import metrics

    key, veto, threshold = rule
    renamed: list[int] = []
    clusters = metrics.simulate_ml(data, vectors, threshold, conflict=0.0 if veto else threshold,
                                   minified=split_gate(key)[1], rename=path, renamed=renamed)
    return clusters, renamed


def grid() -> list[RenamePath]:
    return [RenamePath(s, t, e, m) for s in SIGNATURES for t in TIGHT for e in EVIDENCE
            for m in MOVES]


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
    then their mean median, then the more cautious (the `release` evidence first, moves last)."""
    worst = [max(scores[n, path].issues_per_bug for n in names) for names in by_family.values()]
    median = [statistics.median(scores[n, path].issues_per_bug for n in names)
              for names in by_family.values()]
    caution = path.caution()
    return (round(statistics.mean(worst), 6), round(statistics.mean(median), 6),
            caution[2], caution[0], caution[1], caution[3])


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
    parser.add_argument("--replay", nargs="*", default=[], metavar="CODEBASE",
                        help="also these choice codebases through the real pipeline (lab.replay, "
                        "a throwaway database under var/replay unless DATABASE_URL is set): the "
                        "served path's simulation must equal it")
    args = parser.parse_args(argv)
    if args.replay:
        from lab.replay import local_database

        with local_database(Path("var/replay")):
            return run(args)
    from lab import setup_django

    setup_django()
    return run(args)


def run(args: argparse.Namespace) -> int:
    from grouping.policy import RENAME_PATH
    from lab.never_seen import moved
    from lab.replay import replay_codebase
    from lab.select import rows_by_codebase, untrained
    from training import metrics

    sources = rows_by_codebase([], untrained(args.mined), labels=args.labels)
    scores, family_of_codebase, paths, own, shown = {}, {}, grid(), {}, set()
    for family, codebase, data, rule, shape in choice_codebases(sources, args.families,
                                                                args.cache):
        if family not in shown:
            key, veto, threshold = rule
            print(f"# {family}: {key}{'+veto' if veto else ''} at {threshold:g}, {shape.label}")
            shown.add(family)
        family_of_codebase[codebase.name] = family
        for path in [None, *paths]:
            clusters, renamed = replayed(data, codebase.vectors, rule, path)
            if path == RENAME_PATH and codebase.name in args.replay:
                live = replay_codebase(sources[codebase.name])
                print(f"  {codebase.name:<18} live, served path: {len(set(live))} issues, "
                      f"simulated {len(set(clusters))}, moved {moved(live, clusters)}",
                      flush=True)
            joins, right = own_joins(data.labels, clusters, renamed)
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
