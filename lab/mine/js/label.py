"""Bugs from what discovery saw: a bug is one application call site (a route and the input field
it passes on) with one way of failing there (the error type and the innermost frame that raised
it: file, function, line and column, inside the library or in the application).

Within a release, the families of bad input that fail alike at a site (same type, same raising
frame) are one bug; a family that fails differently (another type, another raising line) is
another bug, even on the same line of application code. Across releases a bug is followed by the
families it holds: a release's failure joins the earlier bug it shares most families with, so an
upgrade that moves or renames the raising code keeps the bug, and an input that fails another way
after an upgrade is labelled with the bug whose failure it now shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

Signature = tuple
SAMPLES = 4


@dataclass
class Bug:
    id: str
    route: str
    field: str
    name: str
    # release -> families failing there, and the crash frame they share
    families: dict[int, list[str]] = field(default_factory=dict)
    crash: dict[int, dict] = field(default_factory=dict)
    signature: dict[int, Signature] = field(default_factory=dict)


def signature_of(attempt: dict) -> Signature:
    crash = attempt["crash"]
    return (attempt["name"], crash["inApp"], crash["file"], crash["function"], crash["lineno"],
            crash["colno"])


def family_signatures(
    discovered: dict[int, dict],
) -> dict[tuple, dict[int, tuple[Signature, dict]]]:
    """(route, field, family) -> release -> (signature, crash) where every sample failed alike
    with an Error that has a stack; a family that failed for some samples only is left out there."""
    by_key: dict[tuple, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for release, found in discovered.items():
        for attempt in found["tries"]:
            if attempt["field"] is None:
                continue
            by_key[(attempt["route"], attempt["field"], attempt["family"])][release].append(attempt)
    out: dict[tuple, dict[int, tuple[Signature, dict]]] = {}
    for key, releases in by_key.items():
        kept = {}
        for release, attempts in releases.items():
            failed = all(a["threw"] and a.get("usable") for a in attempts)
            if len(attempts) != SAMPLES or not failed:
                continue
            signatures = {signature_of(a) for a in attempts}
            if len(signatures) == 1:
                kept[release] = (signatures.pop(), attempts[0]["crash"])
        if kept:
            out[key] = kept
    return out


def bugs_of(codebase: str, discovered: dict[int, dict]) -> list[Bug]:
    families = family_signatures(discovered)
    sites: dict[tuple[str, str], dict[int, dict[Signature, list[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    crashes: dict[Signature, dict] = {}
    for (route, fld, family), seen in sorted(families.items()):
        for release, (sig, crash) in seen.items():
            sites[(route, fld)][release][sig].append(family)
            crashes[sig] = crash
    bugs: list[Bug] = []
    for (route, fld), cells in sorted(sites.items()):
        bugs.extend(_link(codebase, route, fld, cells, crashes))
    return bugs


def _link(codebase: str, route: str, fld: str, cells: dict[int, dict[Signature, list[str]]],
          crashes: dict[Signature, dict]) -> list[Bug]:
    """A site's failures release by release: each (release, signature) cell joins the bug of the
    previous releases whose latest families it shares most (one cell per bug and release)."""
    groups: list[Bug] = []
    for release in sorted(cells):
        latest = {id(g): set(g.families[max(g.families)]) for g in groups}
        pairs = sorted(
            ((len(set(fams) & latest[id(g)]), i, sig, g)
             for sig, fams in cells[release].items() for i, g in enumerate(groups)
             if set(fams) & latest[id(g)]),
            key=lambda p: (-p[0], p[1], p[2]))
        taken_cells: set = set()
        taken_groups: set[int] = set()
        home_of: dict[Signature, Bug] = {}
        for _, i, sig, group in pairs:
            if sig in taken_cells or i in taken_groups:
                continue
            taken_cells.add(sig)
            taken_groups.add(i)
            home_of[sig] = group
        for sig, fams in sorted(cells[release].items()):
            group = home_of.get(sig)
            if group is None:
                group = Bug("", route, fld, sig[0])
                groups.append(group)
            group.signature[release] = sig
            group.crash[release] = crashes[sig]
            group.families[release] = sorted(fams)
    counts: dict[str, int] = defaultdict(int)
    for group in groups:
        counts[group.name] += 1
        suffix = f"-{counts[group.name]}" if counts[group.name] > 1 else ""
        group.id = f"{codebase}/{route}:{fld}:{group.name}{suffix}"
    return groups
