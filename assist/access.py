"""Which issue and organisation a user may reach: through their memberships only (404 else)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from monitor.models import Issue, Membership, Organization


def issue_for(user, issue_id: int, **scope) -> Issue:
    return get_object_or_404(
        Issue.objects.select_related("project__organization"),
        pk=issue_id, project__organization__memberships__user=user, **scope,
    )  # fmt: skip


def owned_organization(user, slug: str) -> Organization:
    return get_object_or_404(
        Organization, slug=slug, memberships__user=user, memberships__role=Membership.Role.OWNER
    )


def is_owner(user, organization_id: int) -> bool:
    return Membership.objects.filter(
        user=user, organization_id=organization_id, role=Membership.Role.OWNER
    ).exists()
