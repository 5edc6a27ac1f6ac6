"""Creating a token: a secret in Sentry's user-token shape (`sntryu_` and 64 hex digits, which
sentry-cli recognises), shown once to its owner; the row keeps its hash and first characters."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from access.scopes import PRESETS
from apitokens.models import ApiToken

PREFIX = "sntryu_"
SHOWN = len(PREFIX) + 6  # enough to tell one's tokens apart, far too little to guess the rest


def digest(secret: str) -> str:
    """What is stored and looked up: the secret's SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name: str, access: str,
                 days: int | None = None) -> tuple[ApiToken, str]:
    """The stored row and the secret itself, which is never stored. `access` names one of
    access.scopes.PRESETS; `days` None: it never expires."""
    secret = PREFIX + secrets.token_hex(32)
    expires_at = timezone.now() + timedelta(days=days) if days else None
    row = ApiToken.objects.create(
        user=user, name=name[:100], token_hash=digest(secret), prefix=secret[:SHOWN],
        scopes=list(PRESETS[access][1]), expires_at=expires_at,
    )
    return row, secret
