"""Who may see and do what: everything is scoped to the user's memberships; destructive and
configuration actions need an owner or admin role."""

from __future__ import annotations

from rest_framework import permissions

from monitor.models import Membership

MANAGERS = {Membership.Role.OWNER, Membership.Role.ADMIN}


def role_in(user, organization_id: int) -> str | None:
    return (
        Membership.objects.filter(user=user, organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )


def may_change_membership(actor_role: str | None, current: str | None, new: str | None) -> bool:
    """Whether someone of `actor_role` may move a membership from `current` (None: not a member
    yet) to `new` (None: removed). Owners may do anything; admins manage members and admins
    but can neither create an owner nor change or remove one; members manage nobody."""
    if actor_role == Membership.Role.OWNER:
        return True
    if actor_role != Membership.Role.ADMIN:
        return False
    return Membership.Role.OWNER not in (current, new)


class ManagersWrite(permissions.BasePermission):
    """Members read; owners and admins also create, change and delete."""

    message = "only owners and admins of the organisation may do this"

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return role_in(request.user, view.organization_id_of(obj)) in MANAGERS
