"""What a user can see: querysets scoped to their memberships. Anything outside them is simply
not in the queryset, so a lookup of another organisation's object is a 404, never a hint."""

from __future__ import annotations

from django.db.models import QuerySet

from access.roles import MANAGERS
from monitor.models import Issue, Organization, Project


def visible_organizations(user, manage: bool = False) -> QuerySet[Organization]:
    """The user's organisations (with `manage`, those where they are an owner or admin)."""
    membership = {"memberships__user": user}
    if manage:  # one filter() call: the same membership row holds the user and the role
        membership["memberships__role__in"] = MANAGERS
    return Organization.objects.filter(**membership).order_by("slug")


def visible_projects(user) -> QuerySet[Project]:
    return (
        Project.objects.filter(organization__memberships__user=user)
        .select_related("organization")
        .order_by("organization__slug", "slug")
    )


def visible_issues(user) -> QuerySet[Issue]:
    return Issue.objects.filter(project__organization__memberships__user=user)
