"""National and personal identifiers: checksums where the scheme has one (python-stdnum for US
SSN rules and the NHS mod-11), HMRC's NINO prefix rules, context words where the value alone is
ambiguous (passports, dates of birth, bare nine-digit SSNs), MAC addresses, emails with Unicode
local parts and IDN domains, and phone numbers of every region through Google's libphonenumber."""

from __future__ import annotations

import functools

import regex
from stdnum import luhn
from stdnum.gb import nhs
from stdnum.us import ssn

from consent.pii.spans import Span

# Context: a keyword, then at most 30 characters of key/value punctuation or filler words.
_FILLER = (
    r"""(?:[\s"'=:#,(\[{]|\b(?:is|was|of|on|no|number|num|nr|id)\b|_(?:no|number|num|id)\b){0,8}"""  # noqa: E501
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
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")  # fmt: skip
_DATE = (rf"(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})")  # fmt: skip  # noqa: E501
DATE_OF_BIRTH = regex.compile(
    r"(?i)\b(?:dob|d\.o\.b\.?|date[\s_-]?of[\s_-]?birth|birth[\s_-]?(?:date|day)|birthday|born(?:[\s_]on)?"
    r"|geburtsdatum|geboren|date[\s_]de[\s_]naissance|n[ée]e?\s+le|fecha[\s_]de[\s_]nacimiento)"
    + _FILLER
    + rf"(?<value>{_DATE})(?!\d)"
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
PHONE_REGIONS = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "AU", "IN", "BR", "JP", "CH", "PL",
                 "SE", "ZA", "SG", "MX", "IE", "AT", "BE", "DK", "NO", "FI", "PT", "CA", "NZ")  # fmt: skip  # noqa: E501


def _ssns(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), "US_SSN") for m in SSN.finditer(text)
             if ssn.is_valid(m[1] + m[3] + m[4])]  # fmt: skip
    spans += [Span(m.start("value"), m.end("value"), "US_SSN") for m in SSN_CONTEXT.finditer(text)
              if ssn.is_valid(m["value"].replace("-", "").replace(" ", ""))]  # fmt: skip
    return spans


def _nhs_numbers(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "NHS_NUMBER") for m in NHS.finditer(text)
            if (m[1] or "nhs" in text[max(0, m.start() - 40) : m.start()].lower())
            and nhs.is_valid(m[0])]  # fmt: skip


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
    spans = _ssns(text) + _nhs_numbers(text) + _phones(text)
    spans += [Span(m.start(), m.end(), "CREDIT_CARD") for m in CARD.finditer(text)
              if luhn.is_valid(m[0].replace(" ", "").replace("-", ""))]  # fmt: skip
    spans += [Span(m.start(), m.end(), "UK_NINO") for m in NINO.finditer(text)]
    spans += [Span(m.start("value"), m.end("value"), "PASSPORT") for m in PASSPORT.finditer(text)]
    spans += [Span(m.start("value"), m.end("value"), "DATE_OF_BIRTH")
              for m in DATE_OF_BIRTH.finditer(text)]  # fmt: skip
    spans += [Span(m.start(), m.end(), "MAC_ADDRESS") for m in MAC.finditer(text)]
    spans += [Span(m.start(), m.end(), "EMAIL_ADDRESS") for m in EMAIL.finditer(text)]
    return spans


@functools.lru_cache(maxsize=1)
def warm() -> None:
    import phonenumbers

    phonenumbers.parse("+442079460000", None)
