"""Platform families: which family's rule decides an event (`family_of`), and where a
per-family table is read for it (`for_family`). The one home of both: the grouping rules, the
policy production serves, the evaluation replays (training.metrics), the training groups
(training.mined) and lab's choice (lab.select, lab.never_seen) all read a family here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")

# platform (as an event names it) → the family whose rule decides it
FAMILIES = {
    "python": "python", "javascript": "javascript", "node": "node", "java": "java",
    "kotlin": "java", "scala": "java", "groovy": "java", "android": "java", "go": "go",
    "rust": "rust", "ruby": "ruby", "php": "php", "csharp": "dotnet", "dotnet": "dotnet",
    "cocoa": "native", "native": "native", "c": "native", "cpp": "native", "objc": "native",
    "swift": "native", "elixir": "other",
}

# A family that takes another's rule wherever a table (the grouping rules, a manifest's choices,
# a project's adaptation) names none of its own: Node was one family with browser JavaScript
# until its rule was chosen on its own codebases, and older manifests name only "javascript".
FALLBACK_FAMILY = {"node": "javascript"}


def family_of(platform: str | None) -> str:
    """The platform family whose rule decides an event (FAMILIES; "other" for the rest)."""
    return FAMILIES.get((platform or "").lower(), "other")


def family_order(family: str) -> tuple[str, ...]:
    """Where a per-family table is read for `family`: its own entry, then the families it
    falls back to (FALLBACK_FAMILY), then "default"."""
    order = [family]
    while order[-1] in FALLBACK_FAMILY and FALLBACK_FAMILY[order[-1]] not in order:
        order.append(FALLBACK_FAMILY[order[-1]])
    return (*order, "default")


def for_family(table: Mapping[str, T], family: str, fallback: T) -> T:
    """`table`'s entry for `family` in family_order, else `fallback`: the one way every reader
    of a per-family choice (grouping.rules, grouping.policy, training.metrics, lab) looks it
    up, so a Node event is served Node's own rule where one was chosen, else JavaScript's."""
    for name in family_order(family):
        if name in table:
            return table[name]
    return fallback


def root_family(family: str) -> str:
    """The family `family` falls back to last ("javascript" for "node"): the family whose
    codebases are ranked together into training and choice (training.mined), which the split
    of a family's rule does not move."""
    return family_order(family)[-2]
