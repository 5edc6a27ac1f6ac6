"""The served rules on the choice group's Node codebases with and without their releases shipped
as minified esbuild bundles (lab/corpus/minified, lab.mine.js --bundled): per codebase, issues
per bug, pair precision, ML's join precision and B-cubed F1, under fingerprinting and under the
served rule, on the codebase's own releases, with its bundled releases, and on the bundled
releases alone. Choice codebases only (lab.corpus.is_report_only ones are never read here).

    .venv/bin/python -m lab.bundled [--rules MANIFEST] [--minified GATE] [--codebases ...]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.bundled",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=Path, help="the served rules (default: lab.select's)")
    parser.add_argument("--minified", default="",
                        help="a minified gate instead of the served one (lab.select --minified)")
    parser.add_argument("--codebases", nargs="*", help="only these choice codebases")
    parser.add_argument("--cache", type=Path, default=Path("var/select/cache"))
    args = parser.parse_args(argv)
    from lab import setup_django

    setup_django()
    from embeddings.encoder import Encoder, current_spec
    from grouping import rules as grouping_rules
    from lab.corpus import HERE, MINIFIED, is_report_only
    from lab.never_seen import rule_for
    from lab.select import (
        GATE,
        CachedEncoder,
        Runs,
        build_codebases,
        fingerprint_score,
        rows_by_codebase,
        served_rules,
        todays_shape,
        untrained,
    )

    spec = current_spec()
    served = served_rules(args.rules, spec)
    if served is None:
        parser.error(f"no rules serve model {spec.version}: name them with --rules")
    encoder = CachedEncoder(Encoder(spec), args.cache)
    shape = todays_shape(served, grouping_rules.CURRENT)("node")  # Node codebases
    rules = shape.rules(grouping_rules.CURRENT)
    key, veto, threshold = rule_for(served, "node")
    key += f"{GATE}{args.minified}" if args.minified else ""
    files = [p for p in untrained([HERE]) if (MINIFIED / p.name).exists()
             and not is_report_only(p.name.removesuffix(".jsonl.zst").partition("-")[2])
             and (not args.codebases or p.name.removesuffix(".jsonl.zst").partition("-")[2]
                  in args.codebases)]
    worlds = {"own releases": rows_by_codebase([], files),
              "with bundled": rows_by_codebase([], files, minified=MINIFIED),
              "bundled alone": rows_by_codebase([], [MINIFIED / p.name for p in files])}
    print(f"# node: {key}{'+veto' if veto else ''} at {threshold:g}, {shape.label}")
    for world, sources in worlds.items():
        runs = Runs()
        codebases = build_codebases(sources, encoder.encode, rules)
        for c in codebases:
            fp = fingerprint_score(c)
            ml = runs.score([c], key, veto, threshold)
            print(f"{world:<14} {c.name:<12} bugs {ml.bugs:>3} events {len(c.data.labels):>4} | "
                  f"fingerprint x/bug {fp.issues_per_bug:5.2f} P {fp.precision:.3f} "
                  f"F1 {fp.f1:.3f} | served x/bug {ml.issues_per_bug:5.2f} P {ml.precision:.3f} "
                  f"joinP {ml.join_precision:.3f} F1 {ml.f1:.3f}", flush=True)
        ml = runs.score(codebases, key, veto, threshold)
        print(f"{world:<14} {'all':<12} bugs {ml.bugs:>3} | served x/bug "
              f"{ml.issues_per_bug:5.2f} P {ml.precision:.3f} joinP {ml.join_precision:.3f} "
              f"F1 {ml.f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
