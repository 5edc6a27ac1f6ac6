"""Issue-page actions and the owners' log page. Thin: assist.service does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access import issue_for, owned_organization
from assist import gate, service
from assist.models import GenerationLog, ResolutionNote
from assist.templatetags.assist import card_context


def _issue(request, org, project, issue_id):
    issue = issue_for(request.user, issue_id, project__slug=project,
                      project__organization__slug=org)
    if not gate.visible(issue.project.organization_id):
        raise Http404
    return issue


def _back(issue) -> str:
    project = issue.project
    url = reverse("web:issue", args=[project.organization.slug, project.slug, issue.id])
    return url + "#assist"


@login_required
def card(request, org, project, issue_id):
    """The card alone: the issue page polls it while a summary is being generated."""
    issue = _issue(request, org, project, issue_id)
    return render(request, "assist/_card.html", card_context(request, issue))


@login_required
@require_POST
def summarize(request, org, project, issue_id):
    issue = _issue(request, org, project, issue_id)
    try:
        with transaction.atomic():
            service.request(issue, request.user)
        messages.success(request, "Generating an AI summary; it appears here when ready.")
    except service.Refused as refused:
        messages.error(request, refused.message)
    return redirect(_back(issue))


@login_required
@require_POST
def add_note(request, org, project, issue_id):
    issue = _issue(request, org, project, issue_id)
    text = request.POST.get("text", "").strip()
    if not text or len(text) > 2000:
        messages.error(request, "A resolution note needs 1 to 2,000 characters.")
    else:
        ResolutionNote.objects.create(issue=issue, author=request.user, text=text)
        messages.success(request, "Resolution note saved.")
    return redirect(_back(issue))


@login_required
def log(request, org):
    organization = owned_organization(request.user, org)
    if not gate.visible(organization.id):
        raise Http404
    entries = GenerationLog.objects.filter(organization=organization).select_related(
        "requested_by", "issue__project"
    )[:200]
    return render(request, "assist/log.html", {"organization": organization, "entries": entries})
