"""One object by what a URL or body names, for a user: Http404 when it is not theirs to see
(nothing says it exists), PermissionDenied when they see it but may not change it. Each rule
refuses with one message, the same in the web UI and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from access import scope
from access.roles import can_manage, is_owner
from monitor.models import Issue, Organization, Project

MANAGERS_ONLY = "only owners and admins of the organisation may do this"
OWNERS_ONLY = "only owners may create, change or remove owners"


def require_manager(user, organization_id: int) -> None:
    """403 unless the user is an owner or admin of the organisation."""
    if not can_manage(user, organization_id):
        raise PermissionDenied(MANAGERS_ONLY)


def organization_for(user, slug: str, manage: bool = False) -> Organization:
    organization = get_object_or_404(scope.visible_organizations(user), slug=slug)
    if manage:
        require_manager(user, organization.id)
    return organization


def owned_organization(user, slug: str) -> Organization:
    """Owner-only pages are hidden from everyone else: a 404, as for a stranger."""
    organization = organization_for(user, slug)
    if not is_owner(user, organization.id):
        raise Http404
    return organization


def project_for(user, org: str, slug: str, manage: bool = False) -> Project:
    """The project by its organisation's slug and its own (web URLs)."""
    project = get_object_or_404(scope.visible_projects(user), organization__slug=org, slug=slug)
    if manage:
        require_manager(user, project.organization_id)
    return project


def project_by_id(user, pk: int, manage: bool = False) -> Project:
    """The project by its id (API URLs and bodies)."""
    project = get_object_or_404(scope.visible_projects(user), pk=pk)
    if manage:
        require_manager(user, project.organization_id)
    return project


def issue_for(user, issue_id: int, manage: bool = False, **scoped) -> Issue:
    """The issue by its id; `scoped` narrows further (e.g. project__slug from a web URL)."""
    issue = get_object_or_404(
        scope.visible_issues(user).select_related("project__organization"),
        pk=issue_id, **scoped,
    )
    if manage:
        require_manager(user, issue.project.organization_id)
    return issue
