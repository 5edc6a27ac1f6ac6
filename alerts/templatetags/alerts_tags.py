"""Data for the alert and triage partials, so the pages that include them need no changes
beyond one {% include %} line."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from access import can_manage, visible_projects
from alerts.destinations import REGISTRY
from alerts.forms import DestinationForm, RuleForm
from alerts.models import AlertNotification, NotificationPreference
from monitor.models import Priority
from monitor.state import members_of

register = template.Library()
ACTIVITY_SHOWN = 50


@register.simple_tag(takes_context=True)
def alert_settings(context) -> dict:
    project, user = context["project"], context["request"].user
    destinations = list(project.alert_destinations.order_by("id"))
    for destination in destinations:
        destination.target = REGISTRY[destination.kind].describe(destination.config)
        destination.recent = list(destination.attempts.order_by("-at", "-id")[:3])
    since = timezone.now() - dt.timedelta(hours=24)
    return {
        "rules": project.alert_rules.prefetch_related("destinations").order_by("id"),
        "destinations": destinations,
        "can_manage": can_manage(user, project.organization_id),
        "rule_form": RuleForm(project=project),
        "destination_form": DestinationForm(auto_id="destination-%s"),  # ids unique on the page
        "is_staff": user.is_staff,
        "capped": AlertNotification.objects.filter(
            project=project, state=AlertNotification.State.CAPPED, sent_at__gte=since
        ).count(),
    }


@register.simple_tag(takes_context=True)
def issue_triage(context) -> dict:
    issue = context["issue"]
    return {
        "members": members_of(issue),
        "priorities": [(p.value, p.label) for p in reversed(Priority)],
        "comments": issue.comments.select_related("user").order_by("created_at", "id"),
        "activity": issue.activity.select_related("user").order_by("-created_at", "-id")[
            :ACTIVITY_SHOWN
        ],
    }


@register.simple_tag(takes_context=True)
def notification_preferences(context) -> dict:
    user = context["request"].user
    prefs = {p.project_id: p.email for p in NotificationPreference.objects.filter(user=user)}
    projects = [(p, {True: "on", False: "off"}.get(prefs.get(p.id), "default"))
                for p in visible_projects(user)]
    return {"email": prefs.get(None, True), "projects": projects}
