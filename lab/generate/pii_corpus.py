"""A seeded corpus of PII inside realistic stack traces and messages, to measure the recall of
consent.pii.scrub_text: each sample knows the exact values it planted."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    kind: str
    text: str
    secret: str  # the planted value; recall = it no longer appears in the scrubbed text


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    digits = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 0:
            number *= 2
            number -= 9 if number > 9 else 0
        total += number
    return digits + str((10 - total % 10) % 10)


def _grouped(number: str) -> str:
    """A card number as people and forms write it: groups of four."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def _word(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(n))


def _token(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


GENERATORS = {
    "email": lambda r: f"{_word(r)}.{_word(r, 4)}@{_word(r, 7)}.{r.choice(['com', 'io', 'de'])}",
    "ipv4": lambda r: ".".join(str(r.randint(1, 254)) for _ in range(4)),
    "ipv6": lambda r: ":".join(f"{r.randint(0, 65535):x}" for _ in range(8)),
    "card": lambda r: _grouped(
        _luhn_complete(r.choice(["4", "51", "55", "37"]), 16 if r.random() < 0.8 else 15, r)
    ),
    "phone": lambda r: r.choice(
        [
            f"+1 {r.randint(201, 989)}-{r.randint(200, 999)}-{r.randint(1000, 9999)}",
            f"({r.randint(201, 989)}) {r.randint(200, 999)}-{r.randint(1000, 9999)}",
            f"+44 20 {r.randint(7000, 8999)} {r.randint(1000, 9999)}",
            f"+49 30 {r.randint(1000000, 9999999)}",
        ]
    ),
    "bearer": lambda r: _token(r, 32),
    "aws_key": lambda r: "AKIA" + _token(r, 16, string.ascii_uppercase + string.digits),
    "github": lambda r: "ghp_" + _token(r, 36),
    "stripe": lambda r: r.choice(["sk_live_", "rk_live_", "sk_test_"]) + _token(r, 24),
    "slack": lambda r: f"xoxb-{r.randint(10**10, 10**11)}-{_token(r, 24)}",
    "google": lambda r: "AIza" + _token(r, 35, string.ascii_letters + string.digits + "-_"),
    "jwt": lambda r: "eyJ" + _token(r, 20) + "." + "eyJ" + _token(r, 30) + "." + _token(r, 43),
    "url_password": lambda r: _token(r, 12),
    "password": lambda r: _token(r, 14),
    "home_user": lambda r: _word(r, r.randint(4, 9)),
}

TEMPLATES = {
    "email": ["ValueError: no account for {v}", "sending receipt to {v} failed: 550 mailbox full"],
    "ipv4": ["ConnectionRefusedError: [Errno 111] connect to {v}:5432 refused",
             "rate limit exceeded for client {v}"],
    "ipv6": ["OSError: could not bind {v} port 8080", "request from [{v}] rejected"],
    "card": ["PaymentError: card {v} declined (insufficient funds)",
             "charge failed: {{'card': '{v}', 'amount': 4200}}"],
    "phone": ["SMS to {v} failed: carrier unreachable", "invalid callback number {v}"],
    "bearer": ["HTTP 401 for GET /api/me with headers {{'Authorization': 'Bearer {v}'}}"],
    "aws_key": ["botocore.exceptions.ClientError: InvalidAccessKeyId: {v} does not exist"],
    "github": ["git clone https://x-access-token@github.com/acme/app failed; token={v}",
               "GitHub API 403 using {v}"],
    "stripe": ["stripe.error.AuthenticationError: Invalid API Key provided: {v}"],
    "slack": ["SlackApiError: invalid_auth for token {v}"],
    "google": ["googleapiclient.errors.HttpError 403 for key={v}"],
    "jwt": ["jwt.exceptions.ExpiredSignatureError: token {v} expired"],
    "url_password": ["OperationalError: could not connect to postgres://app:{v}@db.internal:5432/prod",
                     "redis.exceptions.AuthenticationError for redis://default:{v}@cache:6379/0"],
    "password": ["ValueError: login failed with password={v}", "config error: secret: {v}"],
    "home_user": ['File "/home/{v}/projects/shop/cart.py", line 41, in average_price',
                  'File "/Users/{v}/src/app/models.py", line 12, in save',
                  'File "C:\\\\Users\\\\{v}\\\\app\\\\main.py", line 3, in <module>'],
}

TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/srv/app/shop/views.py", line {line}, in checkout\n'
    "    total = cart.average_price()\n"
    "{body}\n"
)


def corpus(size_per_kind: int = 100, seed: int = 17) -> list[Sample]:
    rng = random.Random(seed)
    samples = []
    for kind, generate in GENERATORS.items():
        for _ in range(size_per_kind):
            value = generate(rng)
            sentence = rng.choice(TEMPLATES[kind]).format(v=value)
            text = TRACE.format(line=rng.randint(10, 400), body=sentence)
            samples.append(Sample(kind, text, value))
    return samples
