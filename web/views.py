"""Triage pages. Thin: queries in web.queries, actions reuse grouping.merge and the models."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from embeddings import store
from embeddings.encoder import current_spec
from embeddings.models import EmbeddingModel
from grouping.merge import merge_by_user, unmerge_hash
from monitor.issues import set_status
from monitor.models import Event, GroupHash, Issue, IssueTag
from monitor.params import is_id
from web import queries
from web.project_views import managed_organizations

PAGE_SIZE = 25


@login_required
def home(request):
    project = queries.visible_projects(request.user).first()
    if project is None:
        return render(request, "web/no_projects.html", {
            "managed_organizations": managed_organizations(request.user)})
    return redirect("web:stream", project.organization.slug, project.slug)


def _context(request, project, **extra):
    return {"project": project, "projects": queries.visible_projects(request.user), **extra}


@login_required
def stream(request, org, project):
    project = queries.project_for(request.user, org, project)
    issues = queries.stream(project, request.GET, request.user)
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = queries.sparklines([issue.id for issue in page])
    rows = [(issue, queries.spark_points(lines[issue.id])) for issue in page]
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "web/stream.html", _context(
        request, project, page=page, rows=rows, query=params.urlencode(),
        filters={name: request.GET.get(name, "") for name in
                 ("status", "level", "environment", "release", "query", "sort")},
        environments=queries.tag_values(project, "environment"),
        releases=queries.tag_values(project, "release"),
        key=project.keys.filter(is_active=True).order_by("id").first(),
        any_issue=project.issues.exists(),
    ))  # fmt: skip


BULK_STATUS = {"resolve": Issue.Status.RESOLVED, "ignore": Issue.Status.IGNORED,
               "unresolve": Issue.Status.UNRESOLVED}  # fmt: skip


@login_required
@require_POST
def bulk(request, org, project):
    project = queries.project_for(request.user, org, project)
    ids = [int(i) for i in request.POST.getlist("issue") if i.isdigit()]
    issues = Issue.objects.filter(project=project, id__in=ids)
    action = request.POST.get("action")
    if action in BULK_STATUS:
        count = set_status(issues, BULK_STATUS[action], by=request.user)
        messages.success(request, f"{count} issues marked {BULK_STATUS[action]}.")
    elif action == "merge" and issues.count() >= 2:
        with transaction.atomic():
            target, *others = issues.order_by("-times_seen", "id").values_list("id", flat=True)
            merge_by_user(target, others, by=request.user)
        messages.success(request, f"Merged {len(others) + 1} issues into #{target}.")
    else:
        messages.error(request, "Select issues and an action (merge needs two or more).")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("web:stream", org, project.slug)


@login_required
def issue_detail(request, org, project, issue_id):
    project = queries.project_for(request.user, org, project)
    issue = get_object_or_404(Issue, project=project, pk=issue_id)
    events = Event.objects.filter(issue=issue).order_by("-timestamp", "-id")
    wanted = request.GET.get("event", "")
    event = events.filter(pk=int(wanted)).first() if is_id(wanted) else None
    event = event or events.first()
    newer = older = None
    if event:
        newer = events.filter(timestamp__gt=event.timestamp).order_by("timestamp", "id").first()
        older = events.filter(timestamp__lt=event.timestamp).first()
    spec = current_spec()
    model = EmbeddingModel.objects.filter(name=spec.name, version=spec.version).first()
    neighbours = store.similar_issues(issue.id, project.id, model, k=5) if model else []
    similar = [(Issue.objects.filter(pk=n.issue_id).first(), n.distance) for n in neighbours]
    tags: dict[str, list[IssueTag]] = {}
    for tag in issue.tag_values.order_by("key", "-times_seen")[:200]:
        tags.setdefault(tag.key, []).append(tag)
    event_page = Paginator(events.only("id", "event_id", "timestamp", "release", "environment",
                                       "user"), 20).get_page(request.GET.get("events"))  # fmt: skip
    return render(request, "web/issue.html", _context(
        request, project, issue=issue, event=event, newer=newer, older=older,
        event_page=event_page,
        event_count=events.count(), similar=[(i, d) for i, d in similar if i],
        hashes=issue.hashes.select_related("ml_matched_issue").order_by("created_at"),
        grouping=issue.hashes.filter(hash=event.grouping_hash).first() if event else None,
        tags={key: (values, sum(t.times_seen for t in values)) for key, values in tags.items()},
    ))  # fmt: skip


@login_required
@require_POST
def issue_action(request, org, project, issue_id):
    project = queries.project_for(request.user, org, project)
    issue = get_object_or_404(Issue, project=project, pk=issue_id)
    action = request.POST.get("action")
    if action in BULK_STATUS:
        set_status(Issue.objects.filter(pk=issue.pk), BULK_STATUS[action], by=request.user)
    elif action == "merge" and request.POST.get("other", "").isdigit():
        other = get_object_or_404(Issue, project=project, pk=int(request.POST["other"]))
        with transaction.atomic():
            merge_by_user(issue.id, [other.id], by=request.user)
        messages.success(request, f"Merged #{other.id} into this issue.")
    elif action == "unmerge":
        group_hash = get_object_or_404(GroupHash, issue=issue, hash=request.POST.get("hash", ""))
        with transaction.atomic():
            if issue.hashes.count() > 1:
                new_issue = unmerge_hash(group_hash, by=request.user)
                messages.success(request, f"Fingerprint moved to a new issue #{new_issue.id}.")
    return redirect("web:issue", org, project.slug, issue.id)
