"""Usernames of the instance cannot be probed by members of an organisation: every place that
takes a username answers a non-member exactly as it answers a name nobody has."""

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model

from monitor.models import Issue, Membership, Organization
from tests.helpers.alerts import send
from tests.helpers.clients import people, web_client  # noqa: F401 - people is a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(project, people):  # noqa: F811 - the fixture imported above
    send(project, "a")
    return Issue.objects.get()


def test_assigning_by_api_does_not_tell_a_non_member_from_nobody(issue, people):  # noqa: F811
    bob = people["bob"]
    url = f"/api/0/issues/{issue.id}/assign/"
    assert get_user_model().objects.filter(username="charlie").exists()
    outsider = bob.post(url, {"assignee": "charlie"}, format="json")
    nobody = bob.post(url, {"assignee": "no-such-name"}, format="json")
    assert outsider.status_code == nobody.status_code == 400
    assert outsider.json() == nobody.json()


def test_assigning_on_the_issue_page_does_not_tell_a_non_member_from_nobody(project, issue,
                                                                         people):  # noqa: F811
    bob = web_client("bob")
    url = f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/triage/"

    def said(username: str) -> list[str]:
        response = bob.post(url, {"action": "assign", "assignee": username}, follow=True)
        return [str(m) for m in messages.get_messages(response.wsgi_request)]

    outsider, nobody = said("charlie"), said("no-such-name")
    assert outsider and outsider == nobody
    issue.refresh_from_db()
    assert issue.assignee is None


def test_the_assignee_picker_lists_members_only(project, issue, people):  # noqa: F811
    other = Organization.objects.get(slug="other")
    stranger = get_user_model().objects.create_user("stranger-name")
    Membership.objects.create(user=stranger, organization=other)
    page = web_client("bob").get(f"/{project.organization.slug}/{project.slug}/issues/"
                                 f"{issue.id}/").content.decode()
    assert ">alice<" in page and "stranger-name" not in page and "charlie" not in page


def test_the_organisation_page_has_no_add_by_username(project, people):  # noqa: F811
    """Adding any user of the instance by username, without their consent, is gone: the old
    form's request changes nothing and the page offers invitations by e-mail instead."""
    alice = web_client("alice")
    url = f"/{project.organization.slug}/settings/"
    page = alice.get(url).content.decode()
    assert 'name="username"' not in page and 'id="invite-form"' in page
    alice.post(url, {"action": "add", "username": "charlie", "role": "member"})
    assert not Membership.objects.filter(user__username="charlie",
                                         organization=project.organization).exists()
