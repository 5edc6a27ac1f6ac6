"""PII scrubbing with presidio for text that may enter a training set, fully offline.

The analyzer runs on a blank spaCy English pipeline (tokens only; no model download: an
installed `en_core_web_*` model is not required and not fetched) with pattern recognizers only:
presidio's own for card numbers (Luhn-checked), IP addresses, phone numbers and IBANs, plus ours
for what stack traces leak: emails, bearer tokens, AWS/GitHub/Stripe/Slack/Google keys, JWTs,
private-key blocks, credentials in URLs, `password=`-style assignments and user names in home
directory paths. Presidio's email recognizer is not used: it validates domains with
tldextract, which would fetch the public suffix list.

Recall on a seeded corpus of such values inside stack traces and messages: bench/pii_recall.py.
"""

from __future__ import annotations

import functools

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import SlimSpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
)
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

PATTERNS: dict[str, list[tuple[str, str]]] = {
    "EMAIL_ADDRESS": [("email", r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,24}\b")],
    "BEARER_TOKEN": [("bearer", r"(?i)(?<=bearer )[A-Za-z0-9\-._~+/]{16,}=*")],
    "JWT": [("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")],
    "AWS_KEY": [
        ("aws access key id", r"\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b"),
        ("aws secret", r"(?i)(?<=aws_secret_access_key)[\s\"':=]+[A-Za-z0-9/+]{40}\b"),
    ],
    "GITHUB_TOKEN": [
        ("github", r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"),
        ("github fine-grained", r"\bgithub_pat_[A-Za-z0-9_]{60,255}\b"),
    ],
    "STRIPE_KEY": [("stripe", r"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}\b")],
    "SLACK_TOKEN": [("slack", r"\bxox[abprs]-[A-Za-z0-9\-]{10,250}\b")],
    "GOOGLE_API_KEY": [("google", r"\bAIza[0-9A-Za-z\-_]{35}(?![0-9A-Za-z\-_])")],
    # North-American formats whatever the area code (phonenumbers rejects unassigned ones)
    "PHONE_NUMBER": [
        ("nanp", r"(?<![\w-])(?:\+1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}\b")
    ],
    "PRIVATE_KEY": [
        ("pem", r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----")
    ],
    "URL_CREDENTIALS": [("userinfo", r"(?<=://)[^\s:/@]+:[^\s@/]+(?=@)")],
    "SECRET_ASSIGNMENT": [(
        "key = value",
        r"(?i)(?<=password|passwd|secret|api_key|apikey|token|auth)(?:[\"']?\s*[:=]\s*[\"']?)"
        r"[^\s\"'&,;]{4,}",
    )],
    "HOME_USERNAME": [
        ("unix home", r"(?<=/home/)[^/\s\"':]+"),
        ("macos home", r"(?<=/Users/)[^/\s\"':]+"),
        ("windows home", r"(?i)(?<=\\users\\)[^\\\s\"':]+"),
        ("windows home, escaped", r"(?i)(?<=\\\\users\\\\)[^\\\s\"':]+"),
    ],
}  # fmt: skip

PRESIDIO_ENTITIES = ["CREDIT_CARD", "IP_ADDRESS", "PHONE_NUMBER", "IBAN_CODE"]
ENTITIES = sorted({*PRESIDIO_ENTITIES, *PATTERNS})


class BlankEnglish(SlimSpacyNlpEngine):
    """Tokenization only, from spaCy's blank English pipeline: nothing to download."""

    def __init__(self):
        super().__init__(models=[{"lang_code": "en", "model_name": "blank"}], auto_download=False)
        self.models = []
        self._blank_languages = {"en"}


@functools.lru_cache(maxsize=1)
def analyzer() -> AnalyzerEngine:
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (CreditCardRecognizer(), IpRecognizer(), PhoneRecognizer(), IbanRecognizer()):
        registry.add_recognizer(recognizer)
    for entity, patterns in PATTERNS.items():
        registry.add_recognizer(PatternRecognizer(
            supported_entity=entity,
            patterns=[Pattern(name, regex, 0.9) for name, regex in patterns],
        ))  # fmt: skip
    engine = BlankEnglish()
    engine.load()
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


@functools.lru_cache(maxsize=1)
def anonymizer() -> AnonymizerEngine:
    return AnonymizerEngine()


def scrub_text(text: str) -> str:
    """Every detected value replaced by `<ENTITY_TYPE>`."""
    if not text:
        return text
    findings = analyzer().analyze(text=text, language="en", entities=ENTITIES, score_threshold=0.3)
    if not findings:
        return text
    operators = {entity: OperatorConfig("replace", {"new_value": f"<{entity}>"})
                 for entity in ENTITIES}  # fmt: skip
    return anonymizer().anonymize(text=text, analyzer_results=findings, operators=operators).text
