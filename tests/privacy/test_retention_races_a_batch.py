"""Retention deletes the issues no event is left in. A processing batch can be writing an event
to such an issue at that moment (its fingerprint still points there): retention must keep the
issue and the batch's event, and finish its pass, instead of deleting the issue under the
batch and failing at commit on the events' deferred foreign key."""

import datetime as dt
import json
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue, Organization, Project
from privacy import deletion
from tests.conftest import wait_for
from tests.ingest.test_erased_issue_during_batch import in_thread, waiting_backends

pytestmark = pytest.mark.django_db(transaction=True)


def queue(project: Project, release: str | None = None) -> None:
    body = {"message": "x failed", "fingerprint": ["x"]}
    if release:
        body["release"] = release
    store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())
    while process_pending(100):
        pass


def test_an_issue_a_batch_is_writing_to_outlives_the_retention_pass():
    org = Organization.objects.create(slug="kept", name="kept", retention_days=30)
    project = Project.objects.create(organization=org, name="p", slug="p", platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    queue(project)
    x = Issue.objects.get(project=project)
    # an earlier chunk of retention took x's only event: x is left empty, its hash still there
    Event.objects.filter(issue=x).update(received=timezone.now() - dt.timedelta(days=32))
    deletion.delete_events_in_chunks(Event.objects.filter(issue=x))
    assert not Event.objects.filter(issue=x).exists()
    store_raw_event(project.id, uuid.uuid4(), "event",
                    json.dumps({"message": "x failed", "fingerprint": ["x"],
                                "release": "9.9"}).encode())

    errors: list[BaseException] = []
    counts: dict[str, int] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:  # an uncommitted first sighting of release 9.9
            cursor.execute("INSERT INTO monitor_projectrelease (project_id, version, first_seen)"
                           " VALUES (%s, '9.9', now())", [project.id])
        batch = in_thread(lambda: process_pending(100), errors)
        # the batch has locked x and written its event, and waits for the release's row
        wait_for(lambda: waiting_backends() == 1, message="the batch waiting in record_releases")
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
    org = Organization.objects.create(slug="gone", name="gone", retention_days=30)
    project = Project.objects.create(organization=org, name="p", slug="p", platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    queue(project)
    x = Issue.objects.get(project=project)
    Event.objects.filter(issue=x).update(received=timezone.now() - dt.timedelta(days=32))

    counts = deletion.purge_expired()

    assert counts["events"] == 1 and counts["issues"] == 1
    assert not Issue.objects.filter(pk=x.pk).exists()
    assert not GroupHash.objects.filter(project=project).exists()
