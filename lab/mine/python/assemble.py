"""From the probes of every release to labelled bugs, the events to capture, and the rows.

A probe says, for each (call site, input class) at each release, whether it raised and its
signature: for each exception of the chain, innermost first, (type, module, function) of the
frame that raised it. A bug is one call site and one way of failing there:

- the input classes of one site whose signature is the same at every release form one bug (all
  non-strings reaching ``yaml.safe_load`` fail in ``Reader.update_raw`` alike: one bug);
- the same bug at every release, even where an upgrade moved or renamed the raising function or
  changed the exception's type (drift, kept and counted);
- two ways of failing at one site are two bugs only if no release confuses them: a candidate
  whose signature at some release is one an accepted bug of the site also has is dropped, so no
  two bugs of a site ever share a signature (labels never contradict the events);
- the same library function raising the same type from two sites: two bugs (hard negatives).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from lab.mine.python import render
from lab.mine.python.codebases import Codebase

MIN_RELEASES = 2
MIN_EVENTS = 3
MAX_EVENTS = 12


@dataclass
class Bug:
    id: str
    site: str
    inputs: list[str]
    signatures: dict[int, str]  # release → signature (JSON)
    crash: dict[int, str]  # release → app | library | other (standard library, generated code)


def _key(signature: list) -> str:
    return json.dumps(signature, separators=(",", ":"))


def decide_bugs(codebase: Codebase, probes: list[list[dict]]) -> list[Bug]:
    vectors: dict[tuple[str, str], dict[int, tuple[str, str]]] = defaultdict(dict)
    for release, records in enumerate(probes):
        for record in records:
            if record["outcome"] == "raised":
                vectors[(record["site"], record["input"])][release] = (
                    _key(record["signature"]), record["crash"])
    candidates: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (site, name), vector in sorted(vectors.items()):
        if len(vector) >= MIN_RELEASES:
            candidates[(site, json.dumps(sorted(vector.items())))].append(name)
    ordered = sorted(candidates.items(),
                     key=lambda item: (item[0][0], -len(json.loads(item[0][1])),
                                       -len(item[1]), item[1][0]))
    taken: dict[str, set[str]] = defaultdict(set)
    bugs: list[Bug] = []
    ids: set[str] = set()
    for (site, vector_json), names in ordered:
        vector = {int(r): tuple(v) for r, v in json.loads(vector_json)}
        signatures = {r: v[0] for r, v in vector.items()}
        if taken[site] & set(signatures.values()):
            continue
        taken[site] |= set(signatures.values())
        first = json.loads(signatures[min(signatures)])[0]
        bug_id = f"{codebase.name}/{site}/{first[0]}@{first[2]}"
        suffix = 2
        while bug_id in ids:
            bug_id = f"{codebase.name}/{site}/{first[0]}@{first[2]}#{suffix}"
            suffix += 1
        ids.add(bug_id)
        bugs.append(Bug(bug_id, site, names, signatures, {r: v[1] for r, v in vector.items()}))
    return bugs


def plan_events(codebase: Codebase, bugs: list[Bug]) -> dict[int, list[dict]]:
    """Per release, the events to capture: 1–3 per release a bug fires in (2–3 where it fires
    in only two), 3–12 in all, over its input classes and the codebase's entry points."""
    plans: dict[int, list[dict]] = defaultdict(list)
    for bug in bugs:
        releases = sorted(bug.signatures)
        least = 2 if len(releases) == 2 else 1
        for release in releases:
            count = least + render._draw(codebase.name, bug.id, release, "count") % (4 - least)
            for i in range(count):
                draw = render._draw(codebase.name, bug.id, release, i)
                name = bug.inputs[draw % len(bug.inputs)]
                plans[release].append({
                    "bug": bug.id, "site": bug.site, "input": name,
                    "n": 1 + render._draw(codebase.name, bug.id, release, i, "n") % 99999,
                    "entry": codebase.entries[(draw // 7 + i) % len(codebase.entries)],
                    "signature": bug.signatures[release], "crash": bug.crash[release],
                })
    return dict(plans)


def crash_of(event: dict) -> str:
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    last = frames[-1]
    if last.get("in_app"):
        return "app"
    return "library" if "site-packages" in (last.get("abs_path") or "") else "other"


def rows(codebase: Codebase, captured: dict[int, list[dict]]) -> tuple[list[dict], dict]:
    """The corpus rows of the captured events that match their bug's signature and crash label
    (an event that does not is dropped and counted: the entry point changed what was raised)."""
    from lab.mine.python.mine import signature_of_event

    out = []
    dropped = 0
    for release in sorted(captured):
        for item in captured[release]:
            event = item.get("event")
            if (event is None or item.get("captures") != 1
                    or _key(signature_of_event(event)) != item["signature"]
                    or crash_of(event) != item["crash"]):
                dropped += 1
                continue
            version = codebase.versions[release][0]
            out.append({
                "bug": item["bug"], "app": codebase.name, "platform": "python", "split": "mined",
                "release": event.get("release"), "event": event, "site": item["site"],
                "input": item["input"], "entry": item["entry"], "crash": item["crash"],
                "library": codebase.library, "library_version": version,
            })
    per_bug: dict[str, int] = defaultdict(int)
    for row in out:
        per_bug[row["bug"]] += 1
    kept = [row for row in out if per_bug[row["bug"]] >= MIN_EVENTS]
    return kept, {"dropped_events": dropped,
                  "dropped_bugs": sum(1 for n in per_bug.values() if n < MIN_EVENTS)}
