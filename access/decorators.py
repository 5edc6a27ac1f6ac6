"""The lookups of access.lookup as view decorators, for web views whose URL names an
organisation (`org`) and maybe a project (`project`) by slug. The view receives the objects in
place of the slugs; a signed-out user is sent to the login page first."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required

from access.lookup import organization_for, project_for


def project_view(manage: bool = False) -> Callable:
    """`view(request, org, project, ...)` gets the Project for `project` (404 when the user is
    not in its organisation; 403 with `manage` when they are not an owner or admin). `org` stays
    the slug, as URLs are built from it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, org, project, *args, **kwargs):
            found = project_for(request.user, org, project, manage=manage)
            return view(request, org, found, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def organization_view(manage: bool = False) -> Callable:
    """`view(request, org, ...)` gets the Organization for the slug `org` (404 / 403 likewise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, org, *args, **kwargs):
            return view(request, organization_for(request.user, org, manage=manage), *args,
                        **kwargs)

        return login_required(wrapper)

    return decorator
