"""Organisation auth tokens in Sentry's `sntrys_<base64 payload>_<secret>` format: the payload
names the server URL and the organisation, so `sentry-cli` needs no other configuration. A
user's personal API token (apitokens) is accepted too, with its own scopes."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from access.scopes import may_upload
from apitokens.check import last_use_due, live_token, secret_of
from monitor.models import Membership, Organization
from sourcemaps.models import OrgAuthToken

PREFIX = "sntrys_"
CI_SCOPES = ["org:ci", "project:releases", "project:read", "org:read"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_org_token(organization: Organization, name: str, user=None,
                     url: str | None = None) -> tuple[OrgAuthToken, str]:
    """The stored row and the token itself, which is shown once and never stored."""
    payload = {"iat": int(time.time()), "url": (url or settings.FAULTLINE_URL).rstrip("/"),
               "region_url": (url or settings.FAULTLINE_URL).rstrip("/"),
               "org": organization.slug}
    encoded = base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    secret = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    token = f"{PREFIX}{encoded}_{secret}"
    row = OrgAuthToken.objects.create(
        organization=organization, name=name[:100], token_hash=_hash(token),
        token_last_characters=token[-4:], scopes=CI_SCOPES, created_by=user,
    )
    return row, token


@dataclass(frozen=True)
class Caller:
    """Who called: an organisation token (scoped to one organisation) or a user's API token."""

    organization_id: int | None
    user_id: int | None
    scopes: tuple[str, ...]

    def may_upload(self) -> bool:
        """Whether the token's scopes allow uploads at all (access.scopes)."""
        return may_upload(self.scopes)

    def may_upload_to(self, organization: Organization) -> bool:
        if self.organization_id is not None:
            return self.organization_id == organization.id
        return Membership.objects.filter(user_id=self.user_id, organization=organization).exists()


def caller_of(authorization: str) -> Caller | None:
    """`Bearer <token>` (sentry-cli) or `Token <key>`; None when missing, unknown, expired or
    revoked."""
    token = secret_of(authorization)
    if token is None:
        return None
    if token.startswith(PREFIX):
        row = OrgAuthToken.objects.filter(token_hash=_hash(token)).first()
        if row is None:
            return None
        now = timezone.now()
        if last_use_due(row.last_used_at, now):  # not a write per chunk of an upload
            OrgAuthToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return Caller(row.organization_id, None, tuple(row.scopes))
    user_token = live_token(token)
    if user_token is None:
        return None
    return Caller(None, user_token.user_id, tuple(user_token.scopes))
