"""Evidence that two stack traces which embed alike are still two faults (pure functions).

Twin faults of one application often share the exception type, the crash function and most of
the stack, and differ in one noun: the message's ("hook <int> not found" vs "target <int> not
found", "e.retry.map is not a function" vs "e.size.map …") or the data the crash line names
(`data["lon"]` vs `data["sample"]`). A model that never saw the application's nouns puts such
twins closer than a release's edits put one fault (bench/transfer.py). So a pair *conflicts*
when, in the cleaned texts (grouping.clean, root cause first):
- the root cause's header differs once its data is masked: numbers and ids are placeholders
  already; quoted strings (paths, user input, keys) and one- or two-character names (minified
  identifiers, which change per release) are masked too, so what varies between events of one
  fault does not count;
- or each crash line names a string literal the other does not (a release that adds an
  argument names a superset: `open(data["lat_path"], encoding="utf-8")`).
A conflicting pair must be closer than the family's conflict threshold (chosen on validation with
the others, training.evaluate.choose) to join; the others use the threshold.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Protocol

from grouping.clean import LITERAL  # the string literals the "names" key reads

MAX_LINE = 400  # characters of a header or crash line read (cleaned lines are shorter)

_QUOTED = re.compile(r'"[^"\n]{0,200}"|\'[^\'\n]{0,200}\'|`[^`\n]{0,200}`')
_MINIFIED = re.compile(r"(?<![\w$<])[A-Za-z_$][\w$]?(?![\w$>])")


class Candidate(Protocol):
    distance: float
    text: str


@functools.lru_cache(maxsize=4096)  # one text is compared with many (the replays, the choice)
def distinguishing(text: str) -> tuple[str, frozenset[str]]:
    """(the root cause's header with its data masked, the string literals its crash line names)."""
    lines = text.split("\n", 2)
    header = _MINIFIED.sub("<id>", _QUOTED.sub("<str>", lines[0][:MAX_LINE]))
    crash = lines[1][:MAX_LINE] if len(lines) > 1 and lines[1].startswith("  ") else ""
    return header, frozenset(LITERAL.findall(crash))


def conflicts(a: str, b: str) -> bool:
    """The headers differ, or each crash line names something the other does not (a release
    that adds or drops an argument, `encoding="utf-8"`, names a superset)."""
    (header_a, names_a), (header_b, names_b) = distinguishing(a), distinguishing(b)
    return header_a != header_b or bool(names_a - names_b and names_b - names_a)


def first_match(text: str, candidates: Iterable[Candidate], threshold: float,
                conflict_threshold: float) -> Candidate | None:  # fmt: skip
    """The nearest candidate (they come nearest first) within the threshold, or within the
    conflict threshold where its text conflicts with `text`."""
    for candidate in candidates:
        if candidate.distance > threshold:
            return None
        if candidate.distance <= conflict_threshold or not conflicts(text, candidate.text):
            return candidate
    return None
