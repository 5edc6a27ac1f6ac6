"""The issue stream through the Django test client: what each line shows (assignee, short id,
markers) against the database, the query box and the selects, select-all and bulk assign across
organisations, sparklines from the stored hourly counts."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import timezone

from monitor import state
from monitor.models import Issue, IssueHourlyCount, Membership, Organization, Project
from monitor.search import DEFAULT_QUERY, parse, select_values, stream_query, with_term
from monitor.short_ids import issue_id_of, short_id
from tests.helpers.clients import client_of as client_for
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(project):
    users = get_user_model().objects
    dev = users.create_user("dev", password="pw-dev-123")
    olivia = users.create_user("olivia", password="pw-olivia-123")
    for user in (dev, olivia):
        Membership.objects.create(user=user, organization=project.organization)
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    return dev, olivia


@pytest.fixture
def issues(project, people):
    for name in ("a", "b", "c", "d"):
        ingest(project, {**event(value=f"failure {name}"), "fingerprint": [name]})
    return list(Issue.objects.filter(project=project).order_by("id"))


def stream_url(project, query: str = "") -> str:
    return f"/{project.organization.slug}/{project.slug}/issues/{'?' + query if query else ''}"


def rows_of(page: str) -> dict[int, str]:
    """Issue id → the HTML of its line in the stream."""
    return {int(issue_id): html for issue_id, html in
            re.findall(r'<tr data-href="[^"]*" data-issue="(\d+)">(.*?)</tr>', page, re.S)}


def selected(page: str, name: str) -> str:
    """The value of the selected option of the select `name` ("" if none is marked)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    option = re.search(r'<option(?: value="([^"]*)")?[^>]*\sselected>([^<]*)', select)
    return "" if option is None else (option.group(1) if option.group(1) is not None
                                      else option.group(2))


def box(page: str) -> str:
    return re.search(r'<input id="search" name="query" value="([^"]*)"', page).group(1)


# --- the query text and the selects (pure) ------------------------------------------------------

def test_a_select_replaces_its_term_and_keeps_the_others():
    assert with_term("is:unresolved boom level:error", "level", "warning") == (
        "is:unresolved boom level:warning")
    assert with_term("is:unresolved level:error", "level", "") == "is:unresolved"
    assert with_term("is:new is:resolved", "status", "all") == "is:new"  # a flag stays
    assert with_term("!level:info x", "level", "fatal") == "!level:info x level:fatal"
    assert with_term("env:prod", "environment", "my env") == 'environment:"my env"'


def test_the_stream_query_shows_the_default_and_folds_the_selects():
    assert stream_query(QueryDict("")) == DEFAULT_QUERY
    assert stream_query(QueryDict("query=")) == ""  # cleared on purpose: every status
    assert stream_query(QueryDict("environment=staging")) == "is:unresolved environment:staging"
    assert stream_query(QueryDict("query=is:resolved+x&status=ignored")) == "x is:ignored"
    text = stream_query(QueryDict("query=level:error&assigned=me"))
    assert select_values(parse(text)) == {"status": "all", "level": "error", "environment": "",
                                          "release": "", "assigned": "me"}


def test_short_ids_read_back_and_name_one_project():
    assert short_id("shop", 1) == "SHOP-1" and short_id("shop", 34) == "SHOP-10"
    assert all(issue_id_of("shop", short_id("shop", n).lower()) == n for n in (1, 33, 12345))
    assert issue_id_of("other", "SHOP-1") is None and issue_id_of("shop", "SHOP-IO") is None


# --- the page --------------------------------------------------------------------------------

def test_each_line_shows_the_assignee_short_id_and_markers_from_the_database(project, people,
                                                                              issues):
    dev, olivia = people
    first, second, third, fourth = issues
    state.assign(first, olivia, dev)
    Issue.objects.filter(pk=second.pk).update(first_seen=timezone.now() - dt.timedelta(days=30),
                                              regressed=True)
    Issue.objects.filter(pk=third.pk).update(first_seen=timezone.now() - dt.timedelta(days=30),
                                             escalating_since=timezone.now())
    Issue.objects.filter(pk=fourth.pk).update(first_seen=timezone.now() - dt.timedelta(days=30))
    page = client_for(dev).get(stream_url(project)).content.decode()
    rows = rows_of(page)
    assert set(rows) == {i.id for i in issues}
    for issue in Issue.objects.filter(project=project).select_related("assignee"):
        row = rows[issue.id]
        assert f'<span class="short-id">{short_id(project.slug, issue.id)}</span>' in row
        assignee = re.search(r'<td class="assignee[^"]*">(.*?)</td>', row, re.S).group(1)
        if issue.assignee:
            assert issue.assignee.username in assignee
        else:
            assert "olivia" not in assignee and "—" in assignee
        found = set(re.findall(r'data-marker="(\w+)"', row))
        assert found == {state.substatus(issue)} & {"new", "regressed", "escalating"}
    assert set(re.findall(r'data-marker="(\w+)"', rows[first.id])) == {"new"}
    assert not re.findall(r'data-marker="(\w+)"', rows[fourth.id])


def test_a_short_id_typed_alone_opens_its_issue(project, people, issues):
    dev, _ = people
    response = client_for(dev).get(stream_url(project, "query="
                                               + short_id(project.slug, issues[2].id).lower()))
    assert response.status_code == 302 and response.url.endswith(f"/issues/{issues[2].id}/")


def test_the_box_shows_the_default_query_and_the_selects_agree_with_it(project, people, issues):
    dev, _ = people
    client = client_for(dev)
    Issue.objects.filter(pk=issues[0].pk).update(status=Issue.Status.RESOLVED)
    page = client.get(stream_url(project)).content.decode()
    assert box(page) == "is:unresolved" and selected(page, "status") == "unresolved"
    assert issues[0].id not in rows_of(page)  # what the box says, nothing hidden besides
    page = client.get(stream_url(project, "query=")).content.decode()
    assert box(page) == "" and selected(page, "status") == "all"
    assert issues[0].id in rows_of(page)  # an empty box hides nothing
    page = client.get(stream_url(project, "query=level:error+is:resolved")).content.decode()
    assert selected(page, "level") == "error" and selected(page, "status") == "resolved"
    assert set(rows_of(page)) == {issues[0].id}
    page = client.get(stream_url(project, "query=level:error&level=warning")).content.decode()
    assert box(page) == "level:warning" and selected(page, "level") == "warning"
    assert rows_of(page) == {}  # the events are errors
    page = client.get(stream_url(project, "query=is:unresolved&assigned=me")).content.decode()
    assert box(page) == "is:unresolved assigned:me" and selected(page, "assigned") == "me"


def test_select_all_and_bulk_assign_change_exactly_the_selected_issues(project, people, issues):
    dev, olivia = people
    client = client_for(dev)
    page = client.get(stream_url(project)).content.decode()
    assert 'id="select-all"' in page and '<option value="olivia">olivia</option>' in page
    bulk = f"/{project.organization.slug}/{project.slug}/issues/bulk/"
    chosen = [issues[0].id, issues[2].id]
    client.post(bulk, {"issue": chosen, "action": "assign", "assignee": "olivia"})
    assigned = dict(Issue.objects.values_list("id", "assignee__username"))
    assert assigned == {i.id: "olivia" if i.id in chosen else None for i in issues}
    client.post(bulk, {"issue": [issues[0].id], "action": "assign", "assignee": ""})
    assert Issue.objects.get(pk=issues[0].pk).assignee is None
    assert Issue.objects.get(pk=issues[2].pk).assignee == olivia


def test_bulk_assign_refuses_outsiders_and_forged_ids(project, people, issues):
    dev, olivia = people
    other_org = Organization.objects.create(name="Other", slug="other")
    other_project = Project.objects.create(organization=other_org, name="O", slug="o",
                                           grouping_mode=Project.GroupingMode.FINGERPRINT)
    ingest(other_project, {**event(), "fingerprint": ["x"]})
    foreign = Issue.objects.get(project=other_project)
    mallory = get_user_model().objects.create_user("mallory", password="pw-mallory-123")
    Membership.objects.create(user=mallory, organization=other_org)
    attacker = client_for(mallory)
    bulk = f"/{project.organization.slug}/{project.slug}/issues/bulk/"
    ids = [i.id for i in issues]
    assert attacker.post(bulk, {"issue": ids, "action": "assign",
                                "assignee": "mallory"}).status_code == 404
    assert attacker.post(bulk, {"issue": ids, "action": "resolve"}).status_code == 404
    # from their own project, with the victim's ids: nothing of the victim's changes
    own_bulk = f"/{other_org.slug}/{other_project.slug}/issues/bulk/"
    attacker.post(own_bulk, {"issue": [*ids, foreign.id], "action": "assign",
                             "assignee": "mallory"})
    assert set(Issue.objects.filter(project=project).values_list("assignee", flat=True)) == {None}
    assert Issue.objects.get(pk=foreign.pk).assignee == mallory  # their own issue only
    # a member cannot hand issues to someone outside the organisation
    client_for(dev).post(bulk, {"issue": ids, "action": "assign", "assignee": "mallory"})
    assert set(Issue.objects.filter(project=project).values_list("assignee", flat=True)) == {None}
    # ids that are not ids (a superscript digit, past bigint) are ignored, not a server error
    response = client_for(dev).post(bulk, {"issue": ["²", "9" * 30, str(ids[0])],
                                           "action": "resolve"})
    assert response.status_code == 302
    assert list(Issue.objects.filter(status="resolved").values_list("id", flat=True)) == [ids[0]]


def test_sparklines_read_the_hourly_counts_by_arrival(project, people, issues):
    dev, _ = people
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    IssueHourlyCount.objects.filter(issue=issues[1]).delete()
    IssueHourlyCount.objects.create(issue=issues[1], hour=hour - dt.timedelta(hours=5), count=8)
    IssueHourlyCount.objects.create(issue=issues[1], hour=hour, count=2)
    from web.queries import sparklines

    line = sparklines([issues[0].id, issues[1].id])[issues[1].id]
    assert len(line) == 24 and line[-1] == 2 and line[-6] == 8 and sum(line) == 10
    # an event whose SDK clock says three days ago arrived now: it counts in this hour
    ingest(project, {**event(value="failure a"), "fingerprint": ["a"],
                     "timestamp": (timezone.now() - dt.timedelta(days=3)).isoformat()})
    assert sparklines([issues[0].id])[issues[0].id][-1] == 2
