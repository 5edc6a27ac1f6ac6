"""Error analysis of a served rule on the choice group's codebases: what it splits and merges.

For each choosing (never a report-only) codebase of a family, the rule is replayed as lab.select
scores it (training.metrics.simulate_ml, the production decision path) and two lists are
printed: splits (a bug's issues beyond its first, each with its text beside the bug's first
issue's, their cosine distance and whether the candidate keys differ) and wrong merges (an
issue holding several bugs: joined by one fingerprint, or by ML, and then whether the keys were
equal). Each split is put down to causes (`split_causes`), so the largest can be worked on.
Only the choice group is read: the never-seen codebases are scored once, never analysed.

    .venv/bin/python -m lab.errors --mined lab/corpus --families python [--verbose]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path


def crash_frame(event: dict) -> dict:
    """The root cause's innermost in-app frame (else its innermost frame)."""
    exceptions = event.get("exception") or []
    frames = ((exceptions[0].get("stacktrace") or {}).get("frames") or []) if exceptions else []
    inapp = [f for f in frames if f.get("in_app")]
    return (inapp or frames or [{}])[-1]


def split_causes(a: dict, b: dict, text_a: str, text_b: str, key_a: str, key_b: str) -> list[str]:
    """Why two events of one bug landed in two issues (several may hold): the candidate key
    differs (and why), the message's template differs, the crash line was edited, the chain
    of exceptions differs, the crash frame was renamed or moved (`_x_step`, `m_service`), or
    none of these (the texts differ elsewhere)."""
    from grouping.clean import message_template

    causes = []
    if key_a != key_b:
        fa, fb = crash_frame(a), crash_frame(b)
        ra = (a.get("exception") or [{}])[0]
        rb = (b.get("exception") or [{}])[0]
        if ra.get("type") != rb.get("type"):
            causes.append("key: exception type")
        elif fa.get("function") != fb.get("function"):
            causes.append("key: site function")
        else:
            causes.append("key: callee (library frame)")
    ma = message_template((a.get("exception") or [{}])[0].get("value") or "")
    mb = message_template((b.get("exception") or [{}])[0].get("value") or "")
    if ma != mb:
        causes.append("message template")
    if (crash_frame(a).get("context_line") or "").strip() != (
            crash_frame(b).get("context_line") or "").strip():
        causes.append("crash line edited")
    if len(a.get("exception") or []) != len(b.get("exception") or []):
        causes.append("chain length")
    if key_a == key_b and any(crash_frame(a).get(part) != crash_frame(b).get(part)
                              for part in ("function", "module")):
        causes.append("site frame renamed or moved")
    if not causes:
        causes.append("other text" if text_a != text_b else "same text (no candidate)")
    return causes


def primary_cause(causes: list[str]) -> str:
    """One cause per split, for counts that add up: the key first (no distance can join
    then), then the message and the crash line together, either alone, else the rest."""
    if any(c.startswith("key:") for c in causes):
        return "key differs"
    message, line = "message template" in causes, "crash line edited" in causes
    if message or line:
        return ("message and line" if message and line else
                "message only" if message else "line only")
    return "other: " + causes[0]


def wrong_pairs_added(indexes: list[int], labels: list[str], hashes: list[str]) -> int:
    """Pairs of events of two bugs that one issue holds beyond those its fingerprints held
    alone (ML joins whole fingerprints: what it added)."""
    def wrong(members: list[int]) -> int:
        counts = Counter(labels[i] for i in members)
        total = sum(counts.values())
        return (total * total - sum(n * n for n in counts.values())) // 2

    by_hash: dict[str, list[int]] = defaultdict(list)
    for i in indexes:
        by_hash[hashes[i]].append(i)
    return wrong(indexes) - sum(wrong(members) for members in by_hash.values())


def analyse(codebase, key: str, threshold: float, veto: bool, verbose: bool = False,
            out=print) -> tuple[Counter, Counter, int, int]:
    """(split causes, merge causes, split bugs, wrongly merged issues) of one codebase (a
    lab.select.Codebase) under the rule, decided as lab.select's Runs decide it."""
    from training import metrics
    from training.evaluate import keyed

    data = keyed(codebase.data, {"default": key})
    vectors = codebase.vectors
    clusters = metrics.simulate_ml(data, vectors, threshold,
                                   conflict=0.0 if veto else threshold)
    by_bug: dict[str, list[int]] = defaultdict(list)
    by_issue: dict[int, list[int]] = defaultdict(list)
    for index, (label, issue) in enumerate(zip(data.labels, clusters, strict=True)):
        by_bug[label].append(index)
        by_issue[issue].append(index)
    splits, merges = Counter(), Counter()
    split_bugs = merged = 0
    for label, indexes in sorted(by_bug.items()):
        firsts: dict[int, int] = {}
        for index in indexes:
            firsts.setdefault(clusters[index], index)
        if len(firsts) < 2:
            continue
        split_bugs += 1
        head, *rest = list(firsts.values())
        for other in rest:
            distance = float(1.0 - vectors[head] @ vectors[other])
            causes = split_causes(data.events[head], data.events[other], data.texts[head],
                                  data.texts[other], data.keys[head], data.keys[other])
            splits.update(causes)
            splits["= " + primary_cause(causes)] += 1
            if verbose:
                out(f"SPLIT {codebase.name} {label} d={distance:.3f} {'+'.join(causes)}\n"
                    f"  key {data.keys[head]!r} | {data.keys[other]!r}\n"
                    + "\n".join(f"  < {line}" for line in data.texts[head].splitlines())
                    + "\n" + "\n".join(f"  > {line}" for line in data.texts[other].splitlines()))
    for issue, indexes in sorted(by_issue.items()):
        bugs = {data.labels[i] for i in indexes}
        if len(bugs) < 2:
            continue
        merged += 1
        added = wrong_pairs_added(indexes, data.labels, data.hashes)
        merges["wrong pairs ML added"] += added
        merges["ML join of two bugs' fingerprints" if added else
               "one fingerprint (ML cannot part)"] += 1
        if added and len({data.keys[i] for i in indexes}) > 1:
            merges["(keys differ)"] += 1
        if verbose:
            out(f"MERGE {codebase.name} issue {issue}: {sorted(bugs)}; wrong pairs ML added "
                f"{added}")
            seen = set()
            for i in indexes:
                if data.labels[i] not in seen:
                    seen.add(data.labels[i])
                    out(f"  [{data.labels[i]}] key {data.keys[i]!r} "
                        f"{data.texts[i].splitlines()[0][:150]}")
    return splits, merges, split_bugs, merged


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.errors",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--mined", nargs="*", default=[Path("lab/corpus")], type=Path)
    parser.add_argument("--families", nargs="*", default=["python"])
    parser.add_argument("--cache", type=Path, default=Path("var/select/cache"))
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--codebases", nargs="*", help="only these choosing codebases")
    parser.add_argument("--line", help="the crash line's shape (default: the served)")
    parser.add_argument("--message", help="the message's shape (default: the served)")
    parser.add_argument("--key", help="the candidate-key rule (default: the served)")
    parser.add_argument("--threshold", type=float, help="the threshold (default: the served)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    from embeddings.encoder import Encoder, current_spec
    from grouping import rules as grouping_rules
    from grouping.clean import family_of
    from lab.never_seen import rule_for
    from lab.select import (
        CachedEncoder,
        Shape,
        build_codebases,
        rows_by_codebase,
        served_rules,
        todays_shape,
        untrained,
    )

    spec = current_spec()
    encoder = CachedEncoder(Encoder(spec), args.cache)
    rules = grouping_rules.CURRENT
    served = served_rules(None, spec)
    sources = rows_by_codebase([], untrained(args.mined))
    for family in args.families:
        from lab.corpus import is_report_only

        mine = {name: parts for name, parts in sources.items()
                if not is_report_only(name) and (not args.codebases or name in args.codebases)
                and family_of(parts[0][1][0]["event"].get("platform")) == family}
        shape: Shape = todays_shape(served, rules)(family)
        key, veto, threshold = rule_for(served, family)
        shape = shape._replace(line=args.line or shape.line, message=args.message or shape.message)
        key, threshold = args.key or key, args.threshold or threshold
        print(f"== {family}: {key}{' + veto' if veto else ''} at {threshold} in {shape.label}")
        codebases = build_codebases(mine, encoder.encode, shape.rules(rules))
        total_splits, total_merges, total_bugs = Counter(), Counter(), 0
        for codebase in codebases:
            splits, merges, split_bugs, merged = analyse(codebase, key, threshold, veto,
                                                         args.verbose)
            bugs = len(set(codebase.data.labels))
            print(f"{codebase.name}: {bugs} bugs, {split_bugs} split, {merged} issues with "
                  f"several bugs; splits {dict(splits)}; merges {dict(merges)}")
            total_splits += splits
            total_merges += merges
            total_bugs += split_bugs
        pairs = sum(n for cause, n in total_splits.items() if cause.startswith("= "))
        print(f"{family} all: {total_bugs} split bugs, {pairs} split issues; splits "
              f"{total_splits.most_common()}; "
              f"merges {total_merges.most_common()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
