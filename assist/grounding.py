"""Is a generated answer grounded? A pure check that returns the reasons to refuse it (none: it
may be shown).

Every exception type, file, function or variable the answer names must occur in the corpus: the
prompt's issue text (the event as the model saw it, with the same organisation's retrieved
issues) and the brief. A statement about a runtime or language version ("Python 2", "Node 16")
must match the event's runtime context — text in the event itself cannot vouch for it, so an
event that *says* "use Python 2" does not make that advice grounded. Unreadable or repetitive
text is refused too. Small models invent plausible names; this keeps them off the page.
"""

from __future__ import annotations

import re

from assist.parse import Answer, repetitive

EXCEPTION = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Error|Exception|Warning|Exit|Interrupt|Fault)\b")
FILE = re.compile(r"[\w$./\\-]*\w\.(?:py|js|mjs|cjs|ts|tsx|jsx|java|kt|rb|go|php|cs|rs|swift)\b")
CALL = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\(")
CODE = re.compile(r"`([^`\n]{1,120})`")
SNAKE_OR_CAMEL = re.compile(
    r"(?<![\w$.])((?:[A-Za-z_$][\w$]*\.)*(?:[a-z][a-z0-9]*_[\w$]+|_[\w$]+|[a-z]+[A-Z][\w$]*))"
    r"(?![\w$])"
)
VERSION = re.compile(r"(?<![\w.])v?(\d+\.(?:\d+|x)(?:\.(?:\d+|x))*)(?![\w.]*\w)")
RUNTIME = re.compile(
    r"\b(python|cpython|pypy|node(?:\.js|js)?|java|jdk|jre|ruby|go|golang|php)\s*v?"
    r"(\d+)(?:\.(\d+|x))?",
    re.IGNORECASE,
)
RUNTIME_FAMILY = {"python": "python", "cpython": "python", "pypy": "python", "node": "node",
                  "node.js": "node", "nodejs": "node", "java": "java", "jdk": "java",
                  "jre": "java", "ruby": "ruby", "go": "go", "golang": "go",
                  "php": "php"}
STUTTER = re.compile(r"([A-Za-z]{1,4})\1{3,}")
TOKEN = re.compile(r"[A-Za-z_$][\w$]*")
# Names any answer may use without the event naming them: language builtins and the everyday
# methods a fix is written with. Kept short on purpose: a name not here must come from the data.
COMMON_NAMES = """
self this cls super none null undefined true false nil len str int float bool dict list set tuple
isinstance hasattr getattr setattr print range sum min max sorted map filter open round abs any
all get keys values items append pop join split strip startswith endswith format type id repr
object array string number boolean math json parse stringify parseint parsefloat isnan tostring
includes foreach push length trim fetch await async then catch try except finally raise throw
return if else for while new log console error warn map optional orelse equals hashcode getmessage
valueof tostring isempty size contains put require import from def function const let var
"""
COMMON = frozenset(COMMON_NAMES.split())


def _tokens(text: str) -> set[str]:
    return {t.lower() for t in TOKEN.findall(text)}


def _versions(text: str) -> set[str]:
    return {m.group(1) for m in VERSION.finditer(text)}


def runtime_of(contexts: dict) -> tuple[str, str] | None:
    """(family, version) from the event's runtime context, e.g. ("python", "3.11.7")."""
    runtime = (contexts or {}).get("runtime") if isinstance(contexts, dict) else None
    if not isinstance(runtime, dict):
        return None
    name = str(runtime.get("name") or "").lower().replace(" ", "")
    version = str(runtime.get("version") or "")
    family = RUNTIME_FAMILY.get(name) or next(
        (f for k, f in RUNTIME_FAMILY.items() if name.startswith(k)), None)
    match = re.match(r"v?(\d+(?:\.\d+)*)", version)
    return (family, match.group(1)) if family and match else None


def _name_known(name: str, tokens: set[str]) -> bool:
    parts = [p for p in re.split(r"[.]", name) if p]
    return all(p.lower() in tokens or p.lower() in COMMON for p in parts)


def _file_known(path: str, tokens: set[str]) -> bool:
    """shop/cart.py is known when the event names shop and cart (as a path or module)."""
    pieces = [p for p in re.split(r"[/\\.]", path.rsplit(".", 1)[0]) if p]
    return all(p.lower() in tokens for p in pieces)


def _version_matches(said: str, actual: str) -> bool:
    """"3", "3.11" and "3.x" match 3.11.7; "2" and "3.8" do not."""
    have = actual.split(".")
    return all(part == "x" or (i < len(have) and part == have[i])
               for i, part in enumerate(said.split(".")))


def _runtime_reason(text: str, runtime: tuple[str, str] | None) -> str:
    for match in RUNTIME.finditer(text):
        family = RUNTIME_FAMILY.get(match.group(1).lower())
        said = match.group(2) + (f".{match.group(3)}" if match.group(3) else "")
        if runtime is None:
            return f"it states a {match.group(1)} version ({said}) the event does not report"
        if family == runtime[0] and not _version_matches(said, runtime[1]):
            return (f"it speaks of {match.group(1)} {said} but the event ran on "
                    f"{runtime[0]} {runtime[1]}")
    return ""


def check(answer: Answer, corpus: str, contexts: dict | None = None) -> list[str]:
    """Reasons to refuse `answer`, empty when every name in it is grounded in `corpus` and
    every runtime version statement matches `contexts`."""
    reasons: list[str] = []
    tokens = _tokens(corpus)
    versions = _versions(corpus)
    runtime = runtime_of(contexts or {})
    if runtime:
        versions.add(runtime[1])
    for label, text in (("summary", answer.summary), ("cause", answer.cause), ("fix", answer.fix)):
        if not text:
            continue
        if repetitive(text) or STUTTER.search(text):
            reasons.append(f"the {label} is repetitive or unreadable")
            continue
        if why := _runtime_reason(text, runtime):
            reasons.append(f"the {label}: {why}")
        spans = [m.group(1) for m in CODE.finditer(text)]
        prose = CODE.sub(" ", text)
        names = {m.group(0) for m in EXCEPTION.finditer(text)}
        names |= {m.group(1) for m in CALL.finditer(text)}
        names |= {m.group(1) for m in SNAKE_OR_CAMEL.finditer(prose)}
        for span in spans:  # a code span: each identifier in it must be known
            names |= {t for t in TOKEN.findall(span) if len(t) > 1}
        files = {m.group(0) for m in FILE.finditer(text)}
        for path in sorted(files):
            if not _file_known(path, tokens):
                reasons.append(f"the {label} names {path}, which is not in this issue")
        file_parts = {p for f in files for p in re.split(r"[/\\.]", f)}
        for name in sorted(names - file_parts):
            if any(name in f for f in files):
                continue
            if not _name_known(name, tokens):
                reasons.append(f"the {label} names {name}, which is not in this issue")
        for version in sorted(_versions(RUNTIME.sub(" ", text))):  # runtimes: judged above
            if not any(v == version or v.startswith(version + ".") for v in versions):
                reasons.append(f"the {label} names version {version}, which is not in this issue")
    return list(dict.fromkeys(reasons))
