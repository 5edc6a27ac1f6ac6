"""The search syntax (UI and API), stack-trace folding, breadcrumbs, grouping
explanations, settings validation, key rotation grace, error pages."""

import datetime as dt
import html

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from monitor.models import Event, GroupHash, Issue, Membership, Project
from monitor.search import MAX_QUERY_LENGTH, MAX_TERMS, SearchError, parse
from tests.test_grouping_api import ingest
from tests.test_ml_grouping import event
from web.breadcrumbs import breadcrumbs_of
from web.explain import split_similar, why_grouped
from web.keys import retire_due
from web.stacktrace import collapse, exceptions_of, raw_traceback

# ---- pure parts


def test_parse_terms_quotes_and_event_ids():
    search = parse('timeout "two words" is:unresolved is:regressed level:Error release:a@1.2 '
                   'env:prod user:a@b.c browser:"Chrome 120" tag:level=x')
    assert search.text == ["timeout", "two words"]
    assert (search.status, search.flags, search.level, search.user) == (
        "unresolved", {"regressed"}, "error", "a@b.c")
    assert search.tags == [("release", "a@1.2"), ("environment", "prod"),
                           ("browser", "Chrome 120"), ("level", "x")]
    assert parse("KeyError: plan").text == ["KeyError:", "plan"]
    assert parse("http://shop.example/cart").text == ["http://shop.example/cart"]
    uid = "3f2a9c1e-4b5d-4a7f-8e9d-0c1b2a3f4e5d"
    assert parse(uid).event_id == uid.replace("-", "")
    assert parse(f"{uid} more").event_id is None  # only a lone id jumps


@pytest.mark.parametrize("query", ["x" * (MAX_QUERY_LENGTH + 1), "a " * (MAX_TERMS + 1),
                                   "is:sleeping", "level:loud", 'user:""', "tag:novalue",
                                   "release:" + "v" * 201])
def test_parse_is_bounded_and_rejects_unknown_values(query):
    with pytest.raises(SearchError):
        parse(query)


def frame(function, line=1, in_app=True, **extra):
    return {"function": function, "module": "app", "filename": "app.py", "lineno": line,
            "in_app": in_app, "context_line": f"{function}()", **extra}


def test_recursion_collapses_and_the_crash_frame_is_expanded():
    frames = [frame("main"), *[frame("recurse", 5) for _ in range(198)], frame("crash", 9)]
    (exc,) = exceptions_of({"exception": [{"type": "RecursionError", "value": "deep",
                                           "stacktrace": {"frames": frames}}]})
    shown = [f for run in exc.runs for f in run.shown + run.hidden]
    assert [f.function for f in shown] == ["crash", "recurse", "main"]  # newest first
    assert shown[0].crash and not shown[1].crash and shown[1].repeats == 198
    cycle = collapse([frame("a"), frame("b")] * 50)
    assert [(f.function, f.repeats, f.cycle) for f in cycle] == [("a", 50, 2), ("b", 50, 2)]
    raw = raw_traceback({"platform": "python", "exception": [
        {"type": "RecursionError", "value": "deep", "stacktrace": {"frames": frames}}]})
    assert "[Previous line repeated 197 more times]" in raw and raw.count("recurse()") == 1
    assert raw.startswith("Traceback (most recent call last):") and "RecursionError: deep" in raw


def test_long_runs_fold_and_long_chains_fold_per_exception():
    frames = [frame(f"f{i}", i) for i in range(200)] + [frame(f"lib{i}", i, False) for i in
                                                        range(6)]
    chain = [{"type": f"E{i}", "value": "x\n" * 3, "stacktrace": {"frames": frames}}
             for i in range(3)]
    views = exceptions_of({"exception": chain})
    assert [v.type for v in views] == ["E2", "E1", "E0"] and [v.folded for v in views] == [
        False, True, True]
    runs = views[0].runs
    assert len(runs[0].shown) == 1 and len(runs[0].hidden) == 5  # library run after one frame
    assert runs[1].shown[0].crash and len(runs[2].shown) == 5 and len(runs[2].hidden) == 194
    assert views[0].long_value and views[0].heading == "E2: x"


def test_frame_context_has_line_numbers_and_vars_are_shown():
    (exc,) = exceptions_of({"exception": [{"type": "E", "stacktrace": {"frames": [
        frame("f", 10, pre_context=["a", "b"], post_context=["c"],
              vars={"cart": {"items": []}, "n": "0"})]}}]})
    (f,) = exc.runs[0].shown
    assert f.context == [(8, "a", False), (9, "b", False), (10, "f()", True), (11, "c", False)]
    assert f.vars == [("cart", '{"items": []}'), ("n", "0")]


def test_breadcrumbs_newest_first_relative_with_data():
    data = {"timestamp": 1_700_000_010.0, "breadcrumbs": [
        {"timestamp": 1_700_000_000.0, "category": "query", "message": "SELECT 1"},
        {"timestamp": "2023-11-14T22:13:29.500000Z", "category": "httplib", "type": "http",
         "data": {"url": "https://api.example/x", "http.method": "GET", "status_code": 502,
                  "http.query": "a=1", "reason": "Bad Gateway", "extra": {"k": 1}}}]}
    newest, oldest = breadcrumbs_of(data)
    assert newest.icon == "⇄" and newest.offset == "-500 ms" and oldest.offset == "-10 s"
    assert {("status_code", "502"), ("http.query", "a=1")} <= set(newest.highlights)
    assert newest.data == [("extra", '{"k": 1}')] and oldest.icon == "⛁"
    from web.breadcrumbs import relative

    assert [relative(x) for x in (-0.0001, -0.25, -4.2, -75, 7300)] == [
        "0 ms", "-250 ms", "-4.20 s", "-1 min 15 s", "+2 h 1 min"]


def test_why_grouped_explains_ml_both_ways():
    joined = GroupHash(decided_by="ml", ml_state="done", ml_distance=0.08)
    declined = GroupHash(decided_by="fingerprint", ml_state="done", ml_distance=0.31)
    assert "0.080 ≤ threshold 0.120" in why_grouped(joined, 0.12)
    assert "declined" in why_grouped(declined, 0.12) and "0.310 > 0.120" in why_grouped(
        declined, 0.12)
    vetoed = GroupHash(decided_by="fingerprint", ml_state="done", ml_distance=0.03)
    assert "within today's threshold 0.120): its message" in why_grouped(vetoed, 0.12)
    same, related = split_similar([("a", 0.05), ("b", 0.6), ("c", 0.12)], 0.12)
    assert same == [("a", 0.05), ("c", 0.12)] and related == [("b", 0.6)]


# ---- through Django

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def member(project):
    user = get_user_model().objects.create_user("dev", password="pw-dev-123")
    Membership.objects.create(user=user, organization=project.organization, role="owner")
    project.grouping_mode = "fingerprint"
    project.save()  # the project has its default key (monitor.default_key)
    client = Client()
    client.force_login(user)
    return client


def url(project, rest=""):
    return f"/{project.organization.slug}/{project.slug}/{rest}"


@pytestmark_db
def test_search_syntax_in_the_stream_and_the_api(project, member):
    ingest(project, {**event(user="alice"), "fingerprint": ["a"], "release": "shop@1.9",
                     "environment": "production", "tags": {"browser": "Chrome 120"}})
    ingest(project, {**event(value="boom", exc_type="KeyError"), "fingerprint": ["b"],
                     "release": "shop@1.10", "environment": "staging", "level": "warning",
                     "user": {"email": "bob@example.com", "id": "b7"}})
    zero, key = Issue.objects.order_by("id")

    def found(query, via_api=False):
        if via_api:
            response = member.get("/api/0/issues/", {"query": query, "project": project.id})
            return {row["id"] for row in response.json()["results"]}
        page = member.get(url(project, "issues/"), {"query": query}).content.decode()
        return {i.id for i in (zero, key) if f'name="issue" value="{i.id}"' in page}

    cases = {"release:shop@1.10": {key.id}, "environment:production": {zero.id},
             'browser:"Chrome 120"': {zero.id}, "user:alice": {zero.id},
             "user:bob@example.com": {key.id}, "level:warning": {key.id}, "boom": {key.id},
             "is:resolved": set(), "is:unresolved division": {zero.id}}
    for query, expected in cases.items():
        assert found(query) == expected, query
        assert found(query, via_api=True) == expected, query
    bad = member.get("/api/0/issues/", {"query": "is:sleeping"})
    assert bad.status_code == 400 and "is:sleeping" in bad.json()["query"]
    page = member.get(url(project, "issues/"), {"query": "x" * 600}).content.decode()
    assert 'id="search-error"' in page
    ev = Event.objects.get(issue=key)
    jump = member.get(url(project, "issues/"), {"query": ev.event_id.hex})
    assert jump.status_code == 302 and jump.url.endswith(f"/issues/{key.id}/?event={ev.id}")
    stream = member.get(url(project, "issues/")).content.decode()
    assert stream.index("shop@1.10") < stream.index("shop@1.9")  # newest release first
    assert "Events (total)" in stream
    filtered = member.get(url(project, "issues/"), {"environment": "staging"}).content.decode()
    assert "Events (staging)" in filtered


@pytestmark_db
def test_counts_follow_the_environment_filter(project, member):
    for env in ("production", "production", "staging"):
        ingest(project, {**event(), "environment": env, "fingerprint": ["z"]})
    page = member.get(url(project, "issues/"), {"environment": "staging"}).content.decode()
    row = page.split('name="issue"')[1]
    assert '<td class="num">1</td>' in row  # one staging event, not the 3 in total


@pytestmark_db
def test_saved_searches_are_per_user(project, member):
    member.post(url(project, "searches/"), {"name": "prod errors",
                                            "query": "query=level%3Aerror"})
    assert "prod errors" in member.get(url(project, "issues/")).content.decode()
    other = get_user_model().objects.create_user("other", password="x")
    Membership.objects.create(user=other, organization=project.organization)
    client = Client()
    client.force_login(other)
    ingest(project, {**event(), "fingerprint": ["s"]})
    assert "prod errors" not in client.get(url(project, "issues/")).content.decode()


@pytestmark_db
def test_issue_page_folds_recursion_shows_vars_crumbs_and_moved_links(project, member):
    frames = [{"module": "app", "function": "walk", "lineno": 7, "in_app": True,
               "context_line": "return walk(n - 1)", "vars": {"n": "12"}}] * 198
    payload = {**event(), "fingerprint": ["r"], "exception": {"values": [{
        "type": "RecursionError", "value": "maximum recursion depth exceeded",
        "stacktrace": {"frames": frames}}]},
        "breadcrumbs": [{"message": f"crumb {i}", "category": "log"} for i in range(14)],
        "request": {"url": "https://shop.example/cart", "method": "GET",
                    "query_string": "page=2&sort=price"},
        "contexts": {"trace": {"parent_span_id": None, "op": "http.server"}}}
    ingest(project, payload)
    issue = Issue.objects.get()
    page = member.get(url(project, f"issues/{issue.id}/")).content.decode()
    assert "frame repeated 198 times" in page and page.count("return walk(n - 1)") <= 3
    assert "12</pre>" in page and 'id="raw-trace-text"' in page
    assert page.index("crumb 13") < page.index("crumb 0") and "show 4 older breadcrumbs" in page
    assert "sort" in page and "price" in page and "{'parent_span_id'" not in page
    assert "http.server" in page
    assert len(page) < 60_000
    ingest(project, {**event(), "fingerprint": ["r2"]})
    assert member.get(url(project, f"issues/{issue.id}/?event=999999")).status_code == 200


@pytestmark_db
def test_titles_follow_the_latest_event_and_keep_the_type(project, member):
    now = timezone.now().timestamp()
    ingest(project, {**event(value="first"), "fingerprint": ["t"], "timestamp": now - 60})
    ingest(project, {**event(value="second", exc_type="ValueError"), "fingerprint": ["t"],
                     "timestamp": now})
    ingest(project, {**event(value="older"), "fingerprint": ["t"], "timestamp": now - 120})
    assert Issue.objects.get().title == "ZeroDivisionError: second"


@pytestmark_db
def test_settings_validate_lists_ranges_and_rotation_grace(project, member):
    base = url(project, "settings/")
    form = {"name": "B", "platform": "python", "allowed_origins": "*", "scrub_data": "on",
            "grouping_mode": "ml"}
    bad = member.post(base, {**form, "grouping_threshold": "5.0", "scrub_extra_keys": "ssn"})
    assert bad.status_code == 200 and "less than or equal to 1" in bad.content.decode()
    bad = member.post(base, {**form, "scrub_extra_keys": '["ssn"]'})
    assert "Key names are" in bad.content.decode()
    member.post(base, {**form, "grouping_threshold": "0.2", "scrub_extra_keys": "ssn\ntax_id, ssn"})
    project.refresh_from_db()
    assert project.scrub_extra_keys == ["ssn", "tax_id"] and project.grouping_threshold == 0.2
    page = member.get(base).content.decode()
    assert "<label" in page and "Extra keys to scrub" in page and "ssn\ntax_id" in page
    key = project.keys.get()
    assert f'sentry_sdk.init(\n    dsn="{key.dsn}"' in html.unescape(page)
    assert "@sentry/node" in page
    assert "sentry-cli send-event" in page
    member.post(base + "keys/", {"action": "rotate", "key": key.id, "confirm": "yes",
                                 "grace": "3600"})
    key.refresh_from_db()
    assert key.is_active and project.keys.filter(is_active=True).count() == 2
    assert retire_due() == 0
    assert retire_due(timezone.now() + dt.timedelta(hours=2)) == 1
    key.refresh_from_db()
    assert not key.is_active


@pytestmark_db
def test_empty_project_without_key_prompts_to_create_one(project):
    user = get_user_model().objects.create_user("nokey", password="x")
    Membership.objects.create(user=user, organization=project.organization)
    project.keys.update(is_active=False)  # every project gets a key; all of them disabled here
    client = Client()
    client.force_login(user)
    page = client.get(url(project, "issues/")).content.decode()
    assert 'id="no-key"' in page and 'init("")' not in page and 'dsn=""' not in page


@pytestmark_db
def test_styled_404_and_consent_admin_link(project, member):
    response = member.get("/nowhere/at/all/issues/")
    assert response.status_code == 404 and 'id="error-404"' in response.content.decode()
    from django.template.loader import render_to_string

    assert 'id="error-500"' in render_to_string("500.html")  # self-contained, no context
    page = member.get(f"/{project.organization.slug}/settings/").content.decode()
    assert f"/admin/consent/organizationconsent/add/?organization={project.organization.id}" in page
    from consent.models import OrganizationConsent

    record = OrganizationConsent.objects.create(organization=project.organization)
    page = member.get(f"/{project.organization.slug}/settings/").content.decode()
    assert f"/admin/consent/organizationconsent/{record.pk}/change/" in page


@pytestmark_db
def test_api_issue_search_uses_the_same_parser(project):
    user = get_user_model().objects.create_user("api", password="x")
    Membership.objects.create(user=user, organization=project.organization)
    client = APIClient()
    client.force_authenticate(user)
    assert client.get("/api/0/issues/", {"query": "a " * 40}).status_code == 400


def test_times_read_relative_with_the_absolute_time_on_hover():
    from web.templatetags.faultline import when

    now = timezone.now()
    html = when(now - dt.timedelta(hours=5, minutes=3), now)
    assert ">5 hours ago</time>" in html and 'title="' in html and " UTC" in html
    assert ">just now<" in when(now - dt.timedelta(seconds=20), now)


@pytestmark_db
def test_a_merged_issues_link_leads_to_the_issue_that_holds_its_events(project, member):
    """Alert e-mails and bookmarks link to issues that a person or ML grouping may merge later;
    chains stay one hop; an id that never existed, or another project's, is still a 404."""
    from grouping.merge import merge_issues

    for name in ("a", "b", "c"):
        ingest(project, {**event(value=name), "fingerprint": [name]})
    a, b, c = Issue.objects.order_by("id")
    merge_issues(b.id, [a.id])
    response = member.get(url(project, f"issues/{a.id}/"), {"event": "x"})
    assert response.status_code == 302
    assert response["Location"] == url(project, f"issues/{b.id}/") + "?event=x"
    merge_issues(c.id, [b.id])
    for old in (a, b):
        assert member.get(url(project, f"issues/{old.id}/"))["Location"] == url(
            project, f"issues/{c.id}/")
    assert member.get(url(project, f"issues/{c.id}/")).status_code == 200
    assert member.get(url(project, f"issues/{c.id + 1000}/")).status_code == 404
    Project.objects.create(organization=project.organization, name="Other", slug="other")
    assert member.get(f"/{project.organization.slug}/other/issues/{a.id}/").status_code == 404
    c.delete()  # the redirects go with the issue they lead to
    assert member.get(url(project, f"issues/{a.id}/")).status_code == 404


def test_an_action_from_a_page_opened_before_a_merge_changes_nothing_and_says_where(
        project, member):
    """Resolving from a tab opened before ML grouping merged its issue away: the member lands on
    the issue that holds the events, told that nothing changed; the action is not applied."""
    from grouping.merge import merge_issues

    for name in ("a", "b"):
        ingest(project, {**event(value=name), "fingerprint": [name]})
    a, b = Issue.objects.order_by("id")
    merge_issues(b.id, [a.id])
    response = member.post(url(project, f"issues/{a.id}/action/"), {"action": "resolve"},
                           follow=True)
    assert response.redirect_chain == [(url(project, f"issues/{b.id}/"), 302)]
    page = response.content.decode()
    assert f"Issue #{a.id} was merged into this one" in page and 'class="warning"' in page
    # the triage form (assign, comment, ignore until…) is its own view: the same there
    response = member.post(url(project, f"issues/{a.id}/triage/"),
                           {"action": "comment", "text": "seen it"}, follow=True)
    assert response.redirect_chain == [(url(project, f"issues/{b.id}/"), 302)]
    b.refresh_from_db()
    assert b.status == Issue.Status.UNRESOLVED and not b.comments.exists()
    for view in ("action", "triage"):
        assert member.post(url(project, f"issues/{b.id + 1000}/{view}/"),
                           {"action": "resolve"}).status_code == 404
