"""Similar issues, merge and unmerge over the REST API, scoped to the user's organisations."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from embeddings import registry
from monitor.models import Issue
from tests.helpers.cast import make_project
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cast):
    """The cast (tests/helpers/cast.py): bob, a member, works on `project`; charlie's
    organisation has an issue of its own."""
    project = cast.project
    other_project = make_project(cast.other)
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
    response = client_for("bob").get(f"/api/0/issues/{one.id}/similar/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["id"] for r in body["results"]] == [two.id]
    assert 0 <= body["results"][0]["distance"] < 0.3
    assert body["model"] == registry.served().label  # the space decisions are made in


def test_other_organisations_and_anonymous_users_see_nothing(setup):
    one, two, foreign = setup
    assert client_for("charlie").get(f"/api/0/issues/{one.id}/similar/").status_code == 404
    assert Client().get(f"/api/0/issues/{one.id}/similar/").status_code == 401
    response = client_for("charlie").post(
        f"/api/0/issues/{foreign.id}/merge/", {"issues": [one.id]}, content_type="application/json"
    )
    assert response.status_code == 400  # not in charlie's project: refused, and one is untouched
    assert Issue.objects.filter(pk=one.pk).exists()


def test_merge_then_unmerge(setup):
    one, two, foreign = setup
    member = client_for("bob")
    response = member.post(f"/api/0/issues/{one.id}/merge/", {"issues": [two.id]},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["times_seen"] == 3 and response.json()["users_seen"] == 3
    assert not Issue.objects.filter(pk=two.pk).exists()
    refused = member.post(f"/api/0/issues/{one.id}/merge/", {"issues": [foreign.id]},
                         content_type="application/json")
    assert refused.status_code == 400
    moved = one.hashes.exclude(decided_by="fingerprint").get()
    assert moved.decided_by == "merge"
    response = member.post(f"/api/0/issues/{one.id}/hashes/{moved.hash}/unmerge/")
    assert response.status_code == 201, response.content
    assert response.json()["times_seen"] == 2
    one.refresh_from_db()
    assert one.times_seen == 1 and one.users_seen == 1
    alone = member.post(f"/api/0/issues/{one.id}/hashes/{one.hashes.get().hash}/unmerge/")
    assert alone.status_code == 400
