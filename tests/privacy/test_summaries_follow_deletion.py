"""A generated summary goes with the data it was made from: the summaries of an issue an
erasure touches, and every summary given a deleted issue as a resolved example (that issue's
event and notes were in its prompt), whether the issue goes by erasure, retention or its
project's deletion. Summaries that read nothing deleted stay."""

import datetime as dt

import pytest
from django.utils import timezone

from assist.models import Generation
from monitor.models import Event, Issue, Organization, Project
from privacy import deletion
from privacy.erasure import erase_end_user
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


def issue_of(project: Project, fingerprint: str, email: str) -> Issue:
    """A new issue of one event of that user."""
    payload = event()
    payload["user"] = {"email": email}
    ingest(project, {**payload, "fingerprint": [fingerprint]})
    return Issue.objects.filter(project=project).latest("id")


def summary(issue: Issue, examples: list[Issue] = ()) -> Generation:
    return Generation.objects.create(
        organization_id=issue.project.organization_id, issue=issue,
        status=Generation.Status.DONE, summary="s", cause="c", fix="f",
        examples=[e.pk for e in examples])


def setting(slug: str) -> tuple[Project, Project]:
    org = Organization.objects.create(slug=slug, name=slug, retention_days=30)
    make = lambda name: Project.objects.create(  # noqa: E731
        organization=org, name=name, slug=name, platform="python",
        grouping_mode=Project.GroupingMode.FINGERPRINT)
    return make(f"{slug}-a"), make(f"{slug}-b")


def test_an_erasure_takes_the_summaries_that_read_the_users_issues():
    here, there = setting("erase")
    hers = issue_of(here, "hers", "ann@example.com")
    other = issue_of(here, "other", "bob@example.com")
    elsewhere = issue_of(there, "elsewhere", "bob@example.com")
    own = summary(hers)
    citing = summary(elsewhere, examples=[other, hers])
    unrelated = summary(other, examples=[elsewhere])

    report = erase_end_user(here.organization_id, email="ann@example.com")

    assert report.summaries == 2
    assert not Generation.objects.filter(pk__in=[own.pk, citing.pk]).exists()
    assert Generation.objects.filter(pk=unrelated.pk).exists()


def test_retention_takes_the_summaries_given_an_expired_issue_as_an_example():
    here, there = setting("expire")
    old = issue_of(here, "old", "ann@example.com")
    kept = issue_of(there, "kept", "bob@example.com")
    citing = summary(kept, examples=[old])
    own = summary(old)
    unrelated = summary(kept)
    Event.objects.filter(issue=old).update(received=timezone.now() - dt.timedelta(days=32))

    counts = deletion.purge_expired()

    assert counts["issues"] == 1
    assert not Generation.objects.filter(pk__in=[citing.pk, own.pk]).exists()
    assert Generation.objects.filter(pk=unrelated.pk).exists()


def test_a_deleted_projects_issues_leave_the_other_projects_summaries():
    here, there = setting("purge")
    gone = issue_of(here, "gone", "ann@example.com")
    kept = issue_of(there, "kept", "bob@example.com")
    citing = summary(kept, examples=[gone])
    unrelated = summary(kept)

    deletion.purge_project(here.pk)

    assert not Generation.objects.filter(pk=citing.pk).exists()
    assert Generation.objects.filter(pk=unrelated.pk).exists()
