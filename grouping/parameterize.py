"""Replace the variable parts of messages (ids, numbers, addresses) with placeholders."""

from __future__ import annotations

import re

from monitor import limits

_PATTERNS: list[tuple[str, re.Pattern]] = [
    # Each pattern can start only where its run starts (a negative lookbehind on the run's own
    # characters): a scheme or local part that fails to match is then scanned once, not once
    # per position, which keeps every pattern linear on inputs like "a.a.a.a…".
    ("<url>", re.compile(r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*+://[^\s'\"<>]+", re.IGNORECASE)),
    ("<email>", re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")),
    (
        "<uuid>",
        re.compile(
            r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b", re.IGNORECASE
        ),
    ),
    (
        "<date>",
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
            r"|\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b"
        ),
    ),
    (
        "<ip>",
        re.compile(
            r"\b(?:\d{1,3}\.){3}\d{1,3}\b"
            r"|\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4})?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "<hex>",
        re.compile(
            r"\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.IGNORECASE
        ),
    ),
    ("<int>", re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")),
]




def parameterize(text: str) -> str:
    text = text[:limits.PARAMETERIZE_INPUT_CHARS]
    for placeholder, pattern in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text
