"""Credentials and machine identifiers that stack traces leak: presidio's checksum-validated
card (Luhn), IBAN (mod 97) and IP recognizers, and Faultline's patterns for keys and tokens."""

from __future__ import annotations

import functools

import regex

from consent.pii.spans import Span

PATTERNS: dict[str, list[str]] = {
    "BEARER_TOKEN": [r"(?i)(?<=bearer )[A-Za-z0-9\-._~+/]{16,}=*"],
    "JWT": [r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"],
    "AWS_KEY": [
        r"\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b",
        r"(?i)(?<=aws_secret_access_key)[\s\"':=]+[A-Za-z0-9/+]{40}\b",
    ],
    "GITHUB_TOKEN": [r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b", r"\bgithub_pat_[A-Za-z0-9_]{60,255}\b"],
    "STRIPE_KEY": [r"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}\b"],
    "SLACK_TOKEN": [r"\bxox[abprs]-[A-Za-z0-9\-]{10,250}\b"],
    "GOOGLE_API_KEY": [r"\bAIza[0-9A-Za-z\-_]{35}(?![0-9A-Za-z\-_])"],
    "PRIVATE_KEY": [r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]{0,20000}?-----END [A-Z ]*PRIVATE KEY-----"],  # noqa: E501
    # user:password@ in any URL; the password may contain anything but whitespace, @ and /
    "URL_CREDENTIALS": [r"(?<=://)[^\s:/@]{1,256}:[^\s@/]{1,256}(?=@)"],
    "SECRET_ASSIGNMENT": [
        r"(?i)(?<=password|passwd|secret|api_key|apikey|token|auth)(?:[\"']?\s*[:=]\s*[\"']?)"
        r"[^\s\"'&,;]{4,}",
    ],
    "HOME_USERNAME": [
        r"(?<=/home/)[^/\s\"':]+",
        r"(?<=/Users/)[^/\s\"':]+",
        r"(?i)(?<=\\users\\)[^\\\s\"':]+",
        r"(?i)(?<=\\\\users\\\\)[^\\\s\"':]+",
    ],
}

COMPILED = [(entity, regex.compile(pattern)) for entity, patterns in PATTERNS.items()
            for pattern in patterns]


@functools.lru_cache(maxsize=1)
def _presidio():
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        IbanRecognizer,
        IpRecognizer,
    )

    return [(CreditCardRecognizer(), "CREDIT_CARD"), (IbanRecognizer(), "IBAN_CODE"),
            (IpRecognizer(), "IP_ADDRESS")]


def find(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), entity) for entity, pattern in COMPILED
             for m in pattern.finditer(text)]
    for recognizer, entity in _presidio():
        for result in recognizer.analyze(text, [entity], None):
            if result.score >= 0.3:
                spans.append(Span(result.start, result.end, entity, result.score))
    return spans
