"""Alert settings, triage actions and email preferences in the web UI. Thin: validation in
alerts.forms, actions in monitor.state / alerts.comments / alerts.notify, data for the partials in
alerts.templatetags.alerts_tags."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access import can_manage, project_view, visible_projects
from alerts.comments import comment
from alerts.forms import DestinationForm, RuleForm
from alerts.models import AlertDestination, AlertRule, NotificationPreference
from alerts.notify import send_test
from alerts.tasks import enqueue
from monitor import state
from monitor.models import Issue
from monitor.params import as_natural
from web import merged


def _first_error(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def _int(value) -> int | None:
    return as_natural(value or "")


@project_view()
@require_POST
def triage_action(request, org, project, issue_id):
    """Assign, comment, ignore with a condition (or until escalating), resolve in the next
    release, set the priority (any member)."""
    issue = Issue.objects.select_related("project").filter(project=project, pk=issue_id).first()
    if issue is None:  # a page opened before a merge
        return merged.stale_action(request, org, project, issue_id)
    action = request.POST.get("action")
    try:
        if action == "assign":
            username = request.POST.get("assignee", "")
            assignee = state.member_named(issue, username) if username else None
            state.assign(issue, assignee, request.user)
        elif action == "comment":
            comment(issue, request.user, request.POST.get("text", ""))
        elif action == "ignore_until":
            state.ignore(issue, request.user, minutes=_int(request.POST.get("minutes")),
                         events=_int(request.POST.get("events")),
                         users=_int(request.POST.get("users")))
        elif action == "resolve_next":
            state.resolve_in_next_release(issue, request.user)
        elif action == "priority":
            state.set_priority(issue, request.POST.get("priority", ""), request.user)
        elif action == "ignore_until_escalating":
            state.ignore_until_escalating(issue, request.user)
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
    return redirect(reverse("web:issue", args=[org, project.slug, issue.id]) + "#triage")


def _settings_url(org, project) -> str:
    return reverse("web:project-settings", args=[org, project.slug]) + "#alerts"


@project_view(manage=True)
@require_POST
def settings_action(request, org, project):
    """Rules and destinations: create, enable/disable, delete, send a test (owners/admins)."""
    action = request.POST.get("action", "")
    if action == "create_rule":
        return rule_edit(request, org, project.slug)
    if action == "create_destination":
        form = DestinationForm(request.POST, staff=request.user.is_staff)
        if form.is_valid():
            AlertDestination.objects.create(
                project=project, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"],
                config=form.cleaned_data["config"],
                allow_private=request.user.is_staff and bool(request.POST.get("allow_private")),
            )
            messages.success(request, "Destination added.")
        else:
            messages.error(request, f"Destination not saved: {form.errors.as_text()}")
    elif action.endswith("_rule"):
        rule = get_object_or_404(AlertRule, project=project, pk=request.POST.get("rule"))
        if action == "toggle_rule":
            rule.enabled = not rule.enabled
            rule.save(update_fields=["enabled"])
        elif action == "delete_rule":
            rule.delete()
    elif action.endswith("_destination"):
        destination = get_object_or_404(AlertDestination, project=project,
                                        pk=request.POST.get("destination"))
        if action == "toggle_destination":
            destination.enabled = not destination.enabled
            destination.save(update_fields=["enabled"])
        elif action == "delete_destination":
            destination.delete()
        elif action == "test_destination":
            delivery_id = send_test(destination)
            transaction.on_commit(lambda: enqueue([delivery_id]))
            messages.success(request, f"Test sent to {destination.name}; see its attempts.")
    return redirect(_settings_url(org, project))


@project_view(manage=True)
def rule_edit(request, org, project, rule_id=None):
    """One rule's when / if / then form: GET shows it, POST saves it (a new rule without
    `rule_id`); errors stay next to their fields. Owners and admins only."""
    rule = get_object_or_404(AlertRule, project=project, pk=rule_id) if rule_id else None
    form = RuleForm(request.POST if request.method == "POST" else None, instance=rule,
                    project=project)
    if request.method == "POST" and form.is_valid():
        if rule is None:
            form.instance.project, form.instance.created_by = project, request.user
        form.save()
        messages.success(request, "Alert rule saved." if rule else "Alert rule created.")
        return redirect(_settings_url(org, project))
    return render(request, "alerts/rule.html", {
        "project": project, "projects": visible_projects(request.user), "rule": rule,
        "form": form,
    }, status=400 if form.is_bound else 200)


@project_view()
def destination_attempts(request, org, project, destination_id):
    """Every delivery attempt of one destination, newest first (members read)."""
    destination = get_object_or_404(AlertDestination, project=project, pk=destination_id)
    attempts = destination.attempts.select_related("delivery__notification").order_by("-at", "-id")[
        :200
    ]
    return render(request, "alerts/attempts.html", {
        "project": project, "projects": visible_projects(request.user),
        "destination": destination, "attempts": attempts,
        "can_manage": can_manage(request.user, project.organization_id),
    })


@login_required
@require_POST
def preferences(request):
    """Email on/off: the default and per visible project."""
    NotificationPreference.objects.update_or_create(
        user=request.user, project=None, defaults={"email": bool(request.POST.get("email"))}
    )
    for project in visible_projects(request.user):
        value = request.POST.get(f"project-{project.id}")
        if value in ("on", "off"):
            NotificationPreference.objects.update_or_create(
                user=request.user, project=project, defaults={"email": value == "on"}
            )
        elif value == "default":
            NotificationPreference.objects.filter(user=request.user, project=project).delete()
    messages.success(request, "Notification preferences saved.")
    return redirect(reverse("web:account") + "#notifications")
