"""Creating and revoking organisation auth tokens (owners and admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from api.permissions import MANAGERS, role_in
from monitor.models import Organization
from sourcemaps.models import OrgAuthToken
from sourcemaps.tokens import create_org_token
from web import queries


@login_required
@require_POST
def org_tokens(request, org):
    organization = get_object_or_404(Organization, slug=org, memberships__user=request.user)
    if role_in(request.user, organization.id) not in MANAGERS:
        raise PermissionDenied("only owners and admins manage auth tokens")
    if request.POST.get("action") == "create" and request.POST.get("name", "").strip():
        row, token = create_org_token(organization, request.POST["name"].strip(), request.user)
        return render(request, "sourcemaps/token_created.html", {
            "organization": organization, "row": row, "token": token,
            "projects": queries.visible_projects(request.user)})  # fmt: skip
    if request.POST.get("action") == "revoke":
        get_object_or_404(OrgAuthToken, organization=organization,
                          pk=request.POST.get("token")).delete()  # fmt: skip
        messages.success(request, "Token revoked.")
    return redirect("web:organization-settings", org)
