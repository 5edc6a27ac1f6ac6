"""The one DRF permission: members read, owners and admins also change. A viewset using it
says which organisation an object belongs to (`organization_id_of`)."""

from __future__ import annotations

from rest_framework import permissions

from access.lookup import MANAGERS_ONLY
from access.roles import can_manage


class ManagersWrite(permissions.BasePermission):
    """Members read; owners and admins also create, change and delete."""

    message = MANAGERS_ONLY

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage(request.user, view.organization_id_of(obj))
