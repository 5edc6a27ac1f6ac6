"""The model's text → summary, cause and fix, or `JunkAnswer` (a pure function).

Small models drift: labels in markdown, sections out of order, a code block, the same phrase
over and over. What is kept must be three labelled sections of readable text; anything else is
refused as a whole, so a page never shows half an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor import limits

LABEL = re.compile(
    r"^[ \t>*#_-]*(summary|what happened|(?:likely |root )?cause|(?:suggested |the )?fix)"
    r"[ \t*_]*[:\-–][ \t*_]*",
    re.IGNORECASE | re.MULTILINE,
)
KINDS = {"summary": "summary", "what happened": "summary", "cause": "cause", "fix": "fix"}
WORD = re.compile(r"[A-Za-z][A-Za-z'_.]*")


class JunkAnswer(ValueError):
    """The answer cannot be used; the message is user-facing."""


@dataclass(frozen=True)
class Answer:
    summary: str
    cause: str
    fix: str


def _kind(label: str) -> str:
    label = label.lower()
    for prefix in ("likely ", "root ", "suggested ", "the "):
        label = label.removeprefix(prefix)
    return KINDS[label]


def _tidy(text: str) -> str:
    text = text.replace("```", " ").replace("**", "")
    text = re.sub(r"\s+", " ", text).strip(" -*:")
    if len(text) > limits.ASSIST_SECTION_CHARS:
        cut = text[:limits.ASSIST_SECTION_CHARS]
        text = cut[: cut.rfind(". ") + 1] or cut.rsplit(" ", 1)[0] + " …"
    return text


def repetitive(text: str) -> bool:
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) < 12:
        return False
    trigrams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return len(set(trigrams)) / len(trigrams) < 0.5


def parse(text: str) -> Answer:
    if not isinstance(text, str) or not text.strip():
        raise JunkAnswer("The model returned an empty answer.")
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text) / len(text)
    if printable < 0.95:
        raise JunkAnswer("The model returned unreadable text.")
    sections: dict[str, str] = {}
    matches = list(LABEL.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        kind = _kind(match.group(1))
        body = _tidy(text[match.end() : end].strip().split("\n", 1)[0])  # one line each
        if body and kind not in sections:
            sections[kind] = body
    if "summary" not in sections or not ({"cause", "fix"} & set(sections)):
        raise JunkAnswer("The model's answer did not have a summary, a cause and a fix.")
    for body in sections.values():
        if len(WORD.findall(body)) < 3 or repetitive(body):
            raise JunkAnswer("The model's answer was not readable text (too short or repetitive).")
    return Answer(sections["summary"], sections.get("cause", ""), sections.get("fix", ""))
