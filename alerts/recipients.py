"""Who receives an email destination's messages, honouring per-user preferences."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from alerts.models import NotificationPreference
from monitor.models import Project


def wants_email(user_id: int, project_id: int, prefs: dict[tuple[int, int | None], bool]) -> bool:
    """The project's own choice wins over the user's default; no row means yes."""
    for key in ((user_id, project_id), (user_id, None)):
        if key in prefs:
            return prefs[key]
    return True


def member_addresses(project: Project) -> list[str]:
    users = list(
        get_user_model()
        .objects.filter(memberships__organization_id=project.organization_id, is_active=True)
        .exclude(email="")
        .values_list("id", "email")
    )
    prefs = {
        (p.user_id, p.project_id): p.email
        for p in NotificationPreference.objects.filter(
            Q(project_id=project.id) | Q(project__isnull=True), user_id__in=[u for u, _ in users]
        )
    }
    return [email for user_id, email in users if wants_email(user_id, project.id, prefs)]


def recipients(project: Project, config: dict) -> list[str]:
    addresses = list(config.get("addresses", []))
    if config.get("to_members"):
        addresses += member_addresses(project)
    return list(dict.fromkeys(a.lower() for a in addresses))
