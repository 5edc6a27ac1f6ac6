"""Invitation pages: the inviter's actions (from the organisation settings page) and the link
the invitee opens. Rules live in members.invitations; a bad link is a page that says why,
with its status (404 forged, 410 expired/used/withdrawn, 403 another address), never a 500."""

from __future__ import annotations

import logging
import smtplib

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access import organization_view
from members import invitations
from members.forms import InvitedSignupForm, InviteForm
from monitor.models import Organization

log = logging.getLogger(__name__)


@organization_view(manage=True)
@require_POST
def invitation_action(request, organization):
    """Invite by e-mail or withdraw an open invitation (owners and admins)."""
    if request.POST.get("action") == "revoke":
        revoked = invitations.revoke(organization, request.POST.get("invitation"), request.user)
        if revoked:
            messages.success(request, f"Invitation to {revoked.email} withdrawn.")
    elif request.POST.get("action") == "invite":
        _invite(request, organization)
    return redirect(reverse("web:organization-settings", args=[organization.slug]) + "#members")


def _invite(request, organization: Organization) -> None:
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Invitation not sent: " + "; ".join(
            f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
        return
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    try:
        invitations.invite(organization, email, role, request.user)  # checks the role
    except invitations.TooManyInvitations:
        messages.error(request, "Too many invitations were sent from this organisation recently; "
                                "try again later.")
        return
    except IntegrityError:  # the same address invited at the same moment by someone else
        messages.error(request, f"An invitation to {email} was just sent; see the list.")
        return
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("invitation to %s not sent: %s", email, exc)
        messages.error(request, f"The e-mail to {email} could not be sent ({type(exc).__name__});"
                                " no invitation was made. Try again later.")
        return
    messages.success(request, f"Invitation sent to {email}.")


def accept(request, token):
    """The invitee's page: accept (signed in with the invited address), sign in, or create an
    account bound to the invited address."""
    try:
        invitation = invitations.resolve(token)
        if request.user.is_authenticated:
            return _accept_signed_in(request, invitation)
        return _accept_anonymous(request, invitation)
    except invitations.InvitationProblem as problem:
        return render(request, "members/invitation_problem.html", {"problem": problem},
                      status=problem.status)


def _accept_signed_in(request, invitation):
    if not invitations.addressed_to(invitation, request.user):
        raise invitations.OTHER_ADDRESS
    if request.method == "POST":
        return _joined(request, invitation, request.user)
    return render(request, "members/invitation.html", {"invitation": invitation})


def _accept_anonymous(request, invitation):
    users = get_user_model().objects.filter(email__iexact=invitation.email, is_active=True)
    if users.exists():  # the invitee has an account: sign in with it, then accept
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "members/invitation.html", {
            "invitation": invitation, "sign_in": reverse("web:login") + "?next=" +
            request.path})
    form = InvitedSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # no account is left behind if the link was used meanwhile
            user = form.save()
            response = _joined(request, invitation, user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return response
    return render(request, "members/invitation.html", {"invitation": invitation, "form": form},
                  status=400 if form.is_bound else 200)


def _joined(request, invitation, user):
    membership, created = invitations.accept(invitation, user)
    organization = invitation.organization
    if created:
        messages.success(request, f"You joined {organization.name} as "
                                  f"{membership.get_role_display().lower()}.")
    else:
        messages.info(request, f"You were already a member of {organization.name}; your role "
                               "is unchanged.")
    return redirect("web:organization-settings", organization.slug)
