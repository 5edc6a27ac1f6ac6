"""Role predicates. Owners and admins ("managers") change configuration; owners alone create,
change or remove owners and see consent and the AI call log; members triage."""

from __future__ import annotations

from monitor.models import Membership

MANAGERS = frozenset({Membership.Role.OWNER, Membership.Role.ADMIN})


def role_of(user, organization_id: int) -> str | None:
    """The user's role in the organisation; None when they are not a member."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )


def can_manage(user, organization_id: int) -> bool:
    return role_of(user, organization_id) in MANAGERS


def is_owner(user, organization_id: int) -> bool:
    return role_of(user, organization_id) == Membership.Role.OWNER


def may_change_membership(actor_role: str | None, current: str | None, new: str | None) -> bool:
    """Whether someone of `actor_role` may move a membership from `current` (None: not a member
    yet) to `new` (None: removed). Owners may do anything; admins manage members and admins
    but can neither create an owner nor change or remove one; members manage nobody."""
    if actor_role == Membership.Role.OWNER:
        return True
    if actor_role != Membership.Role.ADMIN:
        return False
    return Membership.Role.OWNER not in (current, new)
