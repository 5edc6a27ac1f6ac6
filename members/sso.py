"""Single sign-on through OpenID Connect (mozilla-django-oidc), on when OIDC_RP_CLIENT_ID is set.

Who may come in is this module's rule: the provider must say the e-mail address is verified;
an active account with that address (exactly one) signs in; an address without an account
gets one only when an organisation has an open, valid invitation for it, and signing in then
accepts the invitation (the same `members.invitations.accept` the e-mailed link uses). Anyone
else is refused: a provider that lets anybody sign up does not open Faultline to everybody.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from members import invitations
from members.models import Invitation
from monitor import limits

log = logging.getLogger(__name__)


def verified_email(claims: dict) -> str | None:
    """The claims' e-mail when the provider vouches for it (`email_verified` exactly true)."""
    email = claims.get("email")
    if not isinstance(email, str) or not 3 <= len(email) <= limits.EMAIL_CHARS or "@" not in email:
        return None
    return email if claims.get("email_verified") is True else None


def valid_invitations(email: str) -> list[Invitation]:
    """Open invitations to this address that have not expired and whose inviter may still
    grant the role."""
    oldest = timezone.now() - invitations.max_age()
    found = (Invitation.objects.select_related("organization", "invited_by")
             .filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True,
                     created_at__gte=oldest))
    return [invitation for invitation in found if invitations.inviter_may_still_grant(invitation)]


def username_for(email: str) -> str:
    """A free username from the address's local part (`ada`, `ada-2`, ...)."""
    users = get_user_model().objects
    base = "".join(c for c in email.split("@")[0] if c.isalnum() or c in "._-")[:100] or "user"
    name, n = base, 1
    while users.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


class SSOBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict) -> bool:
        return verified_email(claims) is not None

    def filter_users_by_claims(self, claims: dict):
        email = verified_email(claims)
        users = self.UserModel.objects.filter(email__iexact=email, is_active=True)
        if email is None or users.count() != 1:
            return self.UserModel.objects.none()  # nobody, or an ambiguous address
        return users

    def create_user(self, claims: dict):
        email = verified_email(claims)
        if self.UserModel.objects.filter(email__iexact=email).exists():
            return None  # an inactive or ambiguous account: never a second one
        pending = valid_invitations(email)
        if not pending:
            log.info("single sign-on refused: no account or invitation for the address")
            return None
        user = self.UserModel.objects.create_user(username_for(email), email=email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        for invitation in pending:
            invitations.accept(invitation, user)
        return user

    def update_user(self, user, claims: dict):
        return user  # the provider does not rename accounts here
