"""The DRF permissions. `ManagersWrite`: members read, owners and admins also change (a viewset
using it says which organisation an object belongs to, `organization_id_of`). `TokenScopes`:
a request made with a personal API token does only what the token's scopes allow; it is in
DEFAULT_PERMISSION_CLASSES and in every view that names its own permission classes.
`SessionOnly`: what a token must never do (mint tokens)."""

from __future__ import annotations

from rest_framework import permissions

from access.lookup import MANAGERS_ONLY
from access.roles import can_manage
from access.scopes import TOKEN_READ_ONLY, may_request

SESSION_ONLY = "tokens cannot do this: sign in"


class ManagersWrite(permissions.BasePermission):
    """Members read; owners and admins also create, change and delete."""

    message = MANAGERS_ONLY

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage(request.user, view.organization_id_of(obj))


def token_scopes(request) -> tuple[str, ...] | None:
    """The scopes of the token that authenticated the request; None for a session (or basic
    auth), which the user's role alone limits. Read off `request.auth` so that this package
    imports no token model."""
    scopes = getattr(request.auth, "scopes", None)
    return None if scopes is None else tuple(scopes)


class TokenScopes(permissions.BasePermission):
    """A read-only token reads; changing anything needs the write scopes. Checked before any
    object is looked up, so the answer (403) says nothing about what exists."""

    message = TOKEN_READ_ONLY

    def has_permission(self, request, view) -> bool:
        scopes = token_scopes(request)
        return scopes is None or may_request(scopes, request.method)


class SessionOnly(permissions.BasePermission):
    """Signed in, not a token: a token that could create tokens could outlive its expiry or
    widen its scopes."""

    message = SESSION_ONLY

    def has_permission(self, request, view) -> bool:
        return token_scopes(request) is None
