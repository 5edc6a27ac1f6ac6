"""Triage pages. Thin: queries in web.queries, search in monitor.search, presentation of event
data in web.stacktrace / web.breadcrumbs / web.explain, actions in grouping.merge and
monitor.state."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from access import project_view, visible_issues, visible_organizations, visible_projects
from embeddings import store
from grouping import suggestions
from grouping.merge import MergeRefused, NothingToUnmerge, merge_by_user, unmerge_hash
from grouping.models import DecisionRecord
from grouping.policy import GroupingPolicy, reading_policy
from monitor import limits
from monitor.issue_events import events_of
from monitor.models import GroupHash, Issue, Priority
from monitor.pagination import BoundedPaginator
from monitor.params import as_id, is_id
from monitor.search import Search, SearchError, parse, select_values, stream_query
from monitor.short_ids import issue_id_of
from monitor.state import NOT_A_MEMBER, assign, members_of, organization_members, set_status
from priority import triage
from web import chart, grouping_views, issue_page, merged, queries, stream_rows
from web.breadcrumbs import SHOWN, breadcrumbs_of
from web.explain import split_similar, why_grouped
from web.models import SavedSearch
from web.stacktrace import exceptions_of, raw_traceback

PAGE_SIZE = 25
EVENTS_PER_PAGE = 20  # the issue page's list of events


@login_required
def home(request):
    project = visible_projects(request.user).first()
    if project is None:
        return render(request, "web/no_projects.html", {
            "managed_organizations": visible_organizations(request.user, manage=True)})
    return redirect("web:stream", project.organization.slug, project.slug)


def _context(request, project, **extra):
    return {"project": project, "projects": visible_projects(request.user), **extra}


@project_view()
def stream(request, org, project):
    """The issues of a project, one line each. The search box holds the whole query (the
    default one when none is given) and the selects show what it says: they write their terms
    into it (monitor.search.stream_query), so the two cannot disagree."""
    text = stream_query(request.GET)
    error = None
    try:
        search = parse(text)
    except SearchError as exc:
        error, search = str(exc), Search(status="unresolved")
    if found := _jump_target(project, search, text):
        return redirect(reverse("web:issue", args=[org, project.slug, found[0]])
                        + (f"?event={found[1]}" if found[1] else ""))
    try:
        issues = queries.stream(project, search, request.GET.get("sort"), user=request.user)
    except SearchError as exc:
        error, search = str(exc), Search(status="unresolved")
        issues = queries.stream(project, search, request.GET.get("sort"), user=request.user)
    page = BoundedPaginator(issues, PAGE_SIZE, limits.STREAM_COUNT).get_page(
        request.GET.get("page"))
    filters = queries.event_filters(search)
    ids = [issue.id for issue in page]
    lines = queries.sparklines(ids)
    counts = queries.filtered_counts(ids, filters)
    now = timezone.now()
    rows = [stream_rows.row(issue, project.slug, now, queries.spark_points(lines[issue.id]),
                            counts.get(issue.id, 0) if filters else issue.times_seen)
            for issue in page]
    params = QueryDict(mutable=True)
    params.update({"query": text, **({"sort": request.GET["sort"]} if "sort" in request.GET
                                     else {})})
    return render(request, "web/stream.html", _context(
        request, project, page=page, rows=rows, query=params.urlencode(), search_error=error,
        suggested=suggestions.issues_with_open(ids), search_text=text,
        filters={**select_values(search), "sort": request.GET.get("sort", "")},
        counts_filtered=bool(filters), filter_text=", ".join(filters.values()),
        **_select_values(project),
        key=project.keys.filter(is_active=True).order_by("id").first(),
        any_issue=bool(rows) or project.issues.exists(),
        members=organization_members(project.organization_id),
        saved=SavedSearch.objects.filter(user=request.user, project=project).order_by("name"),
    ))


def _select_values(project) -> dict[str, list[str]]:
    choices = queries.filter_choices(project)
    return {"environments": choices["environment"], "releases": choices["release"]}


def _jump_target(project, search: Search, text: str) -> tuple[int, int | None] | None:
    """An event id or the short id of an issue of this project, typed alone in the box: the
    issue (and event) it names."""
    if search.event_id and (event := queries.event_by_id(project, search.event_id)):
        return event.issue_id, event.id
    issue_id = issue_id_of(project.slug, text) if len(search.text) == 1 else None
    if issue_id is not None and project.issues.filter(pk=issue_id).exists():
        return issue_id, None
    return None


@project_view()
@require_GET
def first_event(request, org, project):
    """The project's first issue, if any: the empty stream's card asks until one arrives."""
    issue = Issue.objects.filter(project=project).order_by("id").only("id", "title").first()
    if issue is None:
        return JsonResponse({"issue": None})
    url = reverse("web:issue", args=[org, project.slug, issue.id])
    return JsonResponse({"issue": {"title": issue.title, "url": url}})


@project_view()
@require_GET
def search_suggestions(request, org, project):
    """Completions for the search box's last token (JSON, bounded)."""
    token = (request.GET.get("token") or "")[:200]
    return JsonResponse({"suggestions": queries.suggestions(project, token)})


@project_view()
@require_POST
def saved_search(request, org, project):
    if request.POST.get("action") == "delete":
        SavedSearch.objects.filter(user=request.user, project=project,
                                   pk=request.POST.get("id")).delete()
        return redirect("web:stream", org, project.slug)
    name = (request.POST.get("name") or "").strip()[:80]
    query = (request.POST.get("query") or "")[:1000]
    if name:
        SavedSearch.objects.update_or_create(user=request.user, project=project, name=name,
                                             defaults={"query": query})
        messages.success(request, f"Saved search “{name}”.")
    url = reverse("web:stream", args=[org, project.slug])
    return redirect(f"{url}?{query}" if query else url)


BULK_LIMIT = 1000  # ids one bulk request acts on (a page holds PAGE_SIZE)
BULK_STATUS = {"resolve": Issue.Status.RESOLVED, "ignore": Issue.Status.IGNORED,
               "unresolve": Issue.Status.UNRESOLVED}


def _merge_url(org, project, ids) -> str:
    return reverse("web:merge", args=[org, project.slug]) + "?" + "&".join(
        f"issue={i}" for i in ids
    )


@project_view()
@require_POST
def bulk(request, org, project):
    """Resolve, ignore, reopen, assign or merge the selected issues: only those of this project
    the user may manage (access.visible_issues); an id of any other is ignored."""
    ids = [int(i) for i in request.POST.getlist("issue")[:BULK_LIMIT] if is_id(i)]
    issues = visible_issues(request.user).filter(project=project, id__in=ids)
    action = request.POST.get("action")
    if action in BULK_STATUS:
        count = set_status(issues, BULK_STATUS[action], by=request.user)
        messages.success(request, f"{count} issues marked {BULK_STATUS[action]}.")
    elif action == "assign" and ids:
        username = request.POST.get("assignee", "")
        assignee = (organization_members(project.organization_id)
                    .filter(username=username).first() if username else None)
        if username and assignee is None:
            messages.error(request, f"Not assigned: {username} is {NOT_A_MEMBER}.")
        else:
            count = assign(issues, assignee, by=request.user)
            messages.success(request, f"{count} issues assigned to {username}." if assignee
                             else f"{count} issues unassigned.")
    elif action == "merge" and len(ids) >= 2:
        return redirect(_merge_url(org, project, ids))
    else:
        messages.error(request, "Select issues and an action (merge needs two or more).")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("web:stream", org, project.slug)


@project_view()
def merge(request, org, project):
    """GET: the issues to merge and a choice of target; POST (confirmed): merge them."""
    source = request.POST if request.method == "POST" else request.GET
    ids = [i for i in map(as_id, source.getlist("issue")) if i][:100]
    issues = list(Issue.objects.filter(project=project, id__in=ids).order_by("-times_seen", "id"))
    if len(issues) < 2:
        messages.error(request, "Merging needs two or more issues of this project.")
        return redirect("web:stream", org, project.slug)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        target = next((i for i in issues if str(i.id) == request.POST.get("target")), None)
        if target is None:
            messages.error(request, "Choose the issue to keep.")
        else:
            try:
                with transaction.atomic():
                    merge_by_user(target.id, [i.id for i in issues if i.id != target.id],
                                  by=request.user)
            except MergeRefused as refused:
                messages.info(request, str(refused))
                return redirect("web:issue", org, project.slug, target.id)
            messages.success(request, f"Merged {len(issues)} issues into #{target.id}.")
            return redirect("web:issue", org, project.slug, target.id)
    return render(request, "web/merge.html", _context(request, project, issues=issues))


def _id_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if is_id(value) else None


def _neighbours(issue: Issue, policy: GroupingPolicy) -> list[tuple[Issue, float]]:
    model = policy.model
    found = store.similar_issues(issue.id, issue.project_id, model, k=8) if model else []
    by_id = Issue.objects.in_bulk([n.issue_id for n in found])
    return [(by_id[n.issue_id], n.distance) for n in found if n.issue_id in by_id]


@project_view()
def issue_detail(request, org, project, issue_id):
    issue = Issue.objects.filter(project=project, pk=issue_id).select_related("assignee").first()
    if issue is None:  # merged away: its link goes on to the issue that holds its events
        target = merged.holder_url(org, project, issue_id)
        query = request.META.get("QUERY_STRING", "")
        return redirect(f"{target}?{query}" if query else target)
    triage.record_view(issue.id, request.user)  # "never opened" is a severity label
    event, moved, error = issue_page.chosen_event(issue, request.GET.get("event", "")[:100])
    if error:
        raise Http404(error)
    stream_query = issue_page.stream_query(request, org, project)
    keep = urlencode({"stream": stream_query}) if stream_query else ""
    events = events_of(issue)
    navigation = queries.event_navigation(events, event) if event else None
    policy = reading_policy(project)
    rule = (policy.rule_for_event(event.data) if event
            else policy.rule_for(policy.family(issue.platform)))
    threshold = rule.threshold
    tab = "grouping" if request.GET.get("tab") == "grouping" else "details"
    same, related = split_similar(_neighbours(issue, policy) if tab == "grouping" else [],
                                  threshold)
    counted = BoundedPaginator(events.order_by("-pk"), EVENTS_PER_PAGE, limits.ISSUE_EVENTS_COUNT)
    event_page = queries.event_list(
        events, before=_id_param(request, "events_before"),
        after=_id_param(request, "events_after"), number=_id_param(request, "events") or 1,
        last_page=counted.num_pages, size=EVENTS_PER_PAGE)
    hashes = list(issue.hashes.order_by("created_at"))
    records = DecisionRecord.objects.in_bulk([h.id for h in hashes], field_name="group_hash_id")
    crumbs = breadcrumbs_of(event.data) if event else []
    now = timezone.now()
    since = chart.earliest(now)
    return render(request, "web/issue.html", _context(
        request, project, issue=issue, event=event, navigation=navigation, moved=moved,
        stream_query=stream_query, keep=keep, tab=tab,
        event_page=event_page, event_count=counted.count, event_count_text=counted.count_text,
        event_pages_text=counted.pages_text, rule=rule,
        threshold=threshold, similar_same=same, similar_related=related,
        hashes=[(h, why_grouped(h, issue_page.decided_threshold(records.get(h.id), threshold)),
                 records.get(h.id)) for h in hashes],
        adjustment=policy.adjustment(policy.family(issue.platform)),
        **grouping_views.issue_panels(issue, project),
        grouping=next((h for h in hashes if event and h.hash == event.grouping_hash), None),
        exceptions=exceptions_of(event.data) if event else [],
        raw_trace=raw_traceback(event.data) if event else "",
        crumbs_recent=crumbs[:SHOWN], crumbs_older=crumbs[SHOWN:],
        tags=queries.tag_distribution(issue),
        event_tags=queries.event_tags(event) if event else [],
        charts=chart.charts(queries.hourly_counts(issue.id, since),
                            queries.chart_marks(issue, since), now),
        members=members_of(issue), priorities=[(p.value, p.label) for p in reversed(Priority)],
    ))


@project_view()
@require_POST
def issue_action(request, org, project, issue_id):
    issue = Issue.objects.filter(project=project, pk=issue_id).first()
    if issue is None:  # a page opened before a merge
        return merged.stale_action(request, org, project, issue_id)
    action = request.POST.get("action")
    if action in BULK_STATUS:
        set_status(Issue.objects.filter(pk=issue.pk), BULK_STATUS[action], by=request.user)
    elif action == "merge" and (other := as_id(request.POST.get("other", ""))):
        return redirect(_merge_url(org, project, [issue.id, other]))
    elif action == "unmerge":
        group_hash = get_object_or_404(GroupHash, issue=issue, hash=request.POST.get("hash", ""))
        try:
            with transaction.atomic():
                new_issue = unmerge_hash(group_hash, by=request.user)
        except NothingToUnmerge as refused:
            messages.info(request, str(refused))
        else:
            url = reverse("web:issue", args=[org, project.slug, new_issue.id])
            messages.success(request, format_html(
                'Fingerprint moved to a new issue <a href="{}">#{}</a>.', url, new_issue.id))
    return redirect("web:issue", org, project.slug, issue.id)
