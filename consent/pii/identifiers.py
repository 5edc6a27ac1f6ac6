"""National and personal identifiers: checksums where the scheme has one (python-stdnum for US
SSN rules and the NHS mod-11), HMRC's NINO prefix rules, context words where the value alone is
ambiguous (passports, bare nine-digit SSNs), MAC addresses, emails with Unicode
local parts and IDN domains, and phone numbers of every region through Google's libphonenumber."""

from __future__ import annotations

import functools

import regex
from stdnum import luhn
from stdnum.gb import nhs
from stdnum.us import ssn

from consent.pii.spans import Span

# Context: a keyword, then a few key/value punctuation marks, filler words or, in code, the call
# the value is passed through (`passport_no = normalize("…")`, `ssn = Ssn.parse('…')`).
_FILLER = (
    r"""(?:[\s"'=:#,(\[{]|\b(?:is|was|of|on|no|number|num|nr|id)\b|_(?:no|number|num|id)\b"""
    r"""|(?<![\w.])[A-Za-z_][\w.]{0,40}\((?=["'])){0,8}"""
)

SSN = regex.compile(r"(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])")
SSN_CONTEXT = regex.compile(
    r"(?i:\b(?:ssn|social[\s_-]?security(?:[\s_-]?(?:number|no))?|taxpayer[\s_-]?(?:id|ssn)?|tin)"
    + _FILLER
    + r")(?<value>\d{3}[- ]?\d{2}[- ]?\d{4})(?!\d)"
)
NINO = regex.compile(
    r"(?<![\w])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"(?:\s?\d{2}){3}\s?[A-D](?![\w])"
)
NHS = regex.compile(r"(?<![\w-])\d{3}([ -]?)\d{3}\1\d{4}(?![\w-])")
# Payment cards of every scheme (IIN 2-6, 13-19 digits) in blocks of 4 or unbroken; Luhn-checked.
CARD = regex.compile(
    r"(?<![\w-])[2-6]\d{3}"
    r"(?:([ -]?)\d{4}(?:\1\d{4}){1,2}(?:\1\d{1,4})?|[ -]?\d{6}[ -]?\d{5})(?![\w-])"
)
PASSPORT = regex.compile(
    r"(?i:\b(?:passport|travel[\s_-]?document|reisepass|passeport|pasaporte)" + _FILLER + r")"
    r"(?<value>[A-Z0-9]{6,12})(?![\w])"
)
MAC = regex.compile(
    r"(?<![\w:-])(?:[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w:-])"
)
# RFC 6531 local parts (any letter or digit, Unicode included) and IDNA 2008 domains: labels of
# letters, digits and hyphens in any script, or their punycode (xn--) form.
EMAIL = regex.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w!#$%&'*+/=?^`{|}~-]{1,64}(?:\.[\w!#$%&'*+/=?^`{|}~-]{1,64}){0,8}"
    r"@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]{0,61}[\p{L}\p{N}\p{M}])?\.){1,8}"
    r"(?:\p{L}[\p{L}\p{M}]{1,62}|xn--[a-z0-9-]{2,59})(?![\w-])"
)
# A run that could be a phone number: optional + or 00 prefix, 7-15 digits with the separators
# people use; libphonenumber decides.
PHONE_SHAPE = regex.compile(r"(?<![\w+.:/-])(?:\+|00)?\(?\d[\d\s().\-/]{5,24}\d(?![\w@]|[.:-]\d)")
PHONE_CONTEXT = regex.compile(
    r"(?i)\b(?:phone|tel|telefon|téléphone|telephone|mobile|cell|fax|sms|call(?:back)?|msisdn"
    r"|whatsapp|contact|rückruf|appel|handy|otp|reach|dial)"
)
# Where a US number may be written with its groups (3-3-4, the area code maybe in parentheses):
# a cheap gate before libphonenumber's matcher looks at the few characters around it.
US_GROUPS = regex.compile(r"\d{3}\)?[\s.\-]{0,2}\d{3}[\s.\-]\d{4}(?!\d)")
# The matcher costs a fraction of a millisecond per hit; past this many hits in one text (a
# dump of numbers, or a payload built to be slow) the rest are replaced without asking it.
US_MATCHER_BUDGET = 1000
PHONE_REGIONS = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "AU", "IN", "BR", "JP", "CH", "PL",
                 "SE", "ZA", "SG", "MX", "IE", "AT", "BE", "DK", "NO", "FI", "PT", "CA", "NZ")  # noqa: E501


def _ssns(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), "US_SSN") for m in SSN.finditer(text)
             if ssn.is_valid(m[1] + m[3] + m[4])]
    spans += [Span(m.start("value"), m.end("value"), "US_SSN") for m in SSN_CONTEXT.finditer(text)
              if ssn.is_valid(m["value"].replace("-", "").replace(" ", ""))]
    return spans


def _nhs_numbers(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "NHS_NUMBER") for m in NHS.finditer(text)
            if (m[1] or "nhs" in text[max(0, m.start() - 40) : m.start()].lower())
            and nhs.is_valid(m[0])]


def _phones(text: str) -> list[Span]:
    import phonenumbers

    spans = []
    for m in PHONE_SHAPE.finditer(text):
        candidate = m[0].strip()
        digits = sum(c.isdigit() for c in candidate)
        if not 7 <= digits <= 15:
            continue
        international = candidate.startswith(("+", "00"))
        if not international and not PHONE_CONTEXT.search(text, max(0, m.start() - 60), m.start()):
            # national formats are ambiguous with ids and dates: only next to a phone word
            continue
        start = m.start() + m[0].index(candidate[0])
        if _is_phone(phonenumbers, candidate, international):
            spans.append(Span(start, start + len(candidate), "PHONE_NUMBER"))
    return spans


def _us_formatted(text: str) -> list[Span]:
    """US numbers written without a country code but formatted, "(415) 555-2671",
    "415-555-2671", "415.555.2671", "1-415-555-2671": personal data without a phone word.
    libphonenumber's matcher decides, at EXACT_GROUPING (a valid number, grouped as the
    national format groups it), on a few characters around each gate hit, for the first
    US_MATCHER_BUDGET hits; one unbroken run of digits is left to the context rule (ids,
    timestamps)."""
    import phonenumbers

    spans = []
    for n, hit in enumerate(US_GROUPS.finditer(text)):
        if n >= US_MATCHER_BUDGET:
            spans.append(Span(hit.start(), hit.end(), "PHONE_NUMBER"))
            continue
        begin = max(0, hit.start() - 4)
        window = text[begin : hit.end() + 2]
        for match in phonenumbers.PhoneNumberMatcher(
            window, "US", leniency=phonenumbers.Leniency.EXACT_GROUPING
        ):
            if not match.raw_string.isdigit():
                spans.append(Span(begin + match.start, begin + match.end, "PHONE_NUMBER"))
    return spans


def _is_phone(phonenumbers, candidate: str, international: bool) -> bool:
    if international:
        candidate = "+" + candidate[2:] if candidate.startswith("00") else candidate
        regions = (None,)
    else:
        regions = PHONE_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        # an international number of possible length is personal data whether or not its range
        # is assigned today; a national one must be valid in one of the regions
        if phonenumbers.is_possible_number(number) and (
            international or phonenumbers.is_valid_number(number)
        ):
            return True
    return False


def find(text: str) -> list[Span]:
    spans = _ssns(text) + _nhs_numbers(text) + _phones(text) + _us_formatted(text)
    spans += [Span(m.start(), m.end(), "CREDIT_CARD") for m in CARD.finditer(text)
              if luhn.is_valid(m[0].replace(" ", "").replace("-", ""))]
    spans += [Span(m.start(), m.end(), "UK_NINO") for m in NINO.finditer(text)]
    spans += [Span(m.start("value"), m.end("value"), "PASSPORT") for m in PASSPORT.finditer(text)]
    spans += [Span(m.start(), m.end(), "MAC_ADDRESS") for m in MAC.finditer(text)]
    spans += [Span(m.start(), m.end(), "EMAIL_ADDRESS") for m in EMAIL.finditer(text)]
    return spans


@functools.lru_cache(maxsize=1)
def warm() -> None:
    import phonenumbers

    phonenumbers.parse("+442079460000", None)
