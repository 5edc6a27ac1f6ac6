"""The rename path: a new fingerprint that the key found no match for joins an issue whose first
event crashed on the same *statement* (the root type, the crash line as written or what it
does, and the message's template) at another site (a function of another name, or, where the
path counts moves, the same function in another file with the same line), when the releases
say the site was renamed rather than that a second site exists.

Why: the candidate key names the crash site's function (grouping.clean.anchored_key), so a
release that renames the function, moves it to a class or extracts a helper around the failing
line splits the application's own fault into a new issue; where the text names files (Node's),
so does moving the function to another file. The statement survives those edits.
Two sites that really share a statement (one message raised by two functions) are told apart by
the release evidence: the candidate issue must have no event of the new event's release that
crashed in a third site function ("site"), or no event of that release at all ("release", the
more cautious). Chosen with codebases left out whole, under a criterion fixed before its
results were read (docs/ml-grouping.md, "The rename path").

The pure parts live here; the live lookup is embeddings.store.lookup (_renamed_sql: what the
installation keeps: each fingerprint's site function, its releases, and each issue vector's
statement digest), the simulation training.metrics.simulate_ml.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from grouping.clean import (
    _file,
    app_site,
    code_line,
    grouping_function,
    grouping_type,
    line_operations,
    locals_line,
    message_template,
    reports_to_sdk,
    scanned_exceptions,
    site_function,
)
from grouping.families import family_of
from monitor import limits

SIGNATURES = ("line+file", "line", "operations+file", "operations")  # most cautious first
EVIDENCE = ("release", "site")  # most cautious first
MOVES = ("", "line")  # most cautious first: what a site function kept in another file needs
ANY_DISTANCE = 2.0  # no cosine distance is larger


@dataclass(frozen=True)
class RenamePath:
    """What a statement is (`signature`), how near its vector must be (`tight`), which
    release evidence says "renamed" (`evidence`), and whether a function that kept its name in
    another file is another site (`moves`: "" no; "line" yes, where its crash line reads as
    written, since a name alone says little: `fetch`, `call`, `render` are in many files)."""

    signature: str
    tight: float
    evidence: str
    moves: str = ""

    @property
    def label(self) -> str:
        moved = f" moved:{self.moves}" if self.moves else ""
        return f"{self.signature} d<={self.tight:g} {self.evidence}{moved}"

    @property
    def source(self) -> str:
        """How the issue page names it ("decided under"; `decided_by_path` reads it back)."""
        shape = {"line": "as written", "line+file": "as written, in a file of the same name",
                 "operations": "doing the same",
                 "operations+file": "doing the same, in a file of the same name"}[self.signature]
        other = "function or file" if self.moves else "function"
        evidence = {"release": "the old function had no event of this release",
                    "site": f"no other {other} crashed on it in this release"}[self.evidence]
        within = "" if self.tight >= ANY_DISTANCE else f" within {self.tight:g}"
        moved = " or moved to another file (the same line)" if self.moves else ""
        return (f"{SOURCE_PREFIX} the same crash statement ({shape}) in a renamed function"
                f"{moved}{within}; {evidence}")

    def caution(self) -> tuple:
        return (SIGNATURES.index(self.signature), self.tight, EVIDENCE.index(self.evidence),
                MOVES.index(self.moves))


SOURCE_PREFIX = "rename path:"


def decided_by_path(rule: str) -> bool:
    """Whether a fingerprint's recorded rule (GroupHash.ml_rule) is the rename path's."""
    return rule.startswith(SOURCE_PREFIX)


def statement(event: dict, shape: str = "line") -> str:
    """The crash statement of a normalized event in `shape` (SIGNATURES; "operations": what
    the line does, `operations_or_line`), or "" where the application's crash site has no code
    line, or only the one that reported the error to the SDK (no statement to compare)."""
    site, _ = app_site(event)
    line = " ".join(code_line(site)[:limits.RENAME_LINE_CHARS].split()) if site else ""
    if not line or reports_to_sdk(line):  # where it was reported (clean.capture_path)
        return ""
    exceptions = scanned_exceptions(event)
    root = exceptions[0] if exceptions else {}
    body = operations_or_line(line, str(event.get("platform") or "")) \
        if shape.startswith("operations") else line
    value = str(root.get("value") or event.get("message") or "")[:limits.EMBED_MESSAGE_CHARS]
    parts = [grouping_type(root), body, message_template(value)]
    if shape.endswith("+file"):
        parts.append(_file(site).replace("\\", "/").rsplit("/", 1)[-1].split(".")[0])
    return "|".join(parts)


def operations_or_line(line: str, platform: str = "") -> str:
    """What a crash line does (grouping.clean.line_operations), or, where it calls nothing and
    reads no attribute, the line with its locals as `x` (grouping.clean.locals_line). Why: such
    a line only indexes, computes or assigns (`return budget / shares[slot]`, `daily = price /
    days`); its operations are empty, as every such line of the application's are, so two
    sites' different faults of one runtime error (`integer divide by zero`) would read as one
    statement. Its shape (`return x / x[x]`, literals kept) says which statement it is and
    still survives a renamed local."""
    return line_operations(line, platform) or locals_line(line, family_of(platform))


def digest(text: str) -> str:
    """What is stored of a statement: a fixed-size digest ("" for none), so the column and its
    index stay small and hold no code or message text."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest() if text else ""


@dataclass(frozen=True)
class Record:
    """What the installation keeps of an event's crash site for the path (an issue vector's
    columns, embeddings.store.save): the digests of its statement in the path's shape and of
    its line as written (kept only where moves count), its site function and file."""

    statement: str = ""
    line_statement: str = ""
    site_function: str = ""
    site_file: str = ""


def record_of(event: dict, path: RenamePath | None) -> Record:
    """The path's Record of a normalized event (empty without a path or a statement)."""
    said = digest(statement(event, path.signature)) if path is not None else ""
    if not said:
        return Record()
    return Record(said, digest(statement(event, "line")) if path.moves else "",
                  *crash_site(event))


def crash_site(event: dict) -> tuple[str, str]:
    """(site function, file base name) of a normalized event's application crash site, as the
    path compares them, bounded; "" for what it has none of. The function is grouping.clean
    .site_function's; a module moved to another package keeps its file's base name, a file
    renamed or split does not. The crash site is found once for both."""
    site, _ = app_site(event)
    if not site:
        return "", ""
    name = _file(site).replace("\\", "/").rsplit("/", 1)[-1]
    return (site_function(grouping_function(site))[:limits.SITE_FUNCTION_CHARS],
            name[:limits.SITE_FILE_CHARS])


def site_of(event: dict) -> str:
    """The site function of a normalized event's application crash site (crash_site)."""
    return crash_site(event)[0]


def file_of(event: dict) -> str:
    """The base name of the file of a normalized event's application crash site (crash_site)."""
    return crash_site(event)[1]


def moved_site(old: tuple[str, str], new: tuple[str, str], same_line: bool, moves: str) -> bool:
    """Whether a candidate issue's (site function, file) is another site than the new event's
    for the path: another function, or, where moves count, the same function in another file
    whose crash line reads as written (`same_line`)."""
    if old[0] != new[0]:
        return True
    return bool(moves) and old[1] != new[1] and same_line


def release_of(event: dict) -> str:
    """The release as the path records it ("" for none, which is a release of its own)."""
    return str(event.get("release") or "")[:limits.RELEASE_CHARS]


def renamed(sites: Iterable[tuple[str, object]], site: object, release: str,
            evidence: str) -> bool:
    """Whether the candidate issue's (release, site) pairs say its site was renamed to `site`
    in `release`: "release", it has no event of that release; "site", none of its events of
    that release crashed in a third site (one renamed site may join it from several entry
    points). A site is its function, or its (function, file) where moves count."""
    if evidence == "release":
        return all(r != release for r, _ in sites)
    return not any(r == release and f != site for r, f in sites)
