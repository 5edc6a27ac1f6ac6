"""Similar issues, merge and unmerge over the REST API, scoped to the user's organisations."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from embeddings import registry
from ingest.accept import store_raw_event
from ingest.processing import process_pending
from monitor.models import Issue, Membership, Organization, Project
from tests.test_ml_grouping import event

pytestmark = pytest.mark.django_db


def ingest(project, payload):
    store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(payload).encode())
    while process_pending(100):
        pass


@pytest.fixture
def setup(project):
    users = get_user_model().objects
    alice = users.create_user("alice", password="pw-alice-123")
    Membership.objects.create(user=alice, organization=project.organization)
    other_org = Organization.objects.create(name="Other", slug="other")
    bob = users.create_user("bob", password="pw-bob-123")
    Membership.objects.create(user=bob, organization=other_org)
    other_project = Project.objects.create(organization=other_org, name="O", slug="o")
    ingest(project, {**event(user="a"), "fingerprint": ["one"]})
    ingest(project, {**event(user="b", value="division by zero!"), "fingerprint": ["two"]})
    ingest(project, {**event(user="c", value="division by zero!"), "fingerprint": ["two"]})
    ingest(other_project, {**event(), "fingerprint": ["x"]})
    call_command("backfill_embeddings", verbosity=0)
    one = Issue.objects.get(project=project, times_seen=1)
    two = Issue.objects.get(project=project, times_seen=2)
    foreign = Issue.objects.get(project=other_project)
    return one, two, foreign


def client_for(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_similar_issues_lists_neighbours_of_the_same_project(setup):
    one, two, foreign = setup
    response = client_for("alice").get(f"/api/0/issues/{one.id}/similar/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["id"] for r in body["results"]] == [two.id]
    assert 0 <= body["results"][0]["distance"] < 0.3
    assert body["model"] == registry.served().label  # the space decisions are made in


def test_other_organisations_and_anonymous_users_see_nothing(setup):
    one, two, foreign = setup
    assert client_for("bob").get(f"/api/0/issues/{one.id}/similar/").status_code == 404
    assert Client().get(f"/api/0/issues/{one.id}/similar/").status_code == 401
    response = client_for("bob").post(
        f"/api/0/issues/{foreign.id}/merge/", {"issues": [one.id]}, content_type="application/json"
    )
    assert response.status_code == 400  # not in bob's project: refused, and one is untouched
    assert Issue.objects.filter(pk=one.pk).exists()


def test_merge_then_unmerge(setup):
    one, two, foreign = setup
    alice = client_for("alice")
    response = alice.post(f"/api/0/issues/{one.id}/merge/", {"issues": [two.id]},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["times_seen"] == 3 and response.json()["users_seen"] == 3
    assert not Issue.objects.filter(pk=two.pk).exists()
    refused = alice.post(f"/api/0/issues/{one.id}/merge/", {"issues": [foreign.id]},
                         content_type="application/json")
    assert refused.status_code == 400
    moved = one.hashes.exclude(decided_by="fingerprint").get()
    assert moved.decided_by == "merge"
    response = alice.post(f"/api/0/issues/{one.id}/hashes/{moved.hash}/unmerge/")
    assert response.status_code == 201, response.content
    assert response.json()["times_seen"] == 2
    one.refresh_from_db()
    assert one.times_seen == 1 and one.users_seen == 1
    alone = alice.post(f"/api/0/issues/{one.id}/hashes/{one.hashes.get().hash}/unmerge/")
    assert alone.status_code == 400
