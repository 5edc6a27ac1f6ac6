"""The Sentry search terms users type: negation, has:, assigned:, comparisons on counts and
times, wildcards, and unknown keys as errors (the stream, the REST API, the parser's bounds)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from monitor.issues import apply_search
from monitor.models import Issue, IssueTag, Membership, Project
from monitor.search import Bound, SearchError, parse, wildcard_regex

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)

# ---- the parser (pure)


def test_negation_with_bang_or_minus_negates_one_term():
    search = parse("!level:info -release:shop@1.* timeout is:unresolved")
    assert search.level is None and search.text == ["timeout"] and search.status == "unresolved"
    assert [(part.level, part.tags) for part in search.negated] == [
        ("info", []), (None, [("release", "shop@1.*")])]
    assert parse("-timeout").text == ["-timeout"]  # a bare word keeps its dash


def test_comparisons_on_counts_and_times():
    search = parse("times_seen:>10 timesSeen:<=99 users:5 age:-1h firstSeen:+7d "
                   "lastSeen:>=2026-12-01T10:00 last_seen:2026-12-02", now=NOW)
    assert search.bounds == [
        Bound("times_seen", ">", 10), Bound("times_seen", "<=", 99), Bound("users_seen", "=", 5),
        Bound("first_seen", ">=", NOW - dt.timedelta(hours=1)),
        Bound("first_seen", "<", NOW - dt.timedelta(days=7)),
        Bound("last_seen", ">=", dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)),
        Bound("last_seen", ">=", dt.datetime(2026, 12, 2, tzinfo=dt.UTC)),
        Bound("last_seen", "<", dt.datetime(2026, 12, 3, tzinfo=dt.UTC)),
    ]


def test_has_and_assigned_terms():
    search = parse("has:user !has:release assigned:me assigned_to:none assigned:ada")
    assert search.has == ["user"] and search.negated[0].has == ["release"]
    assert search.assigned == ["me", "none", "ada"]


@pytest.mark.parametrize("query, message", [
    ("times_seen:lots", "takes a number"),
    ("times_seen:>" + "9" * 16, "takes a number"),
    ("age:yesterday", "relative time"),
    ("firstSeen:>2031-01-01", "in the future"),
    ("release:" + "*a" * 5, "wildcards"),
    ("!level:loud", "unknown"),
])
def test_malformed_terms_say_why(query, message):
    with pytest.raises(SearchError, match=message):
        parse(query, now=NOW)


def test_wildcards_escape_everything_else():
    assert wildcard_regex("shop@1.*") == r"^shop@1\..*$"
    assert wildcard_regex("a+b(*)") == r"^a\+b\(.*\)$"


# ---- against the database


@pytest.fixture
def issues(project):
    now = timezone.now()
    users = get_user_model().objects
    ada = users.create_user("ada", password="pw-ada-123")
    Membership.objects.create(user=ada, organization=project.organization)

    def issue(title, level="error", times=1, users_seen=0, age_hours=1, assignee=None, **tags):
        created = Issue.objects.create(
            project=project, title=title, level=level, times_seen=times, users_seen=users_seen,
            first_seen=now - dt.timedelta(hours=age_hours), last_seen=now, assignee=assignee)
        for key, value in tags.items():
            IssueTag.objects.create(issue=created, key=key.replace("_", "."), value=value,
                                    times_seen=times, first_seen=now, last_seen=now)
        return created

    return ada, {
        "old": issue("OldError", times=500, age_hours=24 * 30, release="shop@1.9"),
        "new": issue("NewError", times=3, users_seen=2, release="shop@1.10", user="id:7",
                     assignee=ada, job="nightly-reconcile"),
        "info": issue("Heads up", level="info", times=20, release="api@2.0"),
    }


def titles(queryset):
    return sorted(issue.title for issue in queryset)


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ("!level:info", ["NewError", "OldError"]),
    ("-level:error", ["Heads up"]),
    ("times_seen:>10", ["Heads up", "OldError"]),
    ("times_seen:<=3", ["NewError"]),
    ("users:>=1", ["NewError"]),
    ("age:-2h", ["Heads up", "NewError"]),
    ("firstSeen:+7d", ["OldError"]),
    ("has:user", ["NewError"]),
    ("!has:user", ["Heads up", "OldError"]),
    ("release:shop@1.*", ["NewError", "OldError"]),
    ("!release:shop@*", ["Heads up"]),
    ('job:"nightly-reconcile"', ["NewError"]),
    ("assigned:ada", ["NewError"]),
    ("assigned:none", ["Heads up", "OldError"]),
    ("is:assigned", ["NewError"]),
    ("!is:assigned level:error", ["OldError"]),
])
def test_terms_narrow_the_issues(project, issues, query, expected):
    ada, _ = issues
    found = apply_search(Issue.objects.filter(project=project), parse(query), user=ada)
    assert titles(found) == expected


@pytest.mark.django_db
def test_assigned_me_follows_the_user(project, issues):
    ada, _ = issues
    assert titles(apply_search(Issue.objects.filter(project=project), parse("assigned:me"),
                               user=ada)) == ["NewError"]
    assert titles(apply_search(Issue.objects.filter(project=project), parse("assigned:me"),
                               user=None)) == []


@pytest.mark.django_db
def test_an_unknown_tag_key_is_an_error_naming_the_keys_there_are(project, issues):
    with pytest.raises(SearchError, match="No issue here has a tag “jobb”.*job"):
        apply_search(Issue.objects.filter(project=project), parse("jobb:nightly"))
    with pytest.raises(SearchError, match="“colour”"):
        apply_search(Issue.objects.filter(project=project), parse("!colour:red"))
    # a release nobody sent is an answer, not a typo
    assert not apply_search(Issue.objects.filter(project=project), parse("release:nope"))


@pytest.mark.django_db
def test_a_tag_of_another_project_is_unknown_here(project, issues):
    other = Project.objects.create(organization=project.organization, name="Other",
                                   slug="other")
    with pytest.raises(SearchError):
        apply_search(Issue.objects.filter(project=other), parse("job:nightly-reconcile"))


@pytest.mark.django_db
def test_the_api_answers_400_with_the_message(project, issues):
    ada, _ = issues
    api = APIClient()
    api.force_authenticate(ada)
    ok = api.get("/api/0/issues/", {"project": project.id, "query": "times_seen:>10 !level:info"})
    assert ok.status_code == 200
    assert [row["title"] for row in ok.json()["results"]] == ["OldError"]
    for query, message in (("jobb:x", "jobb"), ("times_seen:>>1", "number"),
                           ("firstSeen:>2099-01-01", "future")):
        answer = api.get("/api/0/issues/", {"project": project.id, "query": query})
        assert answer.status_code == 400 and message in str(answer.json()["query"]), query


@pytest.mark.django_db
def test_the_stream_shows_the_error_above_the_issues(project, issues):
    ada, _ = issues
    client = Client()
    client.force_login(ada)
    url = f"/{project.organization.slug}/{project.slug}/issues/"
    page = client.get(url, {"query": "jobb:nightly"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="search-error"' in html and "jobb" in html
    page = client.get(url, {"query": "assigned:me"}).content.decode()
    assert "NewError" in page and "OldError" not in page


@pytest.mark.django_db
def test_suggestions_complete_keys_fixed_values_and_the_projects_tag_values(project, issues):
    ada, _ = issues
    client = Client()
    client.force_login(ada)
    url = f"/{project.organization.slug}/{project.slug}/searches/suggest/"

    def suggest(token):
        return client.get(url, {"token": token}).json()["suggestions"]

    assert suggest("rel") == ["release:"]
    assert "job:" in suggest("j")
    assert suggest("!is:re") == ["!is:resolved", "!is:regressed"]
    assert suggest("release:shop") == ["release:shop@1.9", "release:shop@1.10"]  # most events
    assert suggest("has:jo") == ["has:job"]
    assert len(suggest("")) <= 10
    outsider = get_user_model().objects.create_user("eve", password="pw-eve-123")
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(url, {"token": "release:"}).status_code == 404


@pytest.mark.django_db
def test_a_huge_suggestion_token_is_cut_and_answers_at_most_ten(project, issues):
    ada, _ = issues
    client = Client()
    client.force_login(ada)
    url = f"/{project.organization.slug}/{project.slug}/searches/suggest/"
    answer = client.get(url, {"token": "release:" + "s" * 100_000})
    assert answer.status_code == 200 and answer.json()["suggestions"] == []
    assert len(client.get(url, {"token": "is:"}).json()["suggestions"]) <= 10
