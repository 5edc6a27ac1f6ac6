"""Score a model and its rules on the report-only mined codebases only (lab.corpus.is_report_only):
what a model does to applications no training and no choice read.

Per platform family: each report-only codebase, the family pooled, and the worst and median
codebase (issues per bug, pair precision, B-cubed F1), for fingerprinting alone and for the
model under the given rules. The rules come from a JSON file with `thresholds`, `key_rules`
(or `key`) and `conflict_thresholds` per family ("default" for the others): a shipped
manifest's `choices`, lab.select's `var/select/<version>.json`, or grouping/tuned_rules.json.
A conflict threshold of 0 is the veto (grouping.conflict); scoring is lab.select's
(training.metrics), each family in its text shape as served: the file's `frames` per family
where it has them (a manifest lab.select wrote), else the grouping rules'.

With --replay, each codebase also goes through the real pipeline (lab.replay: raw event,
processing, the ML decision, in arrival order, a fresh project per source) on a throwaway
database, the configured model served as a fresh installation serves it, and is scored the
same way beside the simulation ("live" rows): what the simulation claims, checked end to end.

    .venv/bin/python -m lab.never_seen --rules var/select/X.json [--model DIR | --shipped]
    .venv/bin/python -m lab.never_seen --shipped --rules MANIFEST --replay [--families python]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
from collections.abc import Sequence
from pathlib import Path

from grouping.families import for_family


def load_rules(path: Path) -> dict:
    """thresholds, keys and conflict thresholds from any of the three files."""
    data = json.loads(path.read_text())
    data = data.get("choices", data)
    return {"thresholds": data["thresholds"],
            "keys": data.get("key_rules") or data.get("key") or {},
            "conflicts": data.get("conflict_thresholds") or {},
            "frames": {f: int(n) for f, n in (data.get("frames") or {}).items() if int(n) > 0},
            "lines": dict(data.get("lines") or {}), "messages": dict(data.get("messages") or {})}


def frames_for(rules: dict | None, family: str, default) -> int:
    """The family's frames under `rules` (their `frames` per family) laid over `default`'s
    (the grouping rules'), read as grouping.policy.shaped lays them over and serves them."""
    own = default.frames if isinstance(default.frames, dict) else {"default": default.frames}
    return for_family({**own, **((rules or {}).get("frames") or {})}, family, 0)


def shape_for(rules: dict | None, family: str, default) -> tuple[int, str, str]:
    """The family's text shape under `rules` (frames, crash line and message shapes: their
    `frames`, `lines`, `messages` per family over `default`'s, the grouping rules', as
    grouping.policy.shaped lays them over)."""
    def of(table: str, own: str | dict) -> str:
        merged = {**(own if isinstance(own, dict) else {"default": own}),
                  **((rules or {}).get(table) or {})}
        return for_family(merged, family, "raw")

    return (frames_for(rules, family, default), of("lines", default.line),
            of("messages", default.message))


def rule_for(rules: dict, family: str) -> tuple[str, bool, float]:
    """(key rule, veto, threshold) of a family under `rules`."""
    def of(table: dict, default):
        return for_family(table, family, default)

    threshold = of(rules["thresholds"], 0.04)
    conflict = of(rules["conflicts"], threshold)
    return of(rules["keys"], "function"), conflict == 0.0, threshold


def summary(cells: dict) -> dict:
    """Worst and median codebase of a family's cells (codebase → Score; "all" left out)."""
    scores = [s for name, s in cells.items() if name != "all"]
    return {"worst": {"issues_per_bug": max(s.issues_per_bug for s in scores),
                      "pair_precision": min(s.precision for s in scores),
                      "bcubed_f1": min(s.f1 for s in scores)},
            "median": {"issues_per_bug": statistics.median(s.issues_per_bug for s in scores),
                       "pair_precision": statistics.median(s.precision for s in scores),
                       "bcubed_f1": statistics.median(s.f1 for s in scores)}}


def score_table(codebases, rules: dict | None, shapes: dict | None = None) -> dict:
    """family → {codebase or "all" → Score}; `rules` None: fingerprinting alone. `shapes`:
    family → that family's codebases in its text shape (default: `codebases`)."""
    from lab.select import Runs, Score, fingerprint_score
    from training import metrics

    runs = Runs()
    table: dict = {}
    for family in sorted({c.family for c in codebases}):
        mine = [c for c in (shapes or {}).get(family, codebases) if c.family == family]
        if rules is None:
            cells = {c.name: fingerprint_score(c) for c in mine}
            # labels and hashes carry their codebase's scope: pooled, they never meet
            cells["all"] = Score.of(metrics.score([x for c in mine for x in c.data.labels],
                                                  [x for c in mine for x in c.data.hashes]))
        else:
            key, veto, threshold = rule_for(rules, family)
            cells = {c.name: runs.score([c], key, veto, threshold) for c in mine}
            cells["all"] = runs.score(mine, key, veto, threshold)
        table[family] = cells
    return table


def moved(live: Sequence, simulated: Sequence) -> int:
    """Events whose issue holds other events live than simulated: 0 when the two groupings are
    the same partition, whatever the issue ids."""
    def members(clusters: Sequence) -> list[frozenset[int]]:
        groups: dict = {}
        for index, cluster in enumerate(clusters):
            groups.setdefault(cluster, set()).add(index)
        return [frozenset(groups[cluster]) for cluster in clusters]

    return sum(a != b for a, b in zip(members(live), members(simulated), strict=True))


def live_table(codebases, sources: dict[str, list], rules: dict | None = None
               ) -> tuple[dict, dict[str, int]]:
    """family → {codebase or "all" → Score} of the real pipeline (lab.replay), scored as the
    simulation is (each codebase's tally against its labels, pooled by adding tallies); and,
    under `rules`, per codebase the events it groups otherwise than the simulation (`moved`)."""
    from lab.replay import replay_codebase
    from lab.select import Runs, Score, join_precision
    from training import metrics

    runs = Runs()
    table: dict = {}
    differ: dict[str, int] = {}
    for family in sorted({c.family for c in codebases}):
        cells, tallies = {}, []
        for c in (c for c in codebases if c.family == family):
            issues = replay_codebase(sources[c.name])
            part, alone = metrics.tally(c.data.labels, issues), runs.fingerprint_tally(c)
            cells[c.name] = Score.of(metrics.scores_of(part), join_precision(part, alone))
            tallies.append((part, alone))
            if rules is not None:
                differ[c.name] = moved(issues, runs.clusters(c, *rule_for(rules, family)))
            print(f"  replayed {c.name}: {len(issues)} events, {len(set(issues))} issues",
                  flush=True)
        total, alone = tallies[0]
        for part, fingerprint in tallies[1:]:
            total, alone = total + part, alone + fingerprint
        cells["all"] = Score.of(metrics.scores_of(total), join_precision(total, alone))
        table[family] = cells
    return table, differ


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.never_seen",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=Path, help="the rules' JSON (none: fingerprint only)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--model", help="a model directory (default: the stock model)")
    which.add_argument("--shipped", action="store_true", help="the shipped model")
    parser.add_argument("--mined", type=Path, default=None, help="default lab/corpus")
    parser.add_argument("--cache", type=Path, default=Path("var/select/cache"))
    parser.add_argument("--json", type=Path, help="write the table here too")
    parser.add_argument("--labels", choices=("site", "fine", "drift"), default="site",
                        help="what counts as one mined bug (lab.select.rows_by_codebase)")
    parser.add_argument("--replay", action="store_true",
                        help="also through the real pipeline, on a throwaway database under "
                        "var/replay unless DATABASE_URL is set (lab.replay)")
    parser.add_argument("--families", help="only these families, comma-separated")
    parser.add_argument("--with-minified", action="store_true",
                        help="also the Node codebases' minified releases (lab/corpus/minified)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    if args.replay:
        from lab.replay import local_database

        with local_database(Path("var/replay")):
            return run(args)
    from lab import setup_django

    setup_django()
    return run(args)


def run(args: argparse.Namespace) -> int:
    from embeddings.encoder import Encoder, ModelSpec, base_spec, model_version, shipped_spec
    from grouping import rules as grouping_rules
    from lab.corpus import HERE, MINIFIED, corpus_files, is_report_only
    from lab.select import CachedEncoder, build_codebases, rows_by_codebase

    if args.model:
        spec = ModelSpec(Path(args.model).name, args.model, model_version(args.model))
    else:
        spec = shipped_spec() if args.shipped else base_spec()
    files = [p for p in corpus_files(args.mined or HERE)
             if is_report_only(p.name.removesuffix(".jsonl.zst").partition("-")[2])]
    rules = grouping_rules.CURRENT
    encoder = CachedEncoder(Encoder(spec), args.cache)
    sources = rows_by_codebase([], files, args.labels,
                               MINIFIED if args.with_minified else None)
    chosen = load_rules(args.rules) if args.rules else None
    worlds: dict[tuple, list] = {}

    def world(shape: tuple[int, str, str]) -> list:
        if shape not in worlds:
            frames, line, message = shape
            shaped = dataclasses.replace(rules, frames=frames, line=line, message=message)
            worlds[shape] = [c for c in build_codebases(sources, encoder.encode, shaped)
                             if c.report_only]
        return worlds[shape]

    codebases = world(shape_for(None, "default", rules))
    wanted = set(args.families.split(",")) if args.families else {c.family for c in codebases}
    codebases = [c for c in codebases if c.family in wanted]
    shapes = {family: world(shape_for(chosen, family, rules))
              for family in sorted({c.family for c in codebases})}
    table = score_table(codebases, chosen, shapes)
    live, differ = live_table([c for family, world_of in shapes.items() for c in world_of
                               if c.family == family], sources, chosen) if args.replay else ({}, {})
    label = f"{spec.name}@{spec.version[:12]}" if chosen else "fingerprint"
    print(f"\n== never seen: {label}, rules {args.rules or '-'} ==")
    out: dict = {"model": label, "rules": str(args.rules or ""), "families": {}}
    for family, cells in table.items():
        rule = rule_for(chosen, family) if chosen else None
        frames, line, message = shape_for(chosen, family, rules)
        print(f"{family}: rule {rule}, {frames} frames, {line} line, {message} message")
        for name, s in cells.items():
            print(f"  {name:<20} bugs {s.bugs:>4} x/bug {s.issues_per_bug:5.2f} "
                  f"P {s.precision:.3f} joinP {s.join_precision:.3f} F1 {s.f1:.3f}")
            if name in live.get(family, {}):
                s = live[family][name]
                print(f"  {'  live':<20} bugs {s.bugs:>4} x/bug {s.issues_per_bug:5.2f} "
                      f"P {s.precision:.3f} joinP {s.join_precision:.3f} F1 {s.f1:.3f}"
                      + (f" moved {differ[name]}" if name in differ else ""))
        spread = summary(cells)
        for which_one, values in spread.items():
            print(f"  {which_one:<20} x/bug {values['issues_per_bug']:5.2f} "
                  f"P {values['pair_precision']:.3f} F1 {values['bcubed_f1']:.3f}")
        out["families"][family] = {
            "rule": rule, "shape": [frames, line, message],
            "codebases": {n: _score_json(s) for n, s in cells.items()},
            **{k: {m: round(x, 4) for m, x in v.items()} for k, v in spread.items()}}
        if family in live:
            out["families"][family]["live"] = {
                n: {**_score_json(s), **({"moved": differ[n]} if n in differ else {})}
                for n, s in live[family].items()}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    return 0


def _score_json(s) -> dict:
    return {"bugs": s.bugs, "issues_per_bug": round(s.issues_per_bug, 3),
            "pair_precision": round(s.precision, 4), "join_precision": round(s.join_precision, 4),
            "bcubed_f1": round(s.f1, 4)}


if __name__ == "__main__":
    raise SystemExit(main())
