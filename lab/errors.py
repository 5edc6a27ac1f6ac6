"""Error analysis of a served rule on the choice group's codebases: what splits one bug into
several issues, and what puts different bugs into one.

Only choosing codebases are read (never the report-only ones: they are scored once, never
studied). For each codebase of a family the rule (key, threshold, conflict threshold, text
shape; the served one unless `--key`, `--threshold`, `--line`, `--message` or `--minified` name
another) is replayed as lab.select scores it (lab.select.Runs: training.metrics.simulate_ml in
arrival order), then:

- **splits**: each issue of a bug after its first, the bug's first event in it against the
  bug's first event, read two ways: the fingerprint components that differ (`causes`: type,
  message template or parameters, crash frame, call path, frame count; what splits minified
  JavaScript, which the fingerprint decides) and what differs in the text and key
  (`split_causes`: the key and why, the message's template, the crash line edited, the chain
  length, the site frame renamed or moved), with one primary cause each (`primary_cause`) so
  that the counts add up; and whether the keys are equal, the cosine distance of the texts,
  whether the frames are minified without a map (grouping.clean.minified_unresolved);
- **wrong merges**: each pair of bugs in one issue: by one fingerprint (no threshold parts
  them), by an ML join, or both, with the event pairs ML added beyond the fingerprints
  (`wrong_pairs_added`), the keys and the distance of their first events.

    .venv/bin/python -m lab.errors --mined lab/corpus --families python [--verbose] \
        [--line normalized --message type]
    .venv/bin/python -m lab.errors --mined lab/corpus --families javascript [--show 4] \
        [--minified fingerprint]
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


def root(event: dict) -> dict:
    """The event's first exception (the root cause), else an empty one."""
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    return exceptions[0] if exceptions else {}


def crash_frame(event: dict) -> dict:
    """The root cause's innermost in-app frame (else its innermost frame)."""
    frames = (root(event).get("stacktrace") or {}).get("frames") or []
    inapp = [f for f in frames if f.get("in_app")]
    return (inapp or frames or [{}])[-1]


def causes(first: dict, other: dict, components: tuple[Sequence[str], Sequence[str]]) -> list[str]:
    """What differs between two events of one bug, read from their fingerprint components
    (grouping.fingerprint.CONFIGURATIONS' default) and their exceptions: the exception type, the
    message's template, its parameters only, the crash frame, the frames above it (the call
    path), the count of frames (an inlined helper or an extra library frame). This is what
    parts a bug where the fingerprint decides (minified JavaScript without a map)."""
    from grouping.clean import message_template

    a, b = components
    out = []
    types = ([c for c in a if c.startswith("type:")], [c for c in b if c.startswith("type:")])
    if types[0] != types[1]:
        out.append("type")
    values = [str(root(first).get("value") or ""), str(root(other).get("value") or "")]
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


def split_causes(a: dict, b: dict, text_a: str, text_b: str, key_a: str, key_b: str) -> list[str]:
    """Why two events of one bug landed in two issues, read from the candidate key and the
    embedding text's parts (several may hold): the candidate key differs (and why), the
    message's template differs, the crash line was edited, the chain of exceptions differs, the
    crash frame was renamed or moved (`_x_step`, `m_service`), or none of these (the texts
    differ elsewhere)."""
    from grouping.clean import message_template

    found = []
    fa, fb = crash_frame(a), crash_frame(b)
    if key_a != key_b:
        if root(a).get("type") != root(b).get("type"):
            found.append("key: exception type")
        elif fa.get("function") != fb.get("function"):
            found.append("key: site function")
        else:
            found.append("key: callee (library frame)")
    if message_template(root(a).get("value") or "") != message_template(root(b).get("value")
                                                                         or ""):
        found.append("message template")
    if (fa.get("context_line") or "").strip() != (fb.get("context_line") or "").strip():
        found.append("crash line edited")
    if len(a.get("exception") or []) != len(b.get("exception") or []):
        found.append("chain length")
    if key_a == key_b and any(fa.get(part) != fb.get(part) for part in ("function", "module")):
        found.append("site frame renamed or moved")
    if not found:
        found.append("other text" if text_a != text_b else "same text (no candidate)")
    return found


def primary_cause(found: list[str]) -> str:
    """One cause per split, for counts that add up: the key first (no distance can join
    then), then the message and the crash line together, either alone, else the rest."""
    if any(c.startswith("key:") for c in found):
        return "key differs"
    message, line = "message template" in found, "crash line edited" in found
    if message or line:
        return ("message and line" if message and line else
                "message only" if message else "line only")
    return "other: " + found[0]


def firsts(labels: Sequence[str], clusters: Sequence[int]) -> dict[tuple[str, int], int]:
    """(bug, issue) → the index of the bug's first event in that issue, in arrival order."""
    out: dict[tuple[str, int], int] = {}
    for index, (label, issue) in enumerate(zip(labels, clusters, strict=True)):
        out.setdefault((label, issue), index)
    return out


def splits(labels: Sequence[str], clusters: Sequence[int]) -> dict[str, list[int]]:
    """bug → its issues in order of arrival, for bugs in more than one issue."""
    issues: dict[str, list[int]] = defaultdict(list)
    for label, issue in firsts(labels, clusters):
        issues[label].append(issue)
    return {label: found for label, found in issues.items() if len(found) > 1}


def merges(labels: Sequence[str], clusters: Sequence[int]) -> dict[int, list[str]]:
    """issue → its bugs in order of arrival, for issues holding more than one bug."""
    bugs: dict[int, list[str]] = defaultdict(list)
    for label, issue in firsts(labels, clusters):
        bugs[issue].append(label)
    return {issue: found for issue, found in bugs.items() if len(found) > 1}


def wrong_pairs_added(indexes: list[int], labels: Sequence[str], hashes: Sequence[str]) -> int:
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


@dataclass
class Findings:
    """A codebase's (or a family's, added up) splits and wrong merges, counted: `split_bugs`
    bugs in several issues, `further` issues beyond each bug's first; `causes` the text causes
    (`split_causes`, any that holds, and "= <primary>" once per further issue), `components`
    the fingerprint components' (`causes`, by "minified"/"key"/"distance"); `merged` issues
    holding several bugs, `merges` their pairs of bugs by kind and "wrong pairs ML added"."""

    split_bugs: int = 0
    further: int = 0
    causes: Counter = field(default_factory=Counter)
    components: Counter = field(default_factory=Counter)
    merged: int = 0
    merges: Counter = field(default_factory=Counter)

    def __add__(self, other: Findings) -> Findings:
        return Findings(self.split_bugs + other.split_bugs, self.further + other.further,
                        self.causes + other.causes, self.components + other.components,
                        self.merged + other.merged, self.merges + other.merges)

    def primaries(self) -> dict[str, int]:
        """The primary causes (one per further issue: they add up to `further`)."""
        return {c[2:]: n for c, n in self.causes.most_common() if c.startswith("= ")}

    def summary(self) -> str:
        return (f"{self.split_bugs} split bugs, {self.further} further issues; primary causes "
                f"{self.primaries()}; any cause "
                f"{ {c: n for c, n in self.causes.most_common() if not c.startswith('= ')} }; "
                f"fingerprint components {dict(self.components.most_common())}; "
                f"{self.merged} issues with several bugs, merges {dict(self.merges)}")


def bug(label: str) -> str:
    """A bug's label without its codebase scope (`scope:label`)."""
    return label.split(":", 1)[-1]


def _texts(data, sides: Sequence[int], verbose: bool, width: int) -> list[str]:
    """The sides' keys and texts: whole, line by line (`verbose`), else on one line each."""
    out = []
    for mark, side in zip("<>", sides, strict=False):
        out.append(f"    {mark} key {data.keys[side][:100]!r}")
        if verbose:
            out += [f"    {mark} {line}" for line in data.texts[side].splitlines()]
        else:
            out.append(f"    {mark} " + data.texts[side].replace("\n", " ⏎ ")[:width])
    return out


def analyse(codebase, key: str, threshold: float, veto: bool, show: int = 3,
            verbose: bool = False, out: Callable[[str], object] = print,
            runs=None) -> Findings:
    """List one codebase's (a lab.select.Codebase) splits (the first `show`, all when
    `verbose`) and wrong merges under the rule, decided as lab.select's Runs decide it; return
    them counted."""
    from grouping.clean import minified_unresolved
    from grouping.fingerprint import CONFIGURATIONS, DEFAULT_CONFIG
    from lab.select import Runs

    runs = runs or Runs()
    data, vectors = runs.keyed(codebase, key), codebase.vectors
    clusters = runs.clusters(codebase, key, veto, threshold)
    first = firsts(data.labels, clusters)
    found = Findings()
    out(f"\n## {codebase.name}: {len(set(data.labels))} bugs, {len(set(clusters))} issues, "
        f"{len(set(data.hashes))} fingerprints")
    for label, issues in sorted(splits(data.labels, clusters).items()):
        found.split_bugs += 1
        head = first[label, issues[0]]
        for issue in issues[1:]:
            other = first[label, issue]
            found.further += 1
            comps = (CONFIGURATIONS[DEFAULT_CONFIG](data.events[head])[1],
                     CONFIGURATIONS[DEFAULT_CONFIG](data.events[other])[1])
            by_components = causes(data.events[head], data.events[other], comps)
            by_text = split_causes(data.events[head], data.events[other], data.texts[head],
                                   data.texts[other], data.keys[head], data.keys[other])
            primary = primary_cause(by_text)
            tag = ("minified" if minified_unresolved(data.events[other]) else
                   "key" if data.keys[head] != data.keys[other] else "distance")
            found.components.update(f"{tag}: {cause}" for cause in by_components)
            found.causes.update(by_text)
            found.causes["= " + primary] += 1
            if verbose or found.further <= show:
                distance = float(1.0 - vectors[head] @ vectors[other])
                out(f"- split {bug(label)} d={distance:.3f} [{tag}] {primary}: "
                    f"{'+'.join(by_text)}; fingerprint: {', '.join(by_components)}")
                for line in _texts(data, (head, other), verbose, 300):
                    out(line)
                gone = [c for c in comps[0] if c not in comps[1]]
                added = [c for c in comps[1] if c not in comps[0]]
                out(f"    fingerprint: - {gone[:4]} + {added[:4]}")
    for issue, bugs in sorted(merges(data.labels, clusters).items()):
        found.merged += 1
        members = [i for i, c in enumerate(clusters) if c == issue]
        found.merges["wrong pairs ML added"] += wrong_pairs_added(members, data.labels,
                                                                  data.hashes)
        for n, a in enumerate(bugs):
            for b in bugs[n + 1:]:
                ia, ib = first[a, issue], first[b, issue]
                pair = [i for i in members if data.labels[i] in (a, b)]
                pairs = sum(data.labels[i] == a for i in pair) * sum(
                    data.labels[i] == b for i in pair)
                added = wrong_pairs_added(pair, data.labels, data.hashes)
                kind = ("fingerprint" if not added else "ML join" if added == pairs
                        else "fingerprint and ML join")
                minified = minified_unresolved(data.events[ia])
                same_key = data.keys[ia] == data.keys[ib]
                found.merges[f"{kind}{' (minified)' if minified else ''}"
                             f"{'' if same_key else ' (keys differ)'}"] += 1
                distance = float(1.0 - vectors[ia] @ vectors[ib])
                out(f"- merge issue {issue} [{kind}: {added} of {pairs} event pairs ML's; "
                    f"minified={minified}; same key={same_key}; d={distance:.3f}] "
                    f"{bug(a)}  <>  {bug(b)}")
                for line in _texts(data, (ia, ib), verbose, 240):
                    out(line)
    out(f"  {codebase.name}: {found.summary()}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.errors",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--mined", nargs="*", default=[Path("lab/corpus")], type=Path)
    parser.add_argument("--families", nargs="*", default=["python", "javascript", "node"])
    parser.add_argument("--codebases", nargs="*", help="only these choosing codebases")
    parser.add_argument("--rules", type=Path,
                        help="the served rules (a manifest or lab.select's JSON; default: what "
                             "serves the current model, lab.select.served_rules)")
    parser.add_argument("--line", help="the crash line's shape (default: the served)")
    parser.add_argument("--message", help="the message's shape (default: the served)")
    parser.add_argument("--key", help="the candidate-key rule (default: the served)")
    parser.add_argument("--threshold", type=float, help="the threshold (default: the served)")
    parser.add_argument("--minified", default="",
                        help="a minified gate to analyse instead of the served one (lab.select "
                             "--minified: fingerprint, names, names+join, ...)")
    parser.add_argument("--with-minified", action="store_true",
                        help="also the Node codebases' minified releases (lab/corpus/minified)")
    parser.add_argument("--with-trained", action="store_true",
                        help="also the codebases of training.mined's train group: no choice "
                        "reads them (lab.select --without-trained), and the shipped model "
                        "trained on the generated corpus, not on them; never the report-only "
                        "ones")
    parser.add_argument("--show", type=int, default=3, help="splits listed per codebase")
    parser.add_argument("--verbose", action="store_true",
                        help="every split, and whole texts line by line")
    parser.add_argument("--cache", type=Path, default=Path("var/select/cache"))
    args = parser.parse_args(argv)
    from lab import setup_django

    setup_django()
    from embeddings.encoder import Encoder, current_spec
    from grouping import rules as grouping_rules
    from grouping.families import family_of
    from lab.corpus import MINIFIED, is_report_only
    from lab.never_seen import rule_for
    from lab.select import (
        GATE,
        CachedEncoder,
        Runs,
        build_codebases,
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
    rules = grouping_rules.CURRENT
    sources = rows_by_codebase([], args.mined if args.with_trained else untrained(args.mined),
                               minified=MINIFIED if args.with_minified else None)
    runs = Runs()
    for family in args.families:
        mine = {name: parts for name, parts in sources.items()
                if not is_report_only(name) and (not args.codebases or name in args.codebases)
                and family_of(parts[0][1][0]["event"].get("platform")) == family}
        shape = todays_shape(served, rules)(family)
        shape = shape._replace(line=args.line or shape.line, message=args.message or shape.message)
        key, veto, threshold = rule_for(served, family)
        key, threshold = args.key or key, args.threshold or threshold
        key += f"{GATE}{args.minified}" if args.minified else ""
        print(f"# {family}: {key}{'+veto' if veto else ''} at {threshold:g}, {shape.label}")
        total = Findings()
        for codebase in build_codebases(mine, encoder.encode, shape.rules(rules)):
            total += analyse(codebase, key, threshold, veto, args.show, args.verbose, runs=runs)
        print(f"\n# {family} all: {total.summary()}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
