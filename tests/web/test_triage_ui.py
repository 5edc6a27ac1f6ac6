"""The search syntax (UI and API), stack-trace folding, breadcrumbs, grouping
explanations, settings validation, key rotation grace, error pages."""

import datetime as dt
import html

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from grouping.policy import RENAME_PATH
from monitor import limits
from monitor.models import Event, GroupHash, Issue, Project
from monitor.search import SearchError, parse
from tests.helpers.cast import join, make_user
from tests.helpers.events import event, ingest
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


@pytest.mark.parametrize("query", ["x" * (limits.SEARCH_QUERY_CHARS + 1),
                                   "a " * (limits.SEARCH_TERMS + 1),
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
    assert f.vars == [("cart", "{items: []}"), ("n", "0")]


def test_breadcrumbs_newest_first_relative_with_data():
    data = {"timestamp": 1_700_000_010.0, "breadcrumbs": [
        {"timestamp": 1_700_000_000.0, "category": "query", "message": "SELECT 1"},
        {"timestamp": "2023-11-14T22:13:29.500000Z", "category": "httplib", "type": "http",
         "data": {"url": "https://api.example/x", "http.method": "GET", "status_code": 502,
                  "http.query": "a=1", "reason": "Bad Gateway", "extra": {"k": 1}}}]}
    newest, oldest = breadcrumbs_of(data)
    assert newest.icon == "⇄" and newest.offset == "-500 ms" and oldest.offset == "-10 s"
    assert {("status_code", "502"), ("http.query", "a=1")} <= set(newest.highlights)
    assert newest.data == [("extra", "{k: 1}")] and oldest.icon == "⛁"
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
    renamed = GroupHash(decided_by="ml", ml_state="done", ml_distance=0.21,
                        ml_rule=RENAME_PATH.source)
    assert why_grouped(renamed, 0.3) == ("Joined by ML's rename path: this issue's crash "
                                         "statement, in a function renamed or moved since, "
                                         "at distance "
                                         "0.210 ≤ threshold 0.300.")
    shadow = GroupHash(decided_by="fingerprint", ml_state="done", ml_distance=0.21,
                       ml_matched_issue_id=7, ml_rule=RENAME_PATH.source)
    assert "rename path would join #7" in why_grouped(shadow, 0.04)
    same, related = split_similar([("a", 0.05), ("b", 0.6), ("c", 0.12)], 0.12)
    assert same == [("a", 0.05), ("c", 0.12)] and related == [("b", 0.6)]


# ---- through Django

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def member(project):
    user = make_user("dev")
    join(user, project.organization, "owner")
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
    join(other, project.organization)
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
    assert member.get(url(project, f"issues/{issue.id}/?event=999999")).status_code == 404


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
    join(user, project.organization)
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
    join(user, project.organization)
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


# ---- the issue page: header, chart, tags, event navigation, values as sent

def test_crash_frame_locals_are_the_innermost_repetitions():
    """A recursion shows one collapsed frame: its locals are those of the call that crashed
    (the innermost repetition), not of the first call."""
    frames = [frame("main")] + [frame("walk", 7, vars={"n": str(n)}) for n in range(200, 0, -1)]
    (exc,) = exceptions_of({"exception": [{"type": "RecursionError", "value": "deep",
                                           "stacktrace": {"frames": frames}}]})
    crash = exc.runs[0].shown[0]
    assert crash.crash and crash.function == "walk" and crash.repeats == 200
    assert crash.vars == [("n", "1")]


def test_values_are_shown_as_the_sdk_sent_them():
    """The Python SDK sends reprs (`'bob'`): nested in a dict or list they are not quoted
    again; other scalars keep their JSON spelling."""
    from web.templatetags.faultline import pairs

    sent = {"cart": {"owner": "'bob'", "items": ["'a'", 1, None, True]}, "n": "0"}
    (exc,) = exceptions_of({"exception": [{"type": "E", "stacktrace": {"frames": [
        frame("f", vars=sent)]}}]})
    assert exc.runs[0].shown[0].vars == [
        ("cart", "{owner: 'bob', items: ['a', 1, null, true]}"), ("n", "0")]
    assert ("user.name", "'bob'") in pairs({"user": {"name": "'bob'"}})
    assert pairs({"deep": {"list": ["'x'"]}}) == [("deep.list", "['x']")]


def test_anonymous_javascript_functions_are_named_as_sentry_names_them():
    js = {"platform": "javascript", "exception": [{"type": "TypeError", "value": "x",
          "stacktrace": {"frames": [
              {"filename": "app.js", "lineno": 3, "colno": 9, "in_app": True},
              {"function": "?", "filename": "app.js", "lineno": 5, "in_app": True},
              {"function": "Object.<anonymous>", "filename": "app.js", "lineno": 7}]}}]}
    (exc,) = exceptions_of(js)
    names = [f.function for run in exc.runs for f in run.shown + run.hidden]
    assert names == ["Object.<anonymous>", "<anonymous>", "<anonymous>"]
    assert "at <anonymous> (app.js:3:9)" in raw_traceback(js)
    (python,) = exceptions_of({"platform": "python", "exception": [{"type": "E", "stacktrace": {
        "frames": [{"module": "app", "lineno": 1}]}}]})
    assert python.runs[0].shown[0].function == "?"


def test_chart_buckets_sum_the_hourly_counts_of_their_window():
    from web import chart

    now = dt.datetime(2026, 3, 10, 15, 40, tzinfo=dt.UTC)
    hour = now.replace(minute=0)
    hourly = {hour: 4, hour - dt.timedelta(hours=23): 2, hour - dt.timedelta(hours=24): 5,
              hour - dt.timedelta(days=29, hours=15): 7, hour - dt.timedelta(days=31): 100}
    day, month = chart.charts(hourly, [("release", hour - dt.timedelta(hours=2), "release 1"),
                                       ("first-seen", hour - dt.timedelta(days=40), "first")],
                              now)
    assert [len(day.bars), len(month.bars)] == [24, 30]
    assert day.total == sum(b.count for b in day.bars) == 4 + 2
    assert month.total == sum(b.count for b in month.bars) == 4 + 2 + 5 + 7
    assert day.bars[-1].count == 4 and day.bars[0].count == 2 and month.bars[0].count == 7
    assert day.bars[-1].height == 100 and day.bars[0].height == 50  # scaled to the peak
    assert day.bars[-1].label == "4 events · 2026-03-10 15:00–16:00 UTC"
    assert [m.kind for m in day.marks] == ["release"] and 0 < day.marks[0].x < 600
    assert month.mark_kinds == [("release", "release")]  # first seen is before the window


def _page_numbers(page: str, element_id: str) -> str:
    import re

    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</d', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).replace("\u202f", "")


@pytestmark_db
def test_issue_page_header_chart_tags_and_events_match_the_database(project, member):
    import re

    from monitor.models import IssueHourlyCount, IssueTag

    now = timezone.now().timestamp()
    for i, (release, browser, user) in enumerate([("shop@1.9", "Chrome 120", "u1"),
                                                  ("shop@1.10", "Chrome 120", "u2"),
                                                  ("shop@1.10", "Firefox 128", "u2")]):
        ingest(project, {**event(user=user), "fingerprint": ["h"], "release": release,
                         "tags": {"browser": browser}, "timestamp": now - 60 * (2 - i)})
    issue = Issue.objects.get()
    page = member.get(url(project, f"issues/{issue.id}/")).content.decode()
    assert _page_numbers(page, "issue-events").strip() == str(issue.times_seen) == "3"
    assert _page_numbers(page, "issue-users").strip() == str(issue.users_seen) == "2"
    assert "shop@1.9" in _page_numbers(page, "issue-first-seen")
    assert "shop@1.10" in _page_numbers(page, "issue-last-seen")
    assert re.search(r'id="issue-first-seen"><time datetime="[^"]+" title="[^"]+ UTC">', page)
    stored = sum(IssueHourlyCount.objects.filter(issue=issue).values_list("count", flat=True))
    for key in ("24h", "30d"):
        figure = page[page.index(f'id="chart-{key}"'):].split("</figure>")[0]
        bars = [int(n) for n in re.findall(r'class="bar-slot" data-count="(\d+)"', figure)]
        assert sum(bars) == int(re.search(r'data-total="(\d+)"', figure).group(1)) == stored == 3
    assert 'data-kind="first-seen"' in page and 'data-kind="release"' in page
    browsers = page[page.index('data-key="browser"'):].split('class="tag-key"')[0]
    shares = re.findall(r'data-count="(\d+)" data-percent="(\d+)"', browsers)
    assert shares == [("2", "67"), ("1", "33")]
    assert IssueTag.objects.get(issue=issue, key="browser", value="Chrome 120").times_seen == 2
    assert "?query=browser%3A%22Chrome+120%22" in browsers  # a link that filters the stream
    assert 'id="event-tags"' in page and "Firefox 128" in page.split('id="event-tags"')[1][:2000]


@pytestmark_db
def test_event_navigation_goes_by_event_id_and_keeps_the_streams_query(project, member):
    import re

    now = timezone.now().timestamp()
    for i in range(3):  # the SDK's clock runs backwards: later events carry older timestamps
        ingest(project, {**event(value=f"v{i}"), "fingerprint": ["n"], "timestamp": now - 600 * i})
    issue = Issue.objects.get()
    first, middle, last = issue.events.order_by("id").values_list("id", flat=True)
    stream = url(project, "issues/") + "?query=is%3Aunresolved+level%3Aerror&sort=events"
    base = url(project, f"issues/{issue.id}/")

    def nav(page):
        found = dict(re.findall(r'id="event-(\w+)" href="\?event=(\d+)', page))
        return {name: int(found[name]) if name in found else None
                for name in ("oldest", "older", "newer", "latest")}

    page = member.get(base, HTTP_REFERER="http://testserver" + stream).content.decode()
    assert f"<code>{Event.objects.get(pk=last).event_id.hex}</code>" in page  # latest by id
    assert nav(page) == {"oldest": first, "older": middle, "newer": None, "latest": None}
    back = html.unescape(re.search(r'id="back-to-stream" href="([^"]+)"', page).group(1))
    assert back == stream
    older = html.unescape(re.search(r'id="event-older" href="([^"]+)"', page).group(1))
    page = member.get(base + older).content.decode()  # no Referer: the link carries the query
    assert nav(page) == {"oldest": first, "older": first, "newer": last, "latest": last}
    assert html.unescape(re.search(r'id="back-to-stream" href="([^"]+)"', page).group(1)) == stream
    page = member.get(base, {"event": first}).content.decode()
    assert nav(page) == {"oldest": None, "older": None, "newer": middle, "latest": last}
    hex_id = Event.objects.get(pk=middle).event_id.hex
    assert f"<code>{hex_id}</code>" in member.get(base, {"event": hex_id}).content.decode()
    # after an action, the redirect's page still knows the way back
    response = member.post(base + "action/", {"action": "resolve"},
                           HTTP_REFERER="http://testserver" + base + older)
    page = member.get(response.url, HTTP_REFERER="http://testserver" + base + older)
    assert html.unescape(re.search(r'id="back-to-stream" href="([^"]+)"',
                                   page.content.decode()).group(1)) == stream


@pytestmark_db
def test_a_bad_event_parameter_is_a_clear_404_never_a_500(project, member):
    from monitor.models import Organization

    ingest(project, {**event(), "fingerprint": ["a"]})
    ingest(project, {**event(value="b"), "fingerprint": ["b"]})
    a, b = Issue.objects.order_by("id")
    other = Project.objects.create(organization=Organization.objects.create(name="X", slug="x"),
                                   name="O", slug="o")
    ingest(other, {**event(), "fingerprint": ["a"]})
    foreign = Event.objects.get(project=other)
    base = url(project, f"issues/{a.id}/")
    for wanted in ("abc", "-1", "1e3", "9" * 30, str(foreign.id), foreign.event_id.hex,
                   "' OR 1=1 --", "0", "-" * 36, "g" * 32, "{" + "0" * 30 + "}", "x" * 5000):
        response = member.get(base, {"event": wanted})
        assert response.status_code == 404, wanted
    b_event = b.events.get()
    page = member.get(base, {"event": b_event.id}).content.decode()
    assert 'id="moved"' in page and f"issue #{b.id}" in page


@pytestmark_db
def test_grouping_internals_are_a_secondary_tab_with_the_decisions_threshold(project, member):
    ingest(project, {**event(), "fingerprint": ["g"]})
    issue = Issue.objects.get()
    base = url(project, f"issues/{issue.id}/")
    details = member.get(base).content.decode()
    assert 'id="why-grouped"' not in details and 'id="tab-grouping"' in details
    assert details.index('id="triage-bar"') < details.index('id="event"')  # actions on top
    grouping = member.get(base, {"tab": "grouping"}).content.decode()
    assert 'id="why-grouped"' in grouping and 'id="similar"' in grouping
    assert 'id="triage-bar"' in grouping and 'id="event"' not in grouping
    # an ML decision made under another threshold than today's shows the one it used, only
    from grouping.models import DecisionRecord
    from grouping.policy import reading_policy

    policy = reading_policy(project)
    today = policy.rule_for(policy.family(issue.platform)).threshold
    group_hash = issue.hashes.get()
    GroupHash.objects.filter(pk=group_hash.pk).update(
        decided_by=GroupHash.DecidedBy.ML, ml_state=GroupHash.MLState.DONE, ml_distance=0.15,
        ml_model="stock")
    DecisionRecord.objects.create(group_hash=group_hash, threshold=0.2, base_threshold=0.18,
                                  adjustment="looser after merges")
    grouping = member.get(base, {"tab": "grouping"}).content.decode()
    assert "0.150 ≤ threshold 0.200" in grouping and f"{today:.3f}" not in grouping
    assert "0.180" not in grouping  # the threshold without the adjustment is not a second one


def test_every_page_shows_dates_one_way_relative_with_the_absolute_time_on_hover():
    """Dates on pages go through the `when` tag (a <time> with the UTC time as its title);
    e-mails, which have no hover, spell the absolute time; a breadcrumb shows its offset."""
    from pathlib import Path

    import django.conf

    root = Path(django.conf.settings.BASE_DIR) / "templates"
    other_ways = [f"{path.relative_to(root)}: {line.strip()[:80]}"
                  for path in root.rglob("*.html") if "email" not in path.name
                  and path.name != "_crumb.html"
                  for line in path.read_text().splitlines()
                  if "|timesince" in line or "|date:" in line or "|naturaltime" in line]
    assert other_ways == []


@pytestmark_db
def test_comments_and_activity_read_relative_with_the_absolute_time_on_hover(project, member):
    import re

    ingest(project, {**event(), "fingerprint": ["c"]})
    issue = Issue.objects.get()
    member.post(url(project, f"issues/{issue.id}/triage/"), {"action": "comment", "text": "hi"})
    page = member.get(url(project, f"issues/{issue.id}/")).content.decode()
    triage = page[page.index('id="triage"'):].split('id="activity"')[0]
    assert re.search(r'<time datetime="[^"]+" title="[\d-]+ [\d:]+ UTC">just now</time>', triage)
