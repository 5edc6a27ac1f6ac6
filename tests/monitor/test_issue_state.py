"""Issue state (monitor.state) through every door: the issue page's buttons, the stream's bulk
action, the triage form and the REST API change an issue the same way, and a change is logged
once, however often it is submitted and whichever door it came through."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from alerts.models import Activity
from monitor.models import Issue, Membership, Project
from tests.helpers.alerts import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(project) -> Issue:
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    send(project, "a", release="shop@1")
    return Issue.objects.get()


@pytest.fixture
def bob(project):
    user = get_user_model().objects.create_user("bob")
    Membership.objects.create(user=user, organization=project.organization, role="member")
    return user


def submit(door: str, issue: Issue, user, change: str, **extra) -> int:
    """Ask for `change` ("resolve", "ignore", "unresolve") through `door`; the answer's status."""
    page = f"/{issue.project.organization.slug}/{issue.project.slug}/issues/"
    status = {"resolve": "resolved", "ignore": "ignored", "unresolve": "unresolved"}[change]
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_authenticate(user)
    if door == "page":
        return web.post(f"{page}{issue.id}/action/", {"action": change}).status_code
    if door == "bulk":
        return web.post(f"{page}bulk/", {"action": change, "issue": [issue.id]}).status_code
    if door == "triage":  # the triage form: ignore with conditions, resolve in next release
        action = {"ignore": "ignore_until", "resolve": "resolve_next"}[change]
        return web.post(f"{page}{issue.id}/triage/", {"action": action, **extra}).status_code
    if door == "api-patch":
        return api.patch(f"/api/0/issues/{issue.id}/", {"status": status},
                         format="json").status_code
    assert door == "api-action"
    return api.post(f"/api/0/issues/{issue.id}/{change}/", extra, format="json").status_code


def logged(issue: Issue, kind: str) -> int:
    return Activity.objects.filter(issue=issue, kind=kind).count()


@pytest.mark.parametrize("door", ["page", "bulk", "triage", "api-patch", "api-action"])
def test_ignoring_twice_is_one_change_through_every_door(issue, bob, door):
    """The triage form and the API's ignore endpoint once logged every submit; the buttons
    logged only a change of status."""
    for _ in range(2):
        assert submit(door, issue, bob, "ignore") in (200, 302)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IGNORED
    assert logged(issue, "ignored") == 1


@pytest.mark.parametrize("door", ["page", "bulk", "api-patch", "api-action"])
def test_resolving_twice_keeps_the_first_resolution(issue, bob, door):
    """A second submit changes nothing: the resolution time stays the first one's (events
    received after it reopen the issue), and the log has one entry."""
    submit(door, issue, bob, "resolve")
    issue.refresh_from_db()
    first = issue.resolved_at
    submit(door, issue, bob, "resolve")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED and issue.resolved_at == first
    assert logged(issue, "resolved") == 1


@pytest.mark.parametrize("door", ["page", "bulk", "api-patch"])
def test_ignoring_forever_an_issue_ignored_until_more_events_is_logged(issue, bob, door):
    """Dropping an ignore's condition changes the issue's state: it was done without a word in
    the log."""
    assert submit("triage", issue, bob, "ignore", events="10") == 302
    submit(door, issue, bob, "ignore")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IGNORED and issue.ignore_until_events is None
    assert logged(issue, "ignored") == 2


@pytest.mark.parametrize("door", ["page", "api-patch", "api-action"])
def test_a_plain_resolve_after_resolve_in_next_release_is_logged(issue, bob, door):
    """From "resolved in the next release" to resolved: any new event now reopens it. The log
    once missed it (the status stayed "resolved")."""
    submit("triage", issue, bob, "resolve")
    issue.refresh_from_db()
    assert issue.resolved_in_release == "shop@1" and logged(issue, "resolved_next") == 1
    submit(door, issue, bob, "resolve")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED and issue.resolved_in_release == ""
    assert logged(issue, "resolved") == 1


def test_every_change_announced_is_an_activity_kind():
    from monitor.signals import Change

    assert {Activity.Kind(change) for change in Change} <= set(Activity.Kind)


def test_reopening_clears_the_resolution_and_a_regression_reopens_once(project, issue, bob):
    """Through ingest: an event after resolving regresses the issue once; reopening by hand
    after that logs nothing more (it is unresolved already)."""
    submit("page", issue, bob, "resolve")
    send(project, "a", release="shop@1")
    send(project, "a", release="shop@1")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.UNRESOLVED and issue.regressed
    submit("page", issue, bob, "unresolve")
    assert logged(issue, "reopened") == 0
    submit("page", issue, bob, "resolve")
    submit("page", issue, bob, "unresolve")
    issue.refresh_from_db()
    assert issue.resolved_at is None and logged(issue, "reopened") == 1


def test_the_admin_shows_issue_state_but_does_not_change_it(issue):
    """Django's admin was a door around monitor.state: staff could set status, ignore
    conditions or the assignee with no lock and no activity entry."""
    staff = get_user_model().objects.create_superuser("root", password="pw-root-123")
    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/monitor/issue/{issue.id}/change/").content.decode()
    assert issue.title in page
    for field in ("status", "regressed", "resolved_in_release", "ignore_until_events",
                  "assignee"):
        assert f'name="{field}"' not in page, field
