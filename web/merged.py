"""Pages and actions that name an issue merged away (by a person or by ML grouping): links lead
on to the issue that now holds its events; actions sent from a page opened before the merge
change nothing and say so there."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from grouping.models import MergedIssue
from monitor.models import Project


def holder_url(org: str, project: Project, issue_id: int) -> str:
    """The page of the issue that holds the events of `issue_id` (404 if it was never merged)."""
    merged = get_object_or_404(MergedIssue, project=project, previous_id=issue_id)
    return reverse("web:issue", args=[org, project.slug, merged.issue_id])


def stale_action(request: HttpRequest, org: str, project: Project, issue_id: int) -> HttpResponse:
    target = holder_url(org, project, issue_id)
    messages.warning(request, f"Issue #{issue_id} was merged into this one while its page was "
                              "open; nothing was changed. Try again here.")
    return redirect(target)
