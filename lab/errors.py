"""Error analysis of a served rule on the choice group's left-out codebases: what splits one bug
into several issues, and what puts different bugs into one.

Only choosing codebases are read (never the report-only ones: they are scored once, never
studied). For each codebase the served rule (key, threshold, conflict threshold, text shape) is
simulated as lab.select scores it (training.metrics.simulate_ml in arrival order), then:

- **splits**: each issue of a bug after its first, its representative event against the first
  issue's: the fingerprint components that differ, the cause classified from them, whether
  the keys are equal, the cosine distance of the texts, whether the frames are minified
  without a map (grouping.clean.minified_unresolved);
- **wrong merges**: each pair of bugs in one issue: by fingerprint (one hash for both: no
  threshold parts them), by an ML join, or both (the event pairs ML added counted), and the
  distance and keys of their first events.

    .venv/bin/python -m lab.errors --mined lab/corpus --families javascript [--show 3] \
        [--minified names+join]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path


def causes(first: dict, other: dict, components: tuple[Sequence[str], Sequence[str]]) -> list[str]:
    """What differs between two events of one bug, read from their fingerprint components
    (grouping.fingerprint.default_components) and their exceptions: the exception type, the
    message's template, its parameters only, the crash frame, the frames above it (the call
    path), the count of frames (an inlined helper or an extra library frame)."""
    from grouping.clean import message_template

    a, b = components
    out = []
    types = ([c for c in a if c.startswith("type:")], [c for c in b if c.startswith("type:")])
    if types[0] != types[1]:
        out.append("type")
    values = [_root_value(first), _root_value(other)]
    if values[0] != values[1]:
        out.append("message template" if message_template(values[0]) != message_template(
            values[1]) else "message parameters")
    frames = ([c for c in a if c.startswith("frame:")], [c for c in b if c.startswith("frame:")])
    if frames[0] and frames[1] and frames[0][-1] != frames[1][-1]:
        out.append("crash frame")
    if frames[0][:-1] != frames[1][:-1]:
        if len(frames[0]) != len(frames[1]):
            out.append("frame count")
        else:
            out.append("call path")
    return out or ["same fingerprint components"]


def _root_value(event: dict) -> str:
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    return str((exceptions[0] if exceptions else {}).get("value") or "")


def representatives(clusters: Sequence[int]) -> dict[int, int]:
    """issue → the index of its first event (what production embeds for it)."""
    out: dict[int, int] = {}
    for index, issue in enumerate(clusters):
        out.setdefault(issue, index)
    return out


def splits(labels: Sequence[str], clusters: Sequence[int]) -> dict[str, list[int]]:
    """bug → its issues in order of arrival, for bugs in more than one issue."""
    issues: dict[str, list[int]] = defaultdict(list)
    for label, issue in zip(labels, clusters, strict=True):
        if issue not in issues[label]:
            issues[label].append(issue)
    return {label: found for label, found in issues.items() if len(found) > 1}


def merges(labels: Sequence[str], clusters: Sequence[int]) -> dict[int, list[str]]:
    """issue → its bugs, for issues holding more than one bug."""
    bugs: dict[int, list[str]] = defaultdict(list)
    for label, issue in zip(labels, clusters, strict=True):
        if label not in bugs[issue]:
            bugs[issue].append(label)
    return {issue: found for issue, found in bugs.items() if len(found) > 1}


def analyse(codebase, clusters: Sequence[int], show: int,
            out=sys.stdout) -> tuple[Counter, Counter]:
    """Print the codebase's splits and wrong merges; return the split causes and the merge
    kinds counted (one count per extra issue, per pair of bugs)."""
    from grouping.clean import minified_unresolved
    from grouping.fingerprint import default_components

    data, vectors = codebase.data, codebase.vectors
    first = representatives(clusters)
    split_causes: Counter = Counter()
    merge_kinds: Counter = Counter()
    shown = 0
    print(f"\n## {codebase.name}: {len(set(data.labels))} bugs, {len(set(clusters))} issues, "
          f"{len(set(data.hashes))} fingerprints", file=out)
    for label, issues in sorted(splits(data.labels, clusters).items()):
        base = first[issues[0]]
        for issue in issues[1:]:
            index = first[issue]
            comps = (default_components(data.events[base])[1],
                     default_components(data.events[index])[1])
            found = causes(data.events[base], data.events[index], comps)
            minified = minified_unresolved(data.events[index])
            same_key = data.keys[base] == data.keys[index]
            distance = float(1.0 - vectors[base] @ vectors[index])
            tag = "minified" if minified else ("key" if not same_key else "distance")
            for cause in found:
                split_causes[f"{tag}: {cause}"] += 1
            if shown < show:
                shown += 1
                print(f"- split {label.split(':', 1)[-1]} [{tag}; {', '.join(found)}; "
                      f"d={distance:.3f}]", file=out)
                for side in (base, index):
                    print(f"    key {data.keys[side][:100]!r}", file=out)
                    print("    " + data.texts[side].replace("\n", " ⏎ ")[:300], file=out)
                differ = [c for c in comps[1] if c not in comps[0]]
                gone = [c for c in comps[0] if c not in comps[1]]
                print(f"    fingerprint: - {gone[:4]} + {differ[:4]}", file=out)
    for issue, bugs in sorted(merges(data.labels, clusters).items()):
        members = [i for i, c in enumerate(clusters) if c == issue]
        for a_index, a in enumerate(bugs):
            for b in bugs[a_index + 1:]:
                ia = next(i for i in members if data.labels[i] == a)
                ib = next(i for i in members if data.labels[i] == b)
                left = Counter(data.hashes[i] for i in members if data.labels[i] == a)
                right = Counter(data.hashes[i] for i in members if data.labels[i] == b)
                pairs = sum(left.values()) * sum(right.values())
                by_hash = sum(n * right[h] for h, n in left.items())  # one fingerprint
                kind = "fingerprint" if by_hash == pairs else (
                    "ML join" if not by_hash else "fingerprint and ML join")
                minified = minified_unresolved(data.events[ia])
                merge_kinds[f"{kind}{' (minified)' if minified else ''}"] += 1
                distance = float(1.0 - vectors[ia] @ vectors[ib])
                print(f"- merge [{kind}: {pairs - by_hash} of {pairs} event pairs ML's; "
                      f"minified={minified}; same key="
                      f"{data.keys[ia] == data.keys[ib]}; d={distance:.3f}] "
                      f"{a.split(':', 1)[-1]}  <>  {b.split(':', 1)[-1]}", file=out)
                print("    " + data.texts[ia].replace("\n", " ⏎ ")[:240], file=out)
                print("    " + data.texts[ib].replace("\n", " ⏎ ")[:240], file=out)
    print(f"  split causes: {dict(split_causes.most_common())}", file=out)
    print(f"  wrong merges: {dict(merge_kinds)}", file=out)
    return split_causes, merge_kinds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.errors",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--mined", nargs="*", default=[Path("lab/corpus")], type=Path)
    parser.add_argument("--families", nargs="*", default=["javascript"])
    parser.add_argument("--rules", type=Path,
                        default=Path("embeddings/shipped/faultline-grouping/manifest.json"),
                        help="the served rules (a manifest or lab.select's JSON)")
    parser.add_argument("--minified", default="",
                        help="a minified gate to analyse instead of the served one (lab.select "
                             "--minified: names, names+join, ...)")
    parser.add_argument("--show", type=int, default=3, help="splits shown per codebase")
    parser.add_argument("--cache", type=Path, default=Path("var/select/cache"))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    from embeddings.encoder import Encoder, current_spec
    from grouping import rules as grouping_rules
    from grouping.clean import family_of
    from lab.select import (
        GATE,
        CachedEncoder,
        Runs,
        Shape,
        build_codebases,
        rows_by_codebase,
        served_rules,
        untrained,
    )

    spec = current_spec()
    served = served_rules(args.rules, spec) or {}
    encoder = CachedEncoder(Encoder(spec), args.cache)
    sources = rows_by_codebase([], untrained(args.mined))
    sources = {name: parts for name, parts in sources.items()
               if family_of(parts[0][1][0]["event"].get("platform")) in args.families}
    totals: Counter = Counter()
    merged: Counter = Counter()
    for family in args.families:
        def pick(table: str, default, family=family):
            values = served.get(table) or {}
            return values.get(family, values.get("default", default))
        shape = Shape(int(pick("frames", 1)), pick("lines", "raw"), pick("messages", "raw"))
        key, threshold = pick("key_rules", "function"), float(pick("thresholds", 0.02))
        key += f"{GATE}{args.minified}" if args.minified else ""
        veto = float(pick("conflict_thresholds", 2.0)) == 0.0
        print(f"# {family}: {key}{'+veto' if veto else ''} at {threshold:g}, {shape.label}")
        codebases = [c for c in build_codebases(sources, encoder.encode,
                                                shape.rules(grouping_rules.CURRENT))
                     if not c.report_only and c.family == family]
        runs = Runs()
        for codebase in codebases:
            causes_found, kinds = analyse(codebase, runs.clusters(codebase, key, veto, threshold),
                                          args.show)
            totals += causes_found
            merged += kinds
    print(f"\n# all: split causes {dict(totals.most_common())}\n# all: wrong merges "
          f"{dict(merged)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
