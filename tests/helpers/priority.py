"""Issues with a priority signal, and organisations whose members triaged ten issues through the
real state changes (the labels severity learning reads), with or without consent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from alerts.comments import comment
from consent.models import OrganizationConsent
from monitor import state
from monitor.models import Event, Issue, Membership, Organization, Project
from priority import triage
from tests.helpers.events import event, ingest


def crash(handled=None, level=None, fingerprint="a", release=None, user="1", **extra):
    payload = event(user=user)
    if handled is not None:
        payload["exception"]["values"][0]["mechanism"] = {"type": "generic", "handled": handled}
    if level is not None:
        payload["level"] = level
    if release:
        payload["release"] = release
    return {**payload, "fingerprint": [fingerprint], **extra}

FULL = {"training_usage_data": True, "training_stack_traces": True,
        "training_error_messages": True}
# (exception type, function, what people did with it)
TRIAGE = [("TypeError", "total", "assigned"), ("KeyError", "lookup", "commented"),
          ("AttributeError", "render", "resolved_next"), ("IndexError", "first", "escalating"),
          ("TimeoutError", "fetch", "ignored"), ("ConnectionRefusedError", "connect", "ignored"),
          ("ValidationError", "clean", "unopened"), ("NotFound", "get_object", "unopened"),
          ("PermissionDenied", "check", "opened"), ("RateLimited", "throttle", "resolved")]


def issue_of(project: Project, exc_type: str) -> Issue:
    return Issue.objects.get(project=project, title__startswith=exc_type)


def triaged_org(slug: str, user, **consent) -> Organization:
    """An organisation whose members triaged ten issues as TRIAGE says, through monitor.state,
    the comments and the issue page."""
    org = Organization.objects.create(name=slug, slug=slug)
    Membership.objects.create(user=user, organization=org)
    project = Project.objects.create(organization=org, name=slug, slug=slug, platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    for exc_type, function, _ in TRIAGE:
        ingest(project, {**event(exc_type=exc_type, crash_function=function,
                                 value=f"{exc_type} for alice.{slug}@example.com"),
                         "fingerprint": [exc_type], "release": "1.0"})
    week_ago = timezone.now() - dt.timedelta(days=triage.UNOPENED_DAYS + 1)
    for exc_type, _, action in TRIAGE:
        issue = issue_of(project, exc_type)
        if action in ("unopened", "opened"):  # its events kept coming for over a week
            first = Event.objects.filter(issue=issue).order_by("id").first()
            Event.objects.filter(pk=first.pk).update(received=week_ago)
            ingest(project, {**event(exc_type=exc_type, crash_function=dict(
                (t, f) for t, f, _ in TRIAGE)[exc_type]), "fingerprint": [exc_type]})
        if action == "assigned":
            state.assign(issue, user, by=user)
        elif action == "commented":
            comment(issue, user, "looking into it")
        elif action == "resolved_next":
            state.resolve_in_next_release(issue, by=user)
        elif action == "escalating":
            with transaction.atomic():
                state.escalate(issue.id, timezone.now(), 400, 57.0)
        elif action == "ignored":
            state.ignore(issue, by=user)
        elif action == "opened":
            triage.record_view(issue.id, user)
        elif action == "resolved":
            state.resolve(issue, by=user)
    if consent:
        OrganizationConsent.objects.create(organization=org, **consent)
    return org
