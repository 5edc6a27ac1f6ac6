"""The rename path's wrong joins on choice codebases: for one path (grouping.rename.RenamePath),
each join into an issue that held no event of the joining event's bug, with both events' site
functions and files, releases and statements (as written and what the line does).

Why: lab.rename_path refuses a path on a codebase where one of its joins is wrong; this says
which events those are, so a refinement of the statement can be judged on what it would change
(docs/ml-grouping.md, "The rename path"). Report-only codebases are never read.

    .venv/bin/python -m lab.rename_joins --families go --codebases cronhook \
        --path operations 0.3 site
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from grouping.rename import MOVES, RenamePath, file_of, release_of, site_of, statement


def first_events(clusters: Sequence[int]) -> dict[int, int]:
    """issue → the index of its first event (the one whose vector and statement it keeps)."""
    out: dict[int, int] = {}
    for index, issue in enumerate(clusters):
        out.setdefault(issue, index)
    return out


def wrong_joins(labels: Sequence[str], clusters: Sequence[int], renamed: Sequence[int]
                ) -> list[tuple[int, int]]:
    """(joining event, first event of the issue it joined) for each of the path's joins into an
    issue that held no earlier event of the joining event's bug (lab.rename_path.own_joins)."""
    first = first_events(clusters)
    return [(i, first[clusters[i]]) for i in renamed
            if not any(clusters[j] == clusters[i] and labels[j] == labels[i] for j in range(i))]


def describe(event: dict, label: str) -> str:
    return (f"bug {label} | site {site_of(event)!r} in {file_of(event)!r} | "
            f"release {release_of(event)!r}\n"
            f"        line: {statement(event, 'line')!r}\n"
            f"        ops:  {statement(event, 'operations')!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.rename_joins",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--mined", nargs="*", default=[Path("lab/corpus")], type=Path)
    parser.add_argument("--families", nargs="*", default=["python", "node", "go", "ruby"])
    parser.add_argument("--codebases", nargs="*", default=[], help="only these (default: all)")
    parser.add_argument("--cache", type=Path, default=Path("var/select/cache"))
    parser.add_argument("--path", nargs=3, default=["operations", "2", "site"],
                        metavar=("SIGNATURE", "TIGHT", "EVIDENCE"))
    parser.add_argument("--moves", choices=MOVES, default="line",
                        help="what a function kept in another file needs (grouping.rename)")
    parser.add_argument("--right", action="store_true", help="also print the right joins")
    args = parser.parse_args(argv)
    from lab import setup_django

    setup_django()
    return run(args)


def run(args: argparse.Namespace) -> int:
    from lab.rename_path import choice_codebases, replayed
    from lab.select import rows_by_codebase, untrained

    path = RenamePath(args.path[0], float(args.path[1]), args.path[2], args.moves)
    sources = rows_by_codebase([], untrained(args.mined), labels="site")
    for _family, codebase, data, rule, _shape in choice_codebases(
            sources, args.families, args.cache, args.codebases):
        clusters, renamed = replayed(data, codebase.vectors, rule, path)
        wrong = wrong_joins(data.labels, clusters, renamed)
        print(f"\n## {codebase.name} {path.label}: joins {len(renamed)}, wrong {len(wrong)}")
        shown = [(i, dict(wrong).get(i, first_events(clusters)[clusters[i]]), i in dict(wrong))
                 for i in renamed] if args.right else [(i, j, True) for i, j in wrong]
        for new, old, bad in shown:
            distance = float(1.0 - codebase.vectors[new] @ codebase.vectors[old])
            print(f"  {'WRONG' if bad else 'right'} join, distance {distance:.3f}")
            print(f"    new {describe(data.events[new], data.labels[new])}")
            print(f"    old {describe(data.events[old], data.labels[old])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
