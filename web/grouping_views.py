"""The issue page's and the settings page's grouping feedback: answering a suggestion, undoing
a "not the same", reverting or turning off the project's adapted threshold. Thin: the rules live
in grouping.suggestions, grouping.constraints and grouping.adapt."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from access import project_view
from grouping import adapt, constraints, suggestions
from grouping.models import KeptApart, MergeSuggestion, ThresholdChange
from grouping.triage_api import threshold_state
from monitor.models import GroupHash, Issue
from monitor.params import as_id


def issue_panels(issue: Issue, project) -> dict:
    """The issue page's context: open suggestions with their evidence, the constraints that
    touch its fingerprints (with the other side's issue), each fingerprint's decision record."""
    hashes = list(issue.hashes.values_list("hash", flat=True))
    kept = list(constraints.touching(project.id, hashes).select_related("created_by"))
    others = {h for row in kept for h in (row.hash_a, row.hash_b)} - set(hashes)
    holder = dict(GroupHash.objects.filter(project=project, hash__in=others)
                  .values_list("hash", "issue_id"))
    return {
        "suggestions": [(row, suggestions.evidence(row)) for row in suggestions.for_issue(issue)],
        "kept_apart": [(row, row.hash_b if row.hash_a in hashes else row.hash_a,
                        holder.get(row.hash_b if row.hash_a in hashes else row.hash_a))
                       for row in kept],
    }


@project_view()
@require_POST
def answer(request, org, project, pk):
    row = get_object_or_404(MergeSuggestion, project=project, pk=pk)
    given = request.POST.get("answer", "")
    back = int(request.POST.get("issue") or row.candidate_id)
    try:
        row, changed = suggestions.answer(row, given, by=request.user)
    except (suggestions.AnswerRefused, ValueError) as refused:
        messages.info(request, f"Nothing changed: {refused}.")
        return redirect("web:stream", org, project.slug)
    if given == MergeSuggestion.Answer.MERGE:
        messages.success(request, f"Merged into #{row.candidate_id}.")
        return redirect("web:issue", org, project.slug, row.candidate_id)
    messages.success(request, "Kept apart: no automatic decision will join them.")
    return redirect("web:issue", org, project.slug, back)


@project_view()
@require_POST
def lift(request, org, project, pk):
    row = get_object_or_404(KeptApart, project=project, pk=pk)
    constraints.lift(row, by=request.user)
    messages.success(request, "“Not the same” undone: automatic decisions may join them again.")
    back = as_id(request.POST.get("issue", ""))
    if back:
        return redirect("web:issue", org, project.slug, back)
    return redirect("web:stream", org, project.slug)


@project_view(manage=True)
@require_POST
def threshold_action(request, org, project):
    action = request.POST.get("action")
    if action in ("enable", "disable"):
        adapt.set_enabled(project, action == "enable")
        state = "on" if action == "enable" else "off"
        messages.success(request, f"Threshold adaptation turned {state}.")
    elif action == "revert":
        change = get_object_or_404(ThresholdChange, project=project, pk=request.POST.get("change"))
        adapt.revert(change, by=request.user)
        messages.success(request, f"Reverted the {change.family} threshold change.")
    return redirect("web:project-settings", org, project.slug)


def settings_panel(project) -> dict:
    return {"adaptation": threshold_state(project)}
