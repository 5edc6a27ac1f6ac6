"""Retention takes the users whose events are all gone off an issue's `users_seen`, by how
many went in one chunk, and keeps a user who still has a newer event."""

import datetime as dt

import pytest
from django.utils import timezone

from monitor.models import Event, Issue, IssueTag, Organization, Project
from privacy import deletion
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


def test_users_whose_events_all_expired_leave_users_seen_and_a_returning_user_stays():
    org = Organization.objects.create(slug="users-seen", name="users-seen", retention_days=30)
    project = Project.objects.create(organization=org, name="p", slug="p", platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    emails = ["ann@example.com", "ben@example.com", "cid@example.com", "dee@example.com",
              "ann@example.com"]  # ann twice: one old event, one new
    for email in emails:
        payload = event()
        payload["user"] = {"email": email}
        ingest(project, {**payload, "fingerprint": ["one"]})
    issue = Issue.objects.get(project=project)
    assert issue.users_seen == 4
    old = timezone.now() - dt.timedelta(days=31)
    expired = list(Event.objects.filter(issue=issue).order_by("id").values_list("id", flat=True))
    Event.objects.filter(id__in=expired[:3]).update(received=old)  # ann's first, ben, cid

    counts = deletion.purge_expired()

    assert counts["events"] == 3 and counts["issues"] == 0
    issue.refresh_from_db()
    users = set(IssueTag.objects.filter(issue=issue, key="user").values_list("value", flat=True))
    assert len(users) == 2 and any("ann" in u for u in users) and any("dee" in u for u in users)
    assert issue.users_seen == len(users)
