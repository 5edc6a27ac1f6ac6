"""The releases page of a project and one release's page (thin: queries in releases.stats)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access import project_view, visible_projects
from monitor.params import as_natural
from releases import stats

PER_PAGE = 50


@project_view()
@require_GET
def release_list(request, org, project):
    page_number = min(as_natural(request.GET.get("page", "1")) or 1, 10_000)
    found = stats.summaries(project, limit=PER_PAGE + 1, offset=(page_number - 1) * PER_PAGE)
    return render(request, "releases/list.html", {
        "project": project, "projects": visible_projects(request.user),
        "releases": found[:PER_PAGE], "page_number": page_number,
        "has_next": len(found) > PER_PAGE})


@project_view()
@require_GET
def release_detail(request, org, project, version):
    summary = stats.summary(project, version)
    if summary is None:
        raise Http404("no such release")
    return render(request, "releases/detail.html", {
        "project": project, "projects": visible_projects(request.user), "release": summary,
        "introduced": stats.introduced(project, version),
        "regressed": stats.regressed(project, version)})
