"""One codebase's source as it stood at a release, and where each labelled fault line landed.

Sources are written once, with trailing tags in a comment (``// lab: ...`` in Go, ``# lab: ...``
in Ruby) that this module interprets and strips, so no label reaches an event:

- ``fault=SITE``: this line is the crash site of SITE (the frame each of its events must end in);
  ``fault=SITE:CLASS`` is one class's own line where an edit split the site's line in two;
- ``r=2-3`` / ``r=1``: the line exists only in those releases (edits: renamed locals, a line
  split in two, an extracted helper, a statement added above);
- ``move=3:FILE`` on a function's first line: from that release the function (and the comment
  above it) lives in FILE, at the line tagged ``moved-here`` (removed everywhere else);
- releases 2 and up also gain a header comment of a few lines under the first line, so that
  every line of every file shifts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TAG = re.compile(r"\s*(?://|#) lab:((?:\s+[\w-]+(?:=\S+)?)+)\s*$")
HEADERS = {
    "go": ["// Copyright Acme Corp. All rights reserved.", "// Use of this source code is governed "
           "by the LICENSE file.", "//", "// Maintained by the platform team."],
    "ruby": ["# Copyright Acme Corp. All rights reserved.", "# Use of this source code is governed "
             "by the LICENSE file.", "#", "# Maintained by the platform team."],
}
HEADER_LINES = {1: 0, 2: 2, 3: 4, 4: 3}  # release 4: the own-code codebases (lab.mine.owncode)


@dataclass
class Line:
    text: str
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Tree:
    files: dict[str, str]  # relative path -> text at this release
    sites: dict[str, tuple[str, int]]  # fault site -> (relative path, line number)


def parse(text: str) -> list[Line]:
    lines = []
    for raw in text.splitlines():
        match = TAG.search(raw)
        if not match:
            lines.append(Line(raw))
            continue
        tags = dict(tag.partition("=")[::2] for tag in match.group(1).split())
        lines.append(Line(raw[: match.start()], tags))
    return lines


def present(line: Line, release: int) -> bool:
    if "r" not in line.tags:
        return True
    low, _, high = line.tags["r"].partition("-")
    return int(low) <= release <= int(high or low)


def _block_end(lines: list[Line], start: int, language: str) -> int:
    """Index of the last line of the function starting at `start` (gofmt'd Go, Ruby `def`)."""
    first = lines[start].text
    indent = first[: len(first) - len(first.lstrip())]
    closing = "}" if language == "go" else indent + "end"
    for index in range(start + 1, len(lines)):
        if lines[index].text.rstrip() == closing:
            return index
    raise ValueError(f"no end for {first.strip()!r}")


def _doc_start(lines: list[Line], start: int, language: str) -> int:
    marker = "//" if language == "go" else "#"
    while start > 0 and lines[start - 1].text.strip().startswith(marker) and not lines[
        start - 1
    ].tags:
        start -= 1
    return start


def _move(files: dict[str, list[Line]], release: int, language: str) -> None:
    for lines in list(files.values()):
        index = 0
        while index < len(lines):
            move = lines[index].tags.get("move")
            if not move:
                index += 1
                continue
            since, _, target = move.partition(":")
            del lines[index].tags["move"]
            if release < int(since):
                index += 1
                continue
            begin, end = _doc_start(lines, index, language), _block_end(lines, index, language)
            block = lines[begin : end + 1]
            del lines[begin : end + 1]
            dest = files[target]
            (slot,) = [i for i, line in enumerate(dest) if "moved-here" in line.tags]
            dest[slot:slot] = [*block, Line("")]
            index = begin


def render(sources: dict[str, str], release: int, language: str) -> Tree:
    """The tree at `release` (1-based) from tagged sources; every fault site must appear once."""
    files = {path: parse(text) for path, text in sources.items()}
    _move(files, release, language)
    header = HEADERS[language][: HEADER_LINES[release]]
    out: dict[str, str] = {}
    sites: dict[str, tuple[str, int]] = {}
    for path, lines in files.items():
        kept = [line for line in lines if present(line, release) and "moved-here" not in line.tags]
        if kept and header and path.endswith((".go", ".rb")):
            kept[1:1] = [Line(text) for text in header]
        for number, line in enumerate(kept, 1):
            site = line.tags.get("fault")
            if site:
                if site in sites:
                    raise ValueError(f"fault site {site} twice at release {release}")
                sites[site] = (path, number)
        out[path] = "\n".join(line.text for line in kept) + "\n"
    return Tree(out, sites)


def read_sources(folder: Path, suffixes: tuple[str, ...]) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in suffixes
    }
