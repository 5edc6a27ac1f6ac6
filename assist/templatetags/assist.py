"""`{% assist_card %}`: the AI summary card of the issue page (nothing at all when hidden)."""

from __future__ import annotations

from django import template

from access import is_owner
from assist import brief, gate, service
from assist.models import ResolutionNote
from monitor.models import Event

register = template.Library()


def card_context(request, issue) -> dict:
    organization_id = issue.project.organization_id
    if not gate.visible(organization_id):
        return {"assist_visible": False}
    generation = service.latest(issue)
    return {
        "assist_visible": True,
        "request": request,
        "issue": issue,
        "project": issue.project,
        "enabled": gate.enabled(gate.allowed_categories(organization_id)),
        "generation": generation,
        "model_configured": service.model_configured(),
        "notes": ResolutionNote.objects.filter(issue=issue).select_related("author")[:10],
        "owner": is_owner(request.user, organization_id),
    }


@register.inclusion_tag("assist/_card.html", takes_context=True)
def assist_card(context) -> dict:
    issue = context.get("issue")
    if issue is None:
        return {"assist_visible": False}
    data = card_context(context["request"], issue)
    data["csrf_token"] = context.get("csrf_token")
    return data


@register.inclusion_tag("assist/_brief.html", takes_context=True)
def issue_brief(context) -> dict:
    """The brief of the issue shown (no model, no consent needed: assist.brief)."""
    issue = context.get("issue")
    if issue is None:
        return {"brief": None}
    event = context.get("event") or Event.objects.filter(issue=issue).order_by(
        "-timestamp", "-id").first()
    return {"brief": brief.gather(issue, event), "issue": issue, "project": issue.project}


@register.filter
def category_labels(categories: list[str]) -> str:
    """["error_messages", "stack_traces"] → "error messages, stack traces"."""
    return ", ".join(str(c).replace("_", " ") for c in categories or [])
