"""A wildcard `release:` or `environment:` search is resolved against the searched projects' own
values of the key first (ProjectTagValue, kept by the database from every tag-count row written)
and then filters issues by those values, as an exact search does: the same issues as matching
every issue's tag values by the pattern, for any pattern, never another project's values, and
issue by issue again (bounded by the project) when a project has too many values to read."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef

from monitor import limits
from monitor.issues import apply_search
from monitor.models import Issue, IssueTag, Organization, Project, ProjectTagValue
from monitor.search import EVENT_FILTERS, parse, wildcard_regex
from tests.helpers.events import event, ingest
from tests.helpers.tags import issue_with_tags

pytestmark = pytest.mark.django_db

RELEASES = ["shop@2.0.1", "shop@2.1.0", "SHOP@2.2", "shop@1.9.0", "shop@20.0", "shop@2x0",
            "v1.0+build(3)", "50%_off", r"back\slash", "tab?ed", "shop@2.0.1 "]


def _project(org, slug: str) -> Project:
    return Project.objects.create(organization=org, name=slug, slug=slug, platform="python")


@pytest.fixture
def world():
    """One project with an issue per release (and one without a release), another project of
    the same organization and one of another organization whose releases would match."""
    org = Organization.objects.create(slug="wild", name="wild")
    shop = _project(org, "shop")
    for release in RELEASES:
        issue_with_tags(shop, f"in {release}", release=release, environment="production")
    issue_with_tags(shop, "no release", environment="staging")
    issue_with_tags(_project(org, "api"), "api 2.0", release="shop@2.9", environment="prod-eu")
    issue_with_tags(_project(Organization.objects.create(slug="other", name="other"), "elsewhere"),
           "elsewhere 2.0", release="shop@2.8", environment="production")
    return shop


def _titles(issues) -> list[str]:
    return sorted(issues.values_list("title", flat=True))


def _by_every_tag_row(issues, key: str, pattern: str) -> list[str]:
    """What the search answered before: every issue's tag values matched by the pattern."""
    tags = IssueTag.objects.filter(issue_id=OuterRef("pk"), key=key,
                                   value__iregex=wildcard_regex(pattern))
    return _titles(issues.filter(Exists(tags)))


PATTERNS = ["shop@2.*", "SHOP@2.*", "*@2.1*", "shop@2*0", "*", "shop@*.0", "nomatch*",
            "v1.0+build(*", "50%*", "5_%*", r"back\*", "tab?e*", "shop@2.0.1 *", "*.?",
            "shop@2.9*", "shop@2.8*"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_wildcard_release_finds_what_matching_every_tag_row_found(world, pattern):
    issues = Issue.objects.filter(project=world)
    expected = _by_every_tag_row(issues, "release", pattern)
    assert _titles(apply_search(issues, parse(f'release:"{pattern}"'))) == expected
    negated = _titles(apply_search(issues, parse(f'!release:"{pattern}"')))
    assert negated == sorted(set(_titles(issues)) - set(expected))


def test_what_the_patterns_match(world):
    issues = Issue.objects.filter(project=world)

    def found(pattern: str) -> list[str]:
        return _titles(apply_search(issues, parse(f'release:"{pattern}"')))

    assert found("shop@2.*") == ["in SHOP@2.2", "in shop@2.0.1", "in shop@2.0.1 ",
                                 "in shop@2.1.0"]
    assert found("shop@2*0") == ["in shop@2.1.0", "in shop@20.0", "in shop@2x0"]
    assert found("tab?e*") == ["in tab?ed"]  # `?` is a character, not a wildcard
    assert found("*.?") == []
    assert found("5_%*") == []  # `_` and `%` are characters too
    assert found("shop@2.9*") == [] and found("shop@2.8*") == []  # other projects' releases


def test_issues_of_several_projects_match_each_its_own_values(world):
    api = Project.objects.get(slug="api")
    issues = Issue.objects.filter(project__in=[world, api])
    assert _titles(apply_search(issues, parse("release:shop@2.?*"))) == []
    assert _titles(apply_search(issues, parse("release:shop@2.9*"))) == ["api 2.0"]
    assert _titles(apply_search(issues, parse("environment:prod*"))) == sorted(
        ["api 2.0"] + [f"in {release}" for release in RELEASES])


def test_the_wildcard_names_the_matching_values_where_the_project_has_few(world, monkeypatch):
    issues = Issue.objects.filter(project=world)
    found = apply_search(issues, parse("release:shop@2.*"))
    sql = str(found.query)
    assert "shop@2.1.0" in sql and "~*" not in sql and "REGEXP" not in sql.upper()
    monkeypatch.setattr(limits, "SEARCH_WILDCARD_VALUES", len(RELEASES) - 1)
    over = apply_search(issues, parse("release:shop@2.*"))
    assert "shop@2.1.0" not in str(over.query)  # issue by issue: the pattern, not the values
    assert _titles(over) == _titles(found) == _by_every_tag_row(issues, "release", "shop@2.*")


@pytest.mark.parametrize("pattern", ["shop@2.*", "*", "nomatch*", "*0"])
def test_a_project_with_more_values_than_read_is_matched_issue_byissue_with_tags(world, monkeypatch,
                                                                        pattern):
    monkeypatch.setattr(limits, "SEARCH_WILDCARD_VALUES", 3)
    issues = Issue.objects.filter(project=world)
    assert _titles(apply_search(issues, parse(f"release:{pattern}"))) == _by_every_tag_row(
        issues, "release", pattern)


def test_the_database_keeps_each_projects_values_of_the_keys_resolved_first(world):
    values = set(ProjectTagValue.objects.filter(project=world)
                 .values_list("key", "value"))
    assert values == {("release", r) for r in RELEASES} | {
        ("environment", "production"), ("environment", "staging")}
    assert set(EVENT_FILTERS) == {"release", "environment"}


def test_ingest_keeps_the_values_including_a_release_tag_the_sdk_set(world):
    project = Project.objects.get(slug="api")
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    ingest(project, {**event(), "release": "api@3.1", "environment": "canary",
                     "fingerprint": ["a"]})
    ingest(project, {**event(), "release": "api@3.2", "tags": {"release": "custom-7"},
                     "fingerprint": ["b"]})
    ingest(project, {**event(), "tags": {"job": "nightly"}, "fingerprint": ["c"]})
    assert set(ProjectTagValue.objects.filter(project=project).values_list("key", "value")) == {
        ("release", "shop@2.9"), ("environment", "prod-eu"), ("release", "api@3.1"),
        ("environment", "canary"), ("release", "custom-7")}
    issues = Issue.objects.filter(project=project)
    assert _titles(apply_search(issues, parse("release:custom*"))) == _by_every_tag_row(
        issues, "release", "custom*") != []
