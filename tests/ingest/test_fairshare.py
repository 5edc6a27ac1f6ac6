"""One organisation's flood cannot starve the others: each batch takes a fair share
of every organisation's waiting events."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import transaction

from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.processing import _claim, process_pending
from monitor.models import Event, Organization, Project

pytestmark = pytest.mark.django_db


def _project(slug: str) -> Project:
    org = Organization.objects.create(name=slug, slug=slug)
    return Project.objects.create(organization=org, name=slug, slug=slug, platform="python")


def _events(project: Project, n: int) -> None:
    for i in range(n):
        body = json.dumps({"message": f"{project.slug} {i}"}).encode()
        store_raw_event(project.id, uuid.uuid4(), "event", body)


def test_a_small_tenant_is_served_in_the_first_batch_despite_a_flood():
    flood, quiet_a, quiet_b = _project("flood"), _project("quiet-a"), _project("quiet-b")
    _events(flood, 400)  # oldest first: the old claim would take 400 flood rows first
    _events(quiet_a, 3)
    _events(quiet_b, 5)
    with transaction.atomic():
        rows = _claim(20)
    taken = {project: sum(r.project_id == project.id for r in rows)
             for project in (flood, quiet_a, quiet_b)}
    assert len(rows) == 20
    assert taken[quiet_a] == 3 and taken[quiet_b] == 5 and taken[flood] == 12


def test_organisations_share_and_everything_is_processed():
    one = _project("one")
    two_a = Project.objects.create(organization=one.organization, name="1b", slug="1b")
    other = _project("other")
    _events(one, 30)
    _events(two_a, 30)
    _events(other, 10)
    with transaction.atomic():
        rows = _claim(20)
    by_org = sum(r.project_id == other.id for r in rows)
    assert by_org == 10  # the lone project of the second organisation gets half the batch
    while process_pending(20):
        pass
    assert Event.objects.count() == 70 and not RawEvent.objects.exists()
