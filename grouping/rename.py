"""The rename path: a new fingerprint that the key found no issue for joins an issue whose first
event crashed on the same *statement* (the root type, the crash line as written or what it
does, and the message's template) in a site function of another name, when the releases say
the site was renamed rather than that a second site exists.

Why: the candidate key names the crash site's function (grouping.clean.anchored_key), so a
release that renames the function, moves it to a class or extracts a helper around the failing
line splits the application's own fault into a new issue. The statement survives those edits.
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
ANY_DISTANCE = 2.0  # no cosine distance is larger


@dataclass(frozen=True)
class RenamePath:
    """What a statement is (`signature`), how near its vector must be (`tight`) and which
    release evidence says "renamed" (`evidence`)."""

    signature: str
    tight: float
    evidence: str

    @property
    def label(self) -> str:
        return f"{self.signature} d<={self.tight:g} {self.evidence}"

    @property
    def source(self) -> str:
        """How the issue page names it ("decided under"; `decided_by_path` reads it back)."""
        shape = {"line": "as written", "line+file": "as written, in a file of the same name",
                 "operations": "doing the same",
                 "operations+file": "doing the same, in a file of the same name"}[self.signature]
        evidence = {"release": "the old function had no event of this release",
                    "site": "no other function crashed on it in this release"}[self.evidence]
        within = "" if self.tight >= ANY_DISTANCE else f" within {self.tight:g}"
        return (f"{SOURCE_PREFIX} the same crash statement ({shape}) in a renamed function"
                f"{within}; {evidence}")

    def caution(self) -> tuple:
        return (SIGNATURES.index(self.signature), self.tight, EVIDENCE.index(self.evidence))


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


def site_of(event: dict) -> str:
    """The site function of a normalized event as the path compares it (grouping.clean
    .site_function of its application crash site), bounded; "" where it has none."""
    site, _ = app_site(event)
    return site_function(grouping_function(site))[:limits.SITE_FUNCTION_CHARS] if site else ""


def release_of(event: dict) -> str:
    """The release as the path records it ("" for none, which is a release of its own)."""
    return str(event.get("release") or "")[:limits.RELEASE_CHARS]


def renamed(sites: Iterable[tuple[str, str]], site: str, release: str, evidence: str) -> bool:
    """Whether the candidate issue's (release, site function) pairs say its site was renamed to
    `site` in `release`: "release", it has no event of that release; "site", none of its events
    of that release crashed in a third site function (one renamed site may join it from several
    entry points)."""
    if evidence == "release":
        return all(r != release for r, _ in sites)
    return not any(r == release and f != site for r, f in sites)
