"""An issue's event (normalized) → the prompt the model sees: pure functions, no I/O.

Only the parts the organisation consents to are built (`parts`, from assist.gate): the cleaned
stack trace (grouping.clean: in-app frames, no addresses, hashes or line numbers), with its code
lines only when code may be used; the message; the last breadcrumbs; a few tags (never user, URL
or host tags); and similar resolved issues of the same organisation with their resolution notes.
Every string is bounded here; the whole text is PII-scrubbed by the caller before it leaves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from grouping.clean import clean_event, clean_function, frames_of, is_in_app, strip_noise
from monitor import limits

TAG_KEYS = ("environment", "release", "runtime", "browser", "os", "mechanism", "handled",
            "transaction")
CODE_KEYS = ("context_line", "pre_context", "post_context", "vars")

SYSTEM = (
    "You help a developer fix an error in their application. Answer in three lines: "
    "Summary (the exception and the function where it was raised), Cause, Fix."
)
# One fixed illustration of the answer's form (no organisation's data): small models follow an
# example far better than a description.
SHOT_QUESTION = (
    "Error: PermissionError: [Errno 13] Permission denied: '<tmp>/app.log'\n"
    "Stack trace (most recent call first):\n"
    "PermissionError: [Errno 13] Permission denied: '<tmp>/app.log'\n"
    "  open_log in logsetup/files.py: handle = open(path, \"a\")\n"
    "  configure in logsetup/config.py: stream = open_log(settings.LOG_PATH)"
)
SHOT_ANSWER = (
    "Summary: PermissionError in open_log (logsetup/files.py) while opening the log file "
    "for appending.\n"
    "Cause: The process runs as a user that may not write to the log file's directory.\n"
    "Fix: Make LOG_PATH point to a directory the service user owns, or create the file with "
    "the right owner at deploy time."
)
ANSWER_START = "Summary:"


@dataclass(frozen=True)
class Example:
    """A similar resolved issue of the same organisation and how it was fixed."""

    issue_id: int
    text: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Prompt:
    messages: list[dict[str, str]]
    parts: list[str]
    examples: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(m["content"] for m in self.messages)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.messages, sort_keys=True).encode()).hexdigest()


def without_code(event: dict) -> dict:
    """A shallow copy of the event whose frames carry no source lines or local variables."""

    def strip_stack(stack: dict | None) -> dict | None:
        if not isinstance(stack, dict):
            return stack
        frames = [
            {k: v for k, v in f.items() if k not in CODE_KEYS} if isinstance(f, dict) else f
            for f in stack.get("frames") or []
        ]
        return {**stack, "frames": frames}

    copy = dict(event)
    copy["exception"] = [
        {**e, "stacktrace": strip_stack(e.get("stacktrace"))} if isinstance(e, dict) else e
        for e in event.get("exception") or []
    ]
    if "stacktrace" in event:
        copy["stacktrace"] = strip_stack(event.get("stacktrace"))
    copy["threads"] = [
        {**t, "stacktrace": strip_stack(t.get("stacktrace"))} if isinstance(t, dict) else t
        for t in event.get("threads") or []
    ]
    return copy


def trace_text(event: dict, parts: frozenset[str]) -> str:
    """The cleaned stack trace, with or without messages and code lines, as consent allows."""
    if "stack_trace" not in parts:
        return ""
    source = event if "context_lines" in parts else without_code(event)
    return clean_event(source, include_message="message" in parts)


def message_text(event: dict, title: str, parts: frozenset[str]) -> str:
    if "message" not in parts:
        return ""
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    if exceptions:
        last = exceptions[-1]
        value = str(last.get("value") or "").split("\n", 1)[0][:300]
        return f"{last.get('type') or 'Error'}: {value}".strip()
    return str(event.get("message") or title or "")[:300]


def breadcrumb_lines(event: dict, parts: frozenset[str]) -> list[str]:
    if "breadcrumbs" not in parts:
        return []
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict):
        crumbs = crumbs.get("values")
    lines = []
    for crumb in (crumbs if isinstance(crumbs, list) else [])[-limits.ASSIST_PROMPT_BREADCRUMBS:]:
        if not isinstance(crumb, dict):
            continue
        text = " ".join(str(crumb.get(k) or "") for k in ("category", "message")).strip()
        if text:
            lines.append(strip_noise(text[:limits.ASSIST_PROMPT_CRUMB_CHARS]))
    return lines


def tag_pairs(tags: list, parts: frozenset[str]) -> list[str]:
    if "tags" not in parts:
        return []
    out = []
    for pair in (tags if isinstance(tags, list) else [])[:100]:
        if isinstance(pair, list | tuple) and len(pair) == 2 and pair[0] in TAG_KEYS:
            out.append(f"{pair[0]}={str(pair[1])[:limits.ASSIST_PROMPT_TAG_VALUE_CHARS]}")
    return out


def issue_block(event: dict, title: str, tags: list, parts: frozenset[str]) -> tuple[str, list]:
    """The description of one issue and the parts it actually used."""
    used, lines = [], []
    if message := message_text(event, title, parts):
        lines.append(f"Error: {message}")
        used.append("message")
    if trace := trace_text(event, parts):
        lines.append("Stack trace (most recent call first):\n" + trace)
        used.append("stack_trace")
        if "context_lines" in parts and source_lines_present(event):
            used.append("context_lines")
    if crumbs := breadcrumb_lines(event, parts):
        lines.append("Last breadcrumbs:\n" + "\n".join(f"  {c}" for c in crumbs))
        used.append("breadcrumbs")
    if pairs := tag_pairs(tags, parts):
        lines.append("Tags: " + ", ".join(pairs))
        used.append("tags")
    return "\n".join(lines), used


def source_lines_present(event: dict) -> bool:
    stacks = [e.get("stacktrace") for e in event.get("exception") or [] if isinstance(e, dict)]
    stacks.append(event.get("stacktrace"))
    return any(
        isinstance(f, dict) and f.get("context_line")
        for s in stacks if isinstance(s, dict)
        for f in (s.get("frames") or [])[-400:]
    )


def build(event: dict, title: str, tags: list, parts: frozenset[str],
          examples: list[Example] = ()) -> Prompt:
    """The chat messages for one issue. `examples` must already be the same organisation's
    (assist.retrieval decides that, nowhere else)."""
    block, used = issue_block(event, title, tags, parts)
    content = block
    shown = []
    if examples and "examples" in parts:
        lines = []
        for example in examples:
            notes = " ".join(n[:limits.ASSIST_PROMPT_NOTE_CHARS] for n in example.notes)
            lines.append(f"- {example.text}\n  How it was fixed: {notes}")
            shown.append(example.issue_id)
        if lines:
            content += "\n\nSimilar issues your team resolved before:\n" + "\n".join(lines)
            used.append("examples")
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": SHOT_QUESTION},
        {"role": "assistant", "content": SHOT_ANSWER},
        {"role": "user", "content": content},
    ]
    return Prompt(messages=messages, parts=used, examples=shown)


def answer_start(event: dict, parts: frozenset[str]) -> str:
    """The first words of the local model's answer, written from the data: "Summary: <type> in
    <function>". A 135M model given this prefix keeps the three-line form (3 of 3 hand-made
    cases, against 1 of 3 with "Summary:" alone); hosted models get no prefix."""
    if "stack_trace" not in parts:
        return ANSWER_START
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    if not exceptions:
        return ANSWER_START
    root = exceptions[0]
    frames = [f for f in frames_of(root.get("stacktrace")) if is_in_app(f)] or frames_of(
        root.get("stacktrace"))
    exc_type = str(root.get("type") or "")[:80]
    if not exc_type:
        return ANSWER_START
    where = clean_function(frames[-1].get("function") or "") if frames else "?"
    return f"{ANSWER_START} {exc_type}" + (f" in {where}" if where != "?" else "")


def categories_of(parts: list[str]) -> list[str]:
    from assist.gate import PART_CATEGORIES

    return sorted({str(c) for part in parts for c in PART_CATEGORIES[part]})
