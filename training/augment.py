"""Augmentations that model what a new release does to one bug's stack trace: lines shifted,
locals renamed, the crash line edited, modules moved, wrapper frames added. Each is a pure
function of a normalized event and a random generator; the original is never modified."""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable

IDENTIFIER = re.compile(r"\b([a-z_][a-z0-9_]{1,})\b")
KEYWORDS = {"return", "self", "None", "True", "False", "await", "async", "for", "in", "if",
            "else", "not", "and", "or", "is", "lambda", "def", "class", "raise", "from",
            "import", "with", "as", "len", "sum", "int", "str", "round"}


def _frames(event: dict) -> list[list[dict]]:
    out = []
    values = event.get("exception") or []
    if isinstance(values, dict):  # a raw payload; normalized events hold a list
        values = values.get("values") or []
    for exc in values:
        frames = (exc.get("stacktrace") or {}).get("frames")
        if frames:
            out.append(frames)
    return out


def _crash_frame(event: dict) -> dict | None:
    """The most recent in-app frame of the last exception (the crash site)."""
    chains = _frames(event)
    if not chains:
        return None
    frames = chains[-1]
    in_app = [f for f in frames if f.get("in_app")]
    return (in_app or frames)[-1]


def shift_lines(event: dict, rng: random.Random) -> dict:
    out = copy.deepcopy(event)
    delta = rng.randint(1, 40)
    for frames in _frames(out):
        for frame in frames:
            if isinstance(frame.get("lineno"), int):
                frame["lineno"] += delta
    return out


def rename_locals(event: dict, rng: random.Random) -> dict:
    out = copy.deepcopy(event)
    frame = _crash_frame(out)
    line = (frame or {}).get("context_line") or ""
    names = [n for n in IDENTIFIER.findall(line) if n not in KEYWORDS]
    if names:
        old = rng.choice(names)
        new = rng.choice(["value", "result", "item", "current", f"{old}_"])
        frame["context_line"] = re.sub(rf"\b{re.escape(old)}\b", new, line)
    return out


def edit_crash_line(event: dict, rng: random.Random) -> dict:
    """Assignment ↔ return, a trailing comment, wrapped in a call, or an extra argument."""
    out = copy.deepcopy(event)
    frame = _crash_frame(out)
    line = ((frame or {}).get("context_line") or "").strip()
    if not line:
        return out
    edits = [lambda s: s + "  # see release notes", lambda s: s.replace(")", ", timeout=5)", 1)]
    if line.startswith("return "):
        edits.append(lambda s: "result = " + s[len("return "):])
        edits.append(lambda s: "return int(" + s[len("return "):] + ")")
    elif "=" in line and "==" not in line:
        edits.append(lambda s: "return " + s.split("=", 1)[1].strip())
    frame["context_line"] = rng.choice(edits)(line)
    return out


def move_module(event: dict, rng: random.Random) -> dict:
    out = copy.deepcopy(event)
    frame = _crash_frame(out)
    if not frame:
        return out
    module = frame.get("module") or ""
    if module:
        parts = module.split(".")
        parts.insert(max(1, len(parts) - 1), rng.choice(["core", "services", "legacy"]))
        frame["module"] = ".".join(parts)
    for key in ("filename", "abs_path"):
        if frame.get(key):
            head, _, tail = frame[key].rpartition("/")
            frame[key] = f"{head}/{rng.choice(['core', 'services'])}/{tail}".lstrip("/")
    return out


def add_wrapper_frame(event: dict, rng: random.Random) -> dict:
    """A decorator or middleware layer between the caller and the crash site."""
    out = copy.deepcopy(event)
    chains = _frames(out)
    if not chains:
        return out
    frames = chains[-1]
    crash = _crash_frame(out)
    at = frames.index(crash) if crash in frames else len(frames)
    name = rng.choice(["wrapper", "inner", "decorated", "__call__"])
    module = rng.choice(["app.middleware", "app.decorators", "app.retry"])
    frames.insert(at, {"module": module, "function": name, "in_app": True,
                       "filename": module.replace(".", "/") + ".py", "lineno": rng.randint(5, 90),
                       "context_line": "return func(*args, **kwargs)"})
    return out


# Nouns a program reads fields by; any will do, they only have to differ from the original's.
FIELD_NOUNS = ("user", "order", "invoice", "token", "price", "email", "amount", "account",
               "session", "payload", "config", "address", "quantity", "status", "region",
               "owner", "currency", "schema", "ticket", "profile")
_FIELD = re.compile(r"""["']([a-z][a-z0-9]{2,20})["']|\b([a-z][a-z0-9]{2,20})_[a-z]""")


def swap_field(event: dict, rng: random.Random) -> dict | None:
    """Another fault on the same line shape: the field the crash line reads (a string literal,
    or the noun of a `noun_suffix` local) swapped for another noun, in the line and in every
    exception message that names it. Twin faults of one function look like this, so the result
    is a hard *negative* of the original; None when the line names no field."""
    out = copy.deepcopy(event)
    frame = _crash_frame(out)
    line = (frame or {}).get("context_line") or ""
    fields = sorted({a or b for a, b in _FIELD.findall(line)} - KEYWORDS)
    if not fields:
        return None
    old = rng.choice(fields)
    new = rng.choice([noun for noun in FIELD_NOUNS if noun != old])
    word = re.compile(rf"\b{re.escape(old)}(?=\b|_)")
    frame["context_line"] = word.sub(new, line)
    values = out.get("exception") or []
    for exc in values if isinstance(values, list) else []:
        if isinstance(exc, dict) and isinstance(exc.get("value"), str):
            exc["value"] = word.sub(new, exc["value"])
    return out


SITE_VERBS = ("load", "apply", "render", "select", "sync", "parse", "export", "notify")


def swap_site(event: dict, rng: random.Random) -> dict | None:
    """The same error raised at another site: the crash function renamed to an unrelated one,
    the message kept. The issue's "same message from different sites" hard negative; None when
    the crash frame has no function name worth the name."""
    out = copy.deepcopy(event)
    frame = _crash_frame(out)
    function = (frame or {}).get("function") or ""
    if len(function) <= 2:  # minified or missing: nothing that tells sites apart
        return None
    noun = rng.choice([n for n in FIELD_NOUNS if n not in function.lower()])
    frame["function"] = f"{rng.choice(SITE_VERBS)}_{noun}" if "_" in function else (
        rng.choice(SITE_VERBS) + noun.title())
    return out


HARD_NEGATIVES: dict[str, Callable[[dict, random.Random], dict | None]] = {
    "swap_field": swap_field,
    "swap_site": swap_site,
}


AUGMENTATIONS: dict[str, Callable[[dict, random.Random], dict]] = {
    "shift_lines": shift_lines,
    "rename_locals": rename_locals,
    "edit_crash_line": edit_crash_line,
    "move_module": move_module,
    "add_wrapper_frame": add_wrapper_frame,
}


def release_variant(event: dict, rng: random.Random) -> dict:
    """One to three augmentations applied in turn, as a release rarely changes one thing."""
    names = rng.sample(sorted(AUGMENTATIONS), rng.randint(1, 3))
    for name in names:
        event = AUGMENTATIONS[name](event, rng)
    return event


# ---------------------------------------------------------------- vocabulary relabelling

_SEGMENT = re.compile(r"[A-Z]?[a-z]{3,}")  # words of snake_case, camelCase and prose
# words of the text's own format, and placeholders (grouping.parameterize): never renamed
FORMAT_WORDS = {"wrapped", "app", "int", "url", "hex", "uuid", "email", "date", "tmp", "stack",
                "error"}
_WORD = re.compile(r"[a-z]{4,10}")


def replacement_words(vocabulary_file: str | None) -> list[str]:
    """Plain lower-case words (4–10 letters) of a WordPiece vocabulary file, in file order: the
    new names relabelled pairs take. Empty when there is no such file."""
    try:
        with open(vocabulary_file or "", encoding="utf-8") as handle:
            return [word for line in handle if _WORD.fullmatch(word := line.strip())]
    except OSError:
        return []


def vocabulary(text: str) -> set[str]:
    """The words of a cleaned text's frames that an application chose (fields, locals,
    functions, modules), lower-cased: every camelCase or snake_case part of three letters or
    more, except keywords and the text's own format words. Message words count only where the
    frames name them too; an exception type's parts never."""
    frames = "\n".join(line for line in text.splitlines() if line.startswith(" "))
    return {part.lower() for part in _SEGMENT.findall(frames)} - KEYWORDS - FORMAT_WORDS


def _rename(text: str, old: str, new: str) -> str:
    text = re.sub(rf"(?<![a-z]){re.escape(old)}(?![a-z])", new, text)
    return re.sub(rf"(?<![A-Z]){re.escape(old.title())}(?![a-z])", new.title(), text)


def relabel(a: str, b: str, words: list[str], rng: random.Random) -> tuple[str, str]:
    """Both texts of a pair with one to three of their application's words renamed to words
    neither holds, the same renaming on both sides: whether the pair is one bug does not
    change, but the names do. A model trained only on its corpus applications' names learns to
    tell their twins apart by those names (and fails on an application it never saw: "hook"
    vs "size" there reads as noise); relabelled pairs teach it that any name may matter."""
    names_a, names_b = vocabulary(a), vocabulary(b)
    candidates = sorted(names_a | names_b)
    if not candidates or not words:
        return a, b
    olds = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
    differing = sorted(names_a ^ names_b)  # what tells twins apart, or a renamed local
    if differing and rng.random() < 0.5 and not set(olds) & set(differing):
        olds[0] = rng.choice(differing)
    taken = set(candidates) | {part.lower() for part in _SEGMENT.findall(a + b)}
    news: list[str] = []
    for _ in range(20 * len(olds)):  # words already there are skipped
        word = rng.choice(words)
        if word not in taken and word not in news:
            news.append(word)
        if len(news) == len(olds):
            break
    for old, new in zip(olds, news, strict=False):
        a, b = _rename(a, old, new), _rename(b, old, new)
    return a, b
