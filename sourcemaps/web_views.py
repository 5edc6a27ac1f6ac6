"""Creating and revoking organisation auth tokens (owners and admins)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from access import organization_view, visible_projects
from sourcemaps.models import OrgAuthToken
from sourcemaps.tokens import create_org_token


@organization_view(manage=True)
@require_POST
def org_tokens(request, organization):
    if request.POST.get("action") == "create" and request.POST.get("name", "").strip():
        row, token = create_org_token(organization, request.POST["name"].strip(), request.user)
        return render(request, "sourcemaps/token_created.html", {
            "organization": organization, "row": row, "token": token,
            "projects": visible_projects(request.user)})
    if request.POST.get("action") == "revoke":
        get_object_or_404(OrgAuthToken, organization=organization,
                          pk=request.POST.get("token")).delete()
        messages.success(request, "Token revoked.")
    return redirect("web:organization-settings", organization.slug)
