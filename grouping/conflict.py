"""Evidence that two stack traces which embed alike are still two faults (pure functions).

Twin faults of one application often share the exception type and most of the stack, and differ
in one noun: the message's ("hook <int> not found" vs "target <int> not found",
"e.retry.map is not a function" vs "e.size.map …"), the data the crash line names
(`data["lon"]` vs `data["sample"]`), or the function that raised one message. A model that never
saw the application's nouns puts such twins closer than a release's edits put one fault
(bench/transfer.py). So a pair *conflicts* when, in the cleaned texts (grouping.clean, root cause
first):
- the root cause's header differs once what varies between events of one fault is masked:
  numbers and ids are placeholders already; quoted strings (paths, user input, keys),
  one- or two-character names (minified, renamed per release) and code-shaped variable names
  in the message (`emailCurrent is not a function`, `order_total`: a refactor renames locals)
  are masked too. Property names after a dot (`e.retry.map`) name the data's shape and count;
- or each crash line names a string literal the other does not (a release that adds an
  argument names a superset: `open(data["lat_path"], encoding="utf-8")`);
- or neither crash function (the nearest named one) appears in the other's stack: two sites,
  not one site reached two ways (an extracted helper keeps its caller in the stack).
A conflicting pair must be closer than the family's conflict threshold (chosen on validation with
the others, training.evaluate.choose) to join; the others use the threshold.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Protocol

from grouping.clean import LITERAL  # the literals the "names" key reads
from monitor import limits

_QUOTED = re.compile(r'"[^"\n]{0,200}"|\'[^\'\n]{0,200}\'|`[^`\n]{0,200}`')
# a word glued to a placeholder the cleaning left (`run-a<int>`, `qz<int>`, `A<hex>`): an id
# whose digits were parameterized, so data that varies between events of one fault
_GLUED = re.compile(r"(?<![\w$.<])[\w$-]*<[a-z]+>[\w$<>-]*")
_PLACEHOLDER = re.compile(r"<[a-z]+>")
_MINIFIED = re.compile(r"(?<![\w$<])[A-Za-z_$][\w$]?(?![\w$>])")
# a variable's name in a message: camelCase or snake_case (a lower-case start: class names and
# constants stay), not a property (after a dot) and not a call (before a parenthesis); plain
# words stay, they may be the data's nouns
_VARIABLE = re.compile(
    r"(?<![\w$.<])(?=[a-z_$][\w$]{0,80}?(?:[a-z0-9][A-Z]|[A-Za-z0-9]_[A-Za-z0-9]))"
    r"[a-z_$][\w$]{0,80}(?![\w$>(])"
)


def _glued_id(match: re.Match) -> str:
    """A lone placeholder stays as the cleaning wrote it; a word glued to one is an id."""
    token = match.group(0)
    return "<id>" if _PLACEHOLDER.sub("", token) else token


class Candidate(Protocol):
    distance: float
    text: str


@functools.lru_cache(maxsize=4096)  # one text is compared with many (the replays, the choice)
def distinguishing(text: str) -> tuple[str, frozenset[str]]:
    """(the root cause's header with its data masked, the string literals its crash line names)."""
    lines = text.split("\n", 2)
    exc_type, colon, message = lines[0][:limits.CONFLICT_LINE_CHARS].partition(": ")
    if not colon:  # a message without an exception type
        exc_type, message = "", exc_type
    masked = _QUOTED.sub("<str>", message)
    masked = _GLUED.sub(_glued_id, masked)
    masked = _VARIABLE.sub("<var>", _MINIFIED.sub("<id>", masked))
    header = exc_type + colon + masked
    crash = (lines[1][:limits.CONFLICT_LINE_CHARS]
             if len(lines) > 1 and lines[1].startswith("  ") else "")
    return header, frozenset(LITERAL.findall(crash))


@functools.lru_cache(maxsize=4096)
def sites(text: str) -> tuple[str, frozenset[str]]:
    """(the nearest named function to the crash, every named function of the root cause's
    stack); minified (one or two characters) and unnamed functions are skipped."""
    functions: list[str] = []
    frames, line_chars = limits.EMBED_FRAMES, limits.CONFLICT_LINE_CHARS
    for line in text[: (frames + 1) * line_chars].split("\n")[1 : frames + 1]:
        if not line.startswith("  "):
            break  # the next exception's header
        where = line[2:line_chars].split(": ", 1)[0]  # "function in location", no code line
        functions.append(where.rsplit(" in ", 1)[0])  # Ruby: "block in Orders#create in …"
    named = [f for f in functions if len(f) > 2 and f[0] not in "<?{"]
    return (named[0] if named else ""), frozenset(named)


def other_sites(a: str, b: str) -> bool:
    (crash_a, stack_a), (crash_b, stack_b) = sites(a), sites(b)
    return bool(crash_a and crash_b) and crash_a not in stack_b and crash_b not in stack_a


def conflicts(a: str, b: str) -> bool:
    """The headers differ, each crash line names something the other does not (a release that
    adds or drops an argument, `encoding="utf-8"`, names a superset), or the crash sites differ."""
    (header_a, names_a), (header_b, names_b) = distinguishing(a), distinguishing(b)
    return (header_a != header_b or bool(names_a - names_b and names_b - names_a)
            or other_sites(a, b))


def first_match(text: str, candidates: Iterable[Candidate], threshold: float,
                conflict_threshold: float) -> Candidate | None:
    """The nearest candidate (they come nearest first) within the threshold, or within the
    conflict threshold where its text conflicts with `text`."""
    for candidate in candidates:
        if candidate.distance > threshold:
            return None
        if candidate.distance <= conflict_threshold or not conflicts(text, candidate.text):
            return candidate
    return None
