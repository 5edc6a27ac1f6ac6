"""The live token for a presented secret: known by its hash, not expired, its user active.
Unknown, expired and revoked secrets are alike to the caller (None), so nothing tells them
apart. Last use is written at most once a minute per token, not on every request."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apitokens.mint import digest
from apitokens.models import ApiToken
from monitor import limits
from monitor.params import as_id

LAST_USED_EVERY = timedelta(minutes=1)
SCHEMES = ("bearer", "token")  # sentry-cli sends Bearer; DRF's clients sent Token


def secret_of(authorization: str) -> str | None:
    """The secret of an `Authorization: Bearer <secret>` or `Token <secret>` header."""
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() not in SCHEMES or not secret or len(secret) > limits.AUTH_SECRET_CHARS:
        return None
    return secret


def live_token(secret: str) -> ApiToken | None:
    """The token whose secret this is, if it may still be used; its last use recorded."""
    now = timezone.now()
    row = ApiToken.objects.select_related("user").filter(token_hash=digest(secret)).first()
    if row is None or not row.user.is_active or (row.expires_at and row.expires_at <= now):
        return None
    if last_use_due(row.last_used_at, now):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def last_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a token's last use is old enough to write again (LAST_USED_EVERY): a chunked
    upload or a script's loop would otherwise write a row per request."""
    return last_used_at is None or now - last_used_at >= LAST_USED_EVERY


def own_token(user, token_id: object) -> ApiToken:
    """The user's token by id (a form's text, or a JSON body's number); another user's, or no
    such id, is a 404 alike."""
    if isinstance(token_id, int) and not isinstance(token_id, bool):
        token_id = str(token_id)
    pk = as_id(token_id)
    if pk is None:
        raise Http404
    return get_object_or_404(ApiToken, user=user, pk=pk)
