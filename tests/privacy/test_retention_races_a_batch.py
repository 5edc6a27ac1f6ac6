"""Retention deletes the issues no event is left in. A processing batch can be writing an event
to such an issue at that moment (its fingerprint still points there): retention must keep the
issue and the batch's event, and finish its pass, instead of deleting the issue under the
batch and failing at commit on the events' deferred foreign key."""

import datetime as dt
import json
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue, Organization, Project
from privacy import deletion
from tests.conftest import wait_for
from tests.ingest.test_erased_issue_during_batch import (
    batch_holding_its_issues,
    in_thread,
    waiting_backends,
)

pytestmark = pytest.mark.django_db(transaction=True)


def queue(project: Project, release: str | None = None) -> None:
    body = {"message": "x failed", "fingerprint": ["x"]}
    if release:
        body["release"] = release
    store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())


def issue_of_old_events(slug: str) -> tuple[Project, Issue]:
    """A project whose one issue has one event received past its 30-day retention."""
    org = Organization.objects.create(slug=slug, name=slug, retention_days=30)
    project = Project.objects.create(organization=org, name="p", slug="p", platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    queue(project)
    while process_pending(100):
        pass
    x = Issue.objects.get(project=project)
    Event.objects.filter(issue=x).update(received=timezone.now() - dt.timedelta(days=32))
    return project, x


def test_an_issue_a_batch_is_writing_to_outlives_the_retention_pass():
    project, x = issue_of_old_events("kept")
    # an earlier chunk of retention took x's only event: x is left empty, its hash still there
    deletion.delete_events_in_chunks(Event.objects.filter(issue=x))
    assert not Event.objects.filter(issue=x).exists()
    queue(project, release="9.9")

    errors: list[BaseException] = []
    counts: dict[str, int] = {}
    with transaction.atomic():
        batch = batch_holding_its_issues(project, "9.9", errors)
        purge = in_thread(lambda: counts.update(deletion.purge_expired()), errors)
        wait_for(lambda: waiting_backends() == 2, message="retention waiting for x")
    batch.join(60)
    purge.join(60)

    assert not errors, errors
    assert counts["issues"] == 0
    assert Issue.objects.filter(pk=x.pk).exists()
    assert Event.objects.filter(issue_id=x.pk).count() == 1
    assert GroupHash.objects.get(project=project).issue_id == x.pk
    assert not RawEvent.objects.exists()


def test_an_issue_left_empty_still_goes():
    project, x = issue_of_old_events("gone")

    counts = deletion.purge_expired()

    assert counts["events"] == 1 and counts["issues"] == 1
    assert not Issue.objects.filter(pk=x.pk).exists()
    assert not GroupHash.objects.filter(project=project).exists()
