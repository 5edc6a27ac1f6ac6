"""Project and organisation settings pages. Everyone in the organisation reads them; owners and
admins change them (the same rule as the API's)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access import (
    OWNERS_ONLY,
    can_manage,
    is_owner,
    may_change_membership,
    organization_view,
    project_view,
    require_manager,
    role_of,
    visible_projects,
)
from access.scopes import label_of
from apitokens.check import own_token
from apitokens.forms import NewTokenForm
from consent.policy import consent_summary
from members import invitations
from monitor.models import Membership, Organization, ProjectKey
from web import grouping_views
from web.forms import KeyForm, ProjectSettingsForm, RotateForm
from web.keys import retire_due, rotate
from web.models import KeyRetirement


@project_view()
def project_settings(request, org, project):
    retire_due()
    form = ProjectSettingsForm(request.POST or None, instance=project)
    if request.method == "POST":
        require_manager(request.user, project.organization_id)
        if form.is_valid():
            form.save()
            messages.success(request, "Project settings saved.")
            return redirect("web:project-settings", org, project.slug)
    return render(request, "web/project_settings.html", {
        "project": project, "projects": visible_projects(request.user), "form": form,
        "keys": project.keys.select_related("retirement").order_by("id"), "key_form": KeyForm(),
        "rotate_form": RotateForm(),
        "can_manage": can_manage(request.user, project.organization_id),
        "key": project.keys.filter(is_active=True).order_by("id").first(),
        **grouping_views.settings_panel(project),
    })


@project_view(manage=True)
@require_POST
def key_action(request, org, project):
    action = request.POST.get("action")
    if action == "create":
        form = KeyForm(request.POST)
        if form.is_valid():
            form.instance.project = project
            form.save()
            messages.success(request, "Key created.")
        else:
            messages.error(request, "Key not created: " + "; ".join(
                f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
    else:
        key = get_object_or_404(ProjectKey, project=project, pk=request.POST.get("key"))
        if action in ("disable", "enable"):
            key.is_active = action == "enable"
            key.save(update_fields=["is_active"])
            KeyRetirement.objects.filter(key=key).delete()
            messages.success(request, f"Key {key.label} {action}d.")
        elif action == "rotate" and key.is_active:
            rotation = RotateForm(request.POST)
            if request.POST.get("confirm") != "yes" or not rotation.is_valid():
                messages.error(request, "Rotation needs confirmation and a valid grace period.")
            else:
                grace = rotation.cleaned_data["grace"]
                rotate(key, grace)
                messages.success(request, "New key created; the old one " + (
                    f"keeps working for {grace // 3600} hours." if grace else "is disabled."))
    return redirect("web:project-settings", org, project.slug)


def _change_membership(request, organization: Organization) -> None:
    """Re-role or remove a member, within what the acting user's role allows. People join by
    invitation only (members.invitations): nobody is added without accepting."""
    action = request.POST.get("action")
    actor = role_of(request.user, organization.id)
    role = request.POST.get("role", Membership.Role.MEMBER)
    if action not in ("role", "remove"):
        return
    membership = get_object_or_404(Membership, organization=organization,
                                   pk=request.POST.get("membership"))
    new = None if action == "remove" else role
    if new is not None and new not in Membership.Role.values:
        return
    if not may_change_membership(actor, membership.role, new):
        raise PermissionDenied(OWNERS_ONLY)
    owners = organization.memberships.filter(role=Membership.Role.OWNER)
    if membership.role == Membership.Role.OWNER and owners.count() == 1 and new != "owner":
        messages.error(request, "An organisation keeps at least one owner.")
    elif new is None:
        membership.delete()
    else:
        membership.role = new
        membership.save(update_fields=["role"])


@organization_view()
def organization_settings(request, organization):
    actor = role_of(request.user, organization.id)
    manager = can_manage(request.user, organization.id)
    if request.method == "POST":
        require_manager(request.user, organization.id)
        _change_membership(request, organization)
        return redirect("web:organization-settings", organization.slug)
    pending = [(invitation, invitations.expires(invitation))
               for invitation in invitations.open_invitations(organization)] if manager else []
    return render(request, "web/organization_settings.html", {
        "organization": organization, "projects": visible_projects(request.user),
        "project": visible_projects(request.user).filter(organization=organization).first(),
        "memberships": organization.memberships.select_related("user").order_by("user__username"),
        "roles": Membership.Role.choices, "can_manage": manager, "invitations": pending,
        "invite_roles": invitations.allowed_roles(actor), "now": timezone.now(),
        "invite_days": settings.INVITATION_MAX_AGE_DAYS,
        # Owners only, as in the API (GET /api/0/organizations/<slug>/consent/).
        "consent": consent_summary(organization.id)
        if is_owner(request.user, organization.id) else None,
        "consent_admin": _consent_admin(organization),
    })


@login_required
def account(request):
    """The user's API tokens: create one (its secret shown in this answer only), revoke one.
    A POST that asks for neither changes nothing."""
    form, secret = NewTokenForm(), None
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "create":
        form = NewTokenForm(request.POST, user=request.user)
        if form.is_valid():
            secret = form.create()[1]
            form = NewTokenForm()
    elif request.method == "POST":
        if action == "revoke":
            own_token(request.user, request.POST.get("token")).delete()
            messages.success(request, "Token revoked.")
        return redirect("web:account")
    return render(request, "web/account.html", {
        "projects": visible_projects(request.user), "token": secret, "form": form,
        "tokens": [(row, label_of(row.scopes)) for row in request.user.api_tokens.all()],
        "now": timezone.now(),
    })


def _consent_admin(organization: Organization) -> str:
    """The admin page of this organisation's consent record (its change page, or the add page
    with the organisation chosen), not the whole list. Reads no flags (consent.policy does)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        try:
            consent_id = organization.consent.pk
        except ObjectDoesNotExist:
            add = reverse("admin:consent_organizationconsent_add")
            return f"{add}?organization={organization.pk}"
        return reverse("admin:consent_organizationconsent_change", args=[consent_id])
    except NoReverseMatch:
        return "/admin/"
