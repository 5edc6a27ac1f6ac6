"""Dates of birth: a date is one when a birth-date name stands just before it on its line.

The date shapes are presidio's DateRecognizer patterns (ISO, US m/d/Y, d/m/Y, d.m.Y, d-MMM-Y,
ISO date-times) plus written-out months ("17 March 1984", "March 17, 1984", "17. März 1984") and
date constructors in code (`date(1984, 3, 17)`). A date alone is not personal data (timestamps,
release dates), so only a date whose window holds a birth-date name of some language counts:
words of prose and the parts of identifiers (`dob`, `birth_date`, `dateOfBirth`,
`geburtsdatum`, `date_de_naissance`, `data urodzenia`, …). The window is the text before the
date on its line, at most `WINDOW` characters, after any earlier date and after the last `,`,
`;`, `|` or `&` (the next key of a literal or query string), so `{"dob": null, "created":
"2024-05-06"}` keeps its timestamp while `dob = parse_date("1984-03-17")` loses the date.
"""

from __future__ import annotations

import functools

import regex

from consent.pii.spans import Span

WINDOW = 48  # characters before a date searched for a birth-date name

# Words that name a birth date, in identifiers and prose, casefolded: English, German, French,
# Spanish, Italian, Portuguese, Dutch, Swedish, Danish/Norwegian, Finnish, Polish, Czech,
# Turkish, Romanian, Hungarian, Russian.
BIRTH_WORDS = frozenset({
    "dob", "bday", "birth", "birthday", "birthdate", "dateofbirth", "born",
    "geburtsdatum", "geburtstag", "geburts", "geburt", "geboren", "geb",
    "naissance", "né", "née", "nacimiento", "nacido", "nacida", "fechanacimiento",
    "nascita", "nato", "nata", "nascimento", "nascido", "nascida",
    "geboortedatum", "geboorte", "födelsedatum", "födelsedag", "född",
    "fødselsdato", "fødselsdag", "født", "syntymäaika", "syntymäpäivä", "syntynyt",
    "urodzenia", "urodzony", "urodzona", "urodziny", "narození", "narozen", "narozena",
    "doğum", "dogum", "nașterii", "naşterii", "nasterii", "naștere", "nastere",
    "születési", "született", "рождения", "родился", "родилась",
})

# Words and identifier parts: "dateOfBirth" → date, Of, Birth; "DOB"; "fecha_de_nacimiento".
_PART = regex.compile(r"\p{Lu}?[\p{Ll}\p{M}]+|\p{Lu}+(?![\p{Ll}\p{M}])")
_DOB_DOTTED = regex.compile(r"(?i)(?<![\p{L}.])d\.\s?o\.\s?b\b")
_CUT = regex.compile(r"[,;|&]")
# Month names and their abbreviations: English, German, French, Spanish, Italian, Dutch,
# Portuguese.
MONTH_NAMES = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "januar", "februar", "märz", "mai", "juni", "juli", "oktober", "dezember", "mrz", "okt", "dez",
    "janvier", "février", "mars", "avril", "juin", "juillet", "août", "septembre", "octobre",
    "novembre", "décembre",
    "févr", "avr", "juil", "déc",
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
    "ene", "abr", "ago", "dic",
    "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre",
    "dicembre",
    "gen", "mag", "giu", "lug", "set", "ott",
    "januari", "februari", "maart", "mei", "augustus",
    "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro", "novembro",
    "dezembro", "fev",
})
_MONTHS = "(?:" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_PATTERNS = [
    (rf"\b{_DAY}(?:st|nd|rd|th|\.)?\s+(?:(?:de|of)\s+)?{_MONTHS},?\s+(?:de\s+)?\d{{4}}\b", "d Month Y"),  # noqa: E501
    (rf"\b{_MONTHS}\s+{_DAY}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", "Month d, Y"),
    (r"\b\d{4}\.(?:0?[1-9]|1[0-2])\.(?:0?[1-9]|[12]\d|3[01])\b", "yyyy.mm.dd"),
    (rf"(?<=\bdate(?:time)?\(\s*)\d{{4}},\s*(?:0?\d|1[0-2]),\s*{_DAY}\b", "date(y, m, d) in code"),
]
# presidio's shapes that name a day, a month and a year
PRESIDIO_SHAPES = {
    "Datetime (yyyy-mm-ddThh:mm[:ss[.f]] with timezone)", "mm/dd/yyyy or mm/dd/yy",
    "dd/mm/yyyy or dd/mm/yy", "yyyy/mm/dd", "mm-dd-yyyy", "dd-mm-yyyy", "yyyy-mm-dd",
    "dd.mm.yyyy or dd.mm.yy", "dd-MMM-yyyy or dd-MMM-yy",
}
# "1.4.12" after a birthday-bot package name is a version: dotted dates need a 4-digit year.
_DOTTED_SHORT_YEAR = regex.compile(r"^\d{1,2}\.\d{1,2}\.\d{2}$")


@functools.lru_cache(maxsize=1)
def _dates():
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import DateRecognizer

    class DateShapes(PatternRecognizer):
        def invalidate_result(self, pattern_text: str) -> bool:
            return bool(_DOTTED_SHORT_YEAR.match(pattern_text))

    patterns = [p for p in DateRecognizer.PATTERNS if p.name in PRESIDIO_SHAPES]
    patterns += [Pattern(name, pattern, 0.6) for pattern, name in _PATTERNS]
    return DateShapes(supported_entity="DATE", patterns=patterns, context=sorted(BIRTH_WORDS))


def _names_birth(window: str) -> bool:
    return bool(_DOB_DOTTED.search(window)) or any(
        part[0].casefold() in BIRTH_WORDS for part in _PART.finditer(window)
    )


def _window(text: str, start: int, floor: int) -> str:
    """The text before a date that may name it: same line, after `floor` (the previous date),
    after the last separator of keys, at most WINDOW characters. A separator right before the
    date ("date of birth, 17.03.1984") does not count."""
    begin = max(floor, start - WINDOW, text.rfind("\n", 0, start) + 1)
    segments = _CUT.split(text[begin:start])
    window = segments[-1]
    if len(segments) > 1 and not any(c.isalnum() for c in window):
        window = segments[-2] + window
    return window


def find(text: str) -> list[Span]:
    """Dates next to a birth-date name. Texts that name no birth date cost one linear scan."""
    if not _names_birth(text):
        return []
    spans: list[Span] = []
    floor = 0
    for result in sorted(_dates().analyze(text, ["DATE"], None), key=lambda r: (r.start, -r.end)):
        if result.start < floor:
            continue  # inside a longer date already taken
        if _names_birth(_window(text, result.start, floor)):
            spans.append(Span(result.start, result.end, "DATE_OF_BIRTH"))
        floor = result.end
    return spans
