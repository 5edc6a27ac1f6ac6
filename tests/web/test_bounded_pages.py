"""The pages that list what grows with the data read a bounded amount of it: counts stop at a
bound and say "N+", the issue's event list pages by key (the same events as the offsets gave,
old page links still working), the API's event count stops at the bound while its pages go on,
and search suggestions read the tag counts of a bounded set of recent issues."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from monitor import eventstore, limits
from monitor.models import Issue, IssueTag
from web import views

pytestmark = pytest.mark.django_db


def _issue(project, title="boom", seen=None) -> Issue:
    seen = seen or timezone.now()
    return Issue.objects.create(project=project, title=title, first_seen=seen, last_seen=seen)


def _events(project, issue, count: int) -> list[int]:
    """`count` events of `issue`, received a second apart, oldest first; their ids."""
    start = timezone.now() - dt.timedelta(minutes=30)
    ids = eventstore.bulk_insert([{
        "project_id": project.id, "issue_id": issue.id, "event_id": uuid.uuid4(),
        "timestamp": start + dt.timedelta(seconds=i), "received": start + dt.timedelta(seconds=i),
        "grouping_hash": "h" * 32, "title": "boom", "data": {"message": "boom"},
        "release": f"r{i}"} for i in range(count)])
    Issue.objects.filter(pk=issue.pk).update(times_seen=count)
    return ids


def _issue_url(project, issue) -> str:
    return f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/"


def _listed(html: str) -> list[int]:
    """The event ids of the page's event list, in order."""
    table = html[html.index('id="events"'):]
    return [int(x) for x in re.findall(r'<tr><td><a href="\?event=(\d+)', table)]


def _link(html: str, name: str) -> str | None:
    found = re.search(rf'id="events-{name}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&").split("#")[0] if found else None


def test_the_stream_counts_issues_up_to_the_bound_and_pages_on_past_it(project, member,
                                                                       monkeypatch):
    monkeypatch.setattr(limits, "STREAM_COUNT", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    now = timezone.now()
    for i in range(7):
        _issue(project, title=f"issue {i}", seen=now - dt.timedelta(minutes=i))
    url = f"/{project.organization.slug}/{project.slug}/issues/"
    with CaptureQueriesContext(connection) as captured:
        first = member.get(url).content.decode()
    assert "page 1 of 2+ · 3+ issues" in first
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"].upper()
              and "monitor_issue" in q["sql"]]
    assert counts and all("LIMIT 4" in sql and "ORDER BY" not in sql for sql in counts)
    titles = []
    for number in range(1, 6):
        page = member.get(url, {"page": number}).content.decode()
        titles += dict.fromkeys(re.findall(r"issue (\d)", page))
        assert ("Older →" in page) == (number < 4)
    assert titles == [str(i) for i in range(7)]  # pages 3 and 4, past the count, list the rest


def test_under_the_bound_the_stream_count_is_exact(project, member):
    for i in range(3):
        _issue(project, title=f"issue {i}")
    page = member.get(f"/{project.organization.slug}/{project.slug}/issues/").content.decode()
    assert "page 1 of 1 · 3 issues" in page


def test_the_issue_page_counts_events_up_to_the_bound(project, member, monkeypatch):
    monkeypatch.setattr(limits, "ISSUE_EVENTS_COUNT", 5)
    issue = _issue(project)
    _events(project, issue, 8)
    page = member.get(_issue_url(project, issue)).content.decode()
    assert "5+ stored events" in page and "page 1 of 1+" in page


def test_keyset_pages_list_the_same_events_as_the_offsets_did(project, member):
    issue = _issue(project)
    newest_first = sorted(_events(project, issue, 47), reverse=True)
    url = _issue_url(project, issue)
    offsets = [_listed(member.get(url, {"events": n}).content.decode()) for n in (1, 2, 3)]
    assert offsets == [newest_first[:20], newest_first[20:40], newest_first[40:]]
    page, pages = member.get(url).content.decode(), []
    while True:  # older, by the links the page gives
        pages.append(_listed(page))
        assert f"page {len(pages)} of 3" in page
        if not (older := _link(page, "older")):
            break
        assert "events_before=" in older
        page = member.get(url + older).content.decode()
    assert pages == offsets
    back = []
    while newer := _link(page, "newer"):  # and back, newer
        assert "events_after=" in newer
        page = member.get(url + newer).content.decode()
        back.append(_listed(page))
    assert back == offsets[:2][::-1]


def test_an_old_page_link_past_the_last_page_shows_the_last_page(project, member):
    issue = _issue(project)
    newest_first = sorted(_events(project, issue, 25), reverse=True)
    page = member.get(_issue_url(project, issue), {"events": 9}).content.decode()
    assert _listed(page) == newest_first[20:] and "page 2 of 2" in page


def test_the_api_counts_an_issues_events_up_to_the_bound_and_pages_on(project, member,
                                                                       monkeypatch):
    monkeypatch.setattr(limits, "ISSUE_EVENTS_COUNT", 5)
    issue = _issue(project)
    newest_first = sorted(_events(project, issue, 8), reverse=True)
    api = APIClient()
    api.force_authenticate(_user_of(member))
    url = f"/api/0/issues/{issue.id}/events/"
    seen, page = [], 1
    while True:
        body = api.get(url, {"per_page": 3, "page": page}).json()
        assert body["count"] == 5  # at least five: the bound, not the eight
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            break
        page += 1
    assert page == 3 and [int(i) for i in seen] == newest_first


def _user_of(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def _tag(issue, value, times_seen):
    now = timezone.now()
    IssueTag.objects.create(issue=issue, key="release", value=value, times_seen=times_seen,
                            first_seen=now, last_seen=now)


def test_suggestions_read_the_recent_issues_tag_counts_only(project, member, monkeypatch):
    monkeypatch.setattr(limits, "SEARCH_SUGGESTION_ISSUES", 2)
    now = timezone.now()
    old = _issue(project, seen=now - dt.timedelta(days=3))
    _tag(old, "shop@0.9", 1000)  # the most frequent, on an issue seen long ago
    for minutes, count in ((1, 5), (2, 7)):
        recent = _issue(project, seen=now - dt.timedelta(minutes=minutes))
        _tag(recent, "shop@1.0", count)
        _tag(recent, "Shop@1.1", 1)
    url = f"/{project.organization.slug}/{project.slug}/searches/suggest/"
    suggested = member.get(url, {"token": "release:shop"}).json()["suggestions"]
    assert suggested == ["release:shop@1.0", "release:Shop@1.1"]  # summed, any case, by count
    monkeypatch.setattr(limits, "SEARCH_SUGGESTION_ROWS", 1)
    assert len(member.get(url, {"token": "release:shop"}).json()["suggestions"]) == 1


def test_the_api_counts_issues_up_to_the_bound_and_pages_on(project, member, monkeypatch):
    monkeypatch.setattr(limits, "STREAM_COUNT", 3)
    now = timezone.now()
    made = [_issue(project, seen=now - dt.timedelta(minutes=i)).id for i in range(5)]
    api = APIClient()
    api.force_authenticate(_user_of(member))
    seen, page = [], 1
    while True:
        body = api.get("/api/0/issues/", {"per_page": 2, "page": page}).json()
        assert body["count"] == 3
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            break
        page += 1
    assert seen == made
