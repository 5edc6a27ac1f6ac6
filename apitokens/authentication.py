"""The DRF authentication of personal API tokens. The request's `auth` is the token, whose
scopes access.permissions.TokenScopes then applies; its `user` is the token's user, whose
memberships and role limit everything as for a session."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from apitokens.check import SCHEMES, live_token, secret_of

INVALID = "invalid, expired or revoked token"


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` or `Token <token>`; other schemes go to the next class."""

    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        if header.strip().partition(" ")[0].lower() not in SCHEMES:
            return None
        secret = secret_of(header)
        row = live_token(secret) if secret else None
        if row is None:  # one answer for unknown, expired and revoked: no oracle
            raise AuthenticationFailed(INVALID)
        return row.user, row

    def authenticate_header(self, request) -> str:
        return "Bearer"  # so an unauthenticated request gets 401, not 403
