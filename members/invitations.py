"""Invitations: create (within the inviter's rights), the signed link, resolve a link to its
open invitation, accept (once), revoke. Views stay thin; every rule lives here.

The link carries the invitation's id signed with Django's TimestampSigner (SECRET_KEY, a salt
of its own): nothing secret is stored, a forged link fails the signature, an old one fails
`max_age`, and a used or revoked one is refused by its row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from access import OWNERS_ONLY, may_change_membership, role_of
from members import throttle
from members.mail import send_invitation
from members.models import Invitation
from monitor import limits
from monitor.models import Membership, Organization
from monitor.params import as_natural

SALT = "members.invitation"


@dataclass(frozen=True)
class InvitationProblem(Exception):
    """Why a link cannot be used: an HTTP status and words for the invitee."""

    status: int
    title: str
    detail: str


FORGED = InvitationProblem(404, "This invitation link is not valid",
                           "Check that the whole link was copied from the e-mail.")
EXPIRED = InvitationProblem(410, "This invitation has expired",
                            "Ask the person who invited you to send a new one.")
USED = InvitationProblem(410, "This invitation has already been used",
                         "Sign in with the account that accepted it.")
REVOKED = InvitationProblem(410, "This invitation was withdrawn",
                            "Ask the organisation's owners or admins if you still need access.")
INVITER_LOST_RIGHTS = InvitationProblem(
    410, "This invitation is no longer valid",
    "The person who invited you may no longer grant this role. Ask the organisation's owners "
    "or admins for a new invitation.")
OTHER_ADDRESS = InvitationProblem(
    403, "This invitation is for another e-mail address",
    "Sign out, then open the link again to sign in or create an account with the invited "
    "address.")


class TooManyInvitations(Exception):
    """The organisation sent INVITATION_MAILS_PER_ORGANIZATION invitations this window."""


def max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def expires(invitation: Invitation) -> dt.datetime:
    return invitation.created_at + max_age()


def signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def token_for(invitation: Invitation) -> str:
    return signer().sign(str(invitation.pk))


def link_for(invitation: Invitation) -> str:
    return settings.FAULTLINE_URL + reverse("members:accept", args=[token_for(invitation)])


def allowed_roles(actor_role: str | None) -> list[tuple[str, str]]:
    """The roles someone of `actor_role` may invite as (the same rule as changing a role)."""
    return [(value, label) for value, label in Membership.Role.choices
            if may_change_membership(actor_role, None, value)]


def invite(organization: Organization, email: str, role: str, inviter) -> Invitation:
    """A new open invitation (replacing an open one to the same address), e-mailed before the
    transaction commits: if the mail server refuses, nothing is left behind and the caller
    sees the error. Whether the address has an account anywhere makes no difference."""
    actor = role_of(inviter, organization.id)
    if not may_change_membership(actor, None, role):
        raise PermissionDenied(OWNERS_ONLY)
    if not throttle.take([("invitations", str(organization.id),
                           settings.INVITATION_MAILS_PER_ORGANIZATION)]):
        raise TooManyInvitations
    email = BaseUserManager.normalize_email(email)
    now = timezone.now()
    with transaction.atomic():
        replaced = Invitation.objects.filter(
            organization=organization, email__iexact=email, accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        # Replacing withdraws the old invitation: the same rule as revoke().
        if any(not may_change_membership(actor, old, None)
               for old in replaced.values_list("role", flat=True)):
            raise PermissionDenied(OWNERS_ONLY)
        replaced.update(revoked_at=now, revoked_by=inviter)
        invitation = Invitation.objects.create(organization=organization, email=email, role=role,
                                               invited_by=inviter)
        send_invitation(invitation, link_for(invitation), expires(invitation))
    return invitation


def open_invitations(organization: Organization):
    return (organization.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by").order_by("email"))


def revoke(organization: Organization, invitation_id: str, by) -> Invitation | None:
    """Withdraw an open invitation of this organisation (None if there is none by that id).
    Admins cannot withdraw an invitation as owner, as they cannot remove an owner."""
    invitation = open_invitations(organization).filter(pk=_int(invitation_id)).first()
    if invitation is None:
        return None
    if not may_change_membership(role_of(by, organization.id), invitation.role, None):
        raise PermissionDenied(OWNERS_ONLY)
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by)
    return invitation


def resolve(token: str) -> Invitation:
    """The open invitation a link names, or InvitationProblem (forged, expired, used,
    withdrawn)."""
    if not token or len(token) > limits.INVITATION_TOKEN_CHARS:
        raise FORGED
    try:
        invitation_id = signer().unsign(token, max_age=max_age())
    except signing.SignatureExpired:
        raise EXPIRED from None
    except signing.BadSignature:
        raise FORGED from None
    invitation = (Invitation.objects.select_related("organization", "invited_by")
                  .filter(pk=_int(invitation_id)).first())
    if invitation is None:
        raise FORGED
    if invitation.revoked_at is not None:
        raise REVOKED
    if invitation.accepted_at is not None:
        raise USED
    if not inviter_may_still_grant(invitation):
        raise INVITER_LOST_RIGHTS
    return invitation


def inviter_may_still_grant(invitation: Invitation) -> bool:
    """An invitation carries its inviter's rights as they are now, not as they were: once the
    inviter is demoted, removed or deleted, what they could no longer grant lapses."""
    inviter = invitation.invited_by
    return inviter is not None and may_change_membership(
        role_of(inviter, invitation.organization_id), None, invitation.role)


def addressed_to(invitation: Invitation, user) -> bool:
    """The invitation is bound to its address: only an account with that e-mail accepts it, so
    a forwarded or leaked link does not let someone else in."""
    return bool(user.email) and user.email.casefold() == invitation.email.casefold()


def accept(invitation: Invitation, user) -> tuple[Membership, bool]:
    """Join the organisation with the invited role (a present membership keeps its role).
    The claim is a conditional update, so a link works once even when clicked twice at once.
    Returns the membership and whether it is new."""
    if not addressed_to(invitation, user):
        raise OTHER_ADDRESS
    if not inviter_may_still_grant(invitation):
        raise INVITER_LOST_RIGHTS
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True,
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not claimed:
            raise USED
        return Membership.objects.get_or_create(
            user=user, organization=invitation.organization, defaults={"role": invitation.role})


def _int(value) -> int | None:
    return as_natural(str(value or ""))
