"""The triage REST API: tokens, scoping to memberships, role limits, filters, pagination."""

import pytest
from rest_framework.test import APIClient

from monitor.models import Issue, Project, ProjectKey
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    """The cast (tests/helpers/cast.py), charlie as `carol`, and four issues."""
    project = cast.project
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    for env in ("production", "production", "staging"):
        ingest(project, {**event(), "environment": env, "fingerprint": ["zero"]})
    ingest(project, {**event(value="boom", exc_type="KeyError"), "level": "warning",
                     "environment": "staging", "fingerprint": ["key"]})
    return {"project": project, "alice": cast.alice, "bob": cast.bob, "carol": cast.charlie}


def client_for(user, token=False):
    client = APIClient()
    if token:
        session = APIClient()
        session.force_login(user)
        key = session.post("/api/0/tokens/").json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    else:
        client.force_login(user)
    return client


def test_tokens_authenticate_and_scope_to_memberships(world):
    alice = client_for(world["alice"], token=True)
    orgs = alice.get("/api/0/organizations/").json()
    assert [o["slug"] for o in orgs["results"]] == ["acme"]
    assert APIClient().get("/api/0/issues/").status_code in (401, 403)
    carol = client_for(world["carol"], token=True)
    issue = Issue.objects.first()
    assert carol.get(f"/api/0/issues/{issue.id}/").status_code == 404
    assert carol.get("/api/0/issues/").json()["count"] == 0
    assert carol.patch(f"/api/0/issues/{issue.id}/", {"status": "resolved"}).status_code == 404


def test_issue_filters_sorting_and_pagination(world):
    bob = client_for(world["bob"])

    def titles(**params):
        body = bob.get("/api/0/issues/", params).json()
        return sorted(i["title"] for i in body["results"])

    assert len(titles()) == 2
    assert titles(level="warning") == ["KeyError: boom"]
    assert titles(environment="production") == ["ZeroDivisionError: division by zero"]
    assert len(titles(environment="staging")) == 2
    assert titles(query="keyerror") == ["KeyError: boom"]
    assert titles(project=world["project"].id, status="resolved") == []
    by_events = bob.get("/api/0/issues/", {"sort": "events"}).json()["results"]
    assert by_events[0]["times_seen"] == 3
    assert bob.get("/api/0/issues/", {"sort": "nonsense"}).status_code == 400
    page = bob.get("/api/0/issues/", {"per_page": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]


def test_members_triage_issues_and_read_their_events(world):
    bob = client_for(world["bob"])
    issue = Issue.objects.get(times_seen=3)
    response = bob.patch(f"/api/0/issues/{issue.id}/", {"status": "resolved"}, format="json")
    assert response.status_code == 200 and response.json()["resolved_at"]
    assert bob.patch(f"/api/0/issues/{issue.id}/", {"title": "x"}, format="json").json()[
        "title"] == issue.title  # read-only fields stay
    events = bob.get(f"/api/0/issues/{issue.id}/events/", {"per_page": 2}).json()
    assert events["count"] == 3 and len(events["results"][0]["event_id"]) == 32


def test_role_limits_on_projects_and_keys(world):
    project = world["project"]
    bob, alice = client_for(world["bob"]), client_for(world["alice"])
    assert bob.delete(f"/api/0/projects/{project.id}/").status_code == 403
    assert bob.post(f"/api/0/projects/{project.id}/keys/", {"label": "ci"}).status_code == 403
    created = alice.post(f"/api/0/projects/{project.id}/keys/", {"label": "ci"})
    assert created.status_code == 201 and created.json()["dsn"].endswith(f"/{project.id}")
    key_id = created.json()["id"]
    disabled = alice.patch(f"/api/0/projects/{project.id}/keys/{key_id}/", {"is_active": False},
                           format="json")
    assert disabled.json()["is_active"] is False
    made = alice.post("/api/0/projects/", {"organization": "acme", "name": "Web", "slug": "web"})
    assert made.status_code == 201
    assert bob.post("/api/0/projects/", {"organization": "acme", "name": "X", "slug": "x"}
                    ).status_code == 403
    deleted = alice.delete(f"/api/0/projects/{project.id}/")
    assert deleted.status_code == 202  # scheduled: keys off now, data purged in chunks
    assert not ProjectKey.objects.filter(project_id=project.id, is_active=True).exists()
    from privacy.tasks import purge_project

    purge_project(project.id)  # what the worker runs
    assert not Issue.objects.filter(project_id=project.id).exists()


def test_dead_letters_are_listed_with_their_reason_for_managers(world):
    from django.utils import timezone

    from ingest.models import RawEvent
    from monitor import limits

    project = world["project"]
    RawEvent.objects.create(project=project, event_id="a" * 32, payload=b"{}",
                            received_at=timezone.now(), attempts=limits.PROCESSING_ATTEMPTS,
                            last_error="WorkerDied: the worker died 5 times")
    RawEvent.objects.create(project=project, event_id="b" * 32, payload=b"{}",
                            received_at=timezone.now())  # waiting, not dead
    url = f"/api/0/projects/{project.id}/dead-letters/"
    assert client_for(world["bob"]).get(url).status_code == 403
    assert client_for(world["carol"]).get(url).status_code == 404
    listed = client_for(world["alice"]).get(url).json()["results"]
    assert [(d["event_id"].replace("-", ""), d["last_error"][:10]) for d in listed] == [
        ("a" * 32, "WorkerDied")
    ]


def test_openapi_schema_and_docs_are_served_locally(world):
    bob = client_for(world["bob"])
    schema = bob.get("/api/0/schema/")
    assert schema.status_code == 200 and b"/api/0/issues/{id}/events/" in schema.content
    docs = bob.get("/api/0/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/" in docs.content and b"cdn" not in docs.content


def test_a_merged_issue_answers_302_to_the_issue_that_holds_its_events(world):
    """As Sentry's API: clients and links keep working after a person or ML grouping merges;
    another organisation's user still gets a 404, and so does an id that never existed."""
    from grouping.merge import merge_issues

    zero, key = Issue.objects.get(times_seen=3), Issue.objects.get(times_seen=1)
    merge_issues(zero.id, [key.id])
    bob = client_for(world["bob"], token=True)
    response = bob.get(f"/api/0/issues/{key.id}/", {"per_page": 1})
    assert response.status_code == 302
    assert response["Location"] == f"/api/0/issues/{zero.id}/?per_page=1"
    events = bob.get(f"/api/0/issues/{key.id}/events/", follow=True).json()
    assert events["count"] == 4  # the merged issue's events are all there
    carol = client_for(world["carol"], token=True)
    assert carol.get(f"/api/0/issues/{key.id}/").status_code == 404
    assert bob.get(f"/api/0/issues/{zero.id + 1000}/").status_code == 404


def test_issues_carry_the_short_id_the_stream_shows_without_a_query_per_issue(
        world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitor.short_ids import short_id

    bob = client_for(world["bob"])
    slug = world["project"].slug
    body = bob.get("/api/0/issues/").json()
    assert {i["short_id"] for i in body["results"]} == {
        short_id(slug, i["id"]) for i in body["results"]}
    with CaptureQueriesContext(connection) as two:
        bob.get("/api/0/issues/")
    for n in range(5):
        ingest(world["project"], {**event(value=f"more {n}"), "fingerprint": [f"more-{n}"]})
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert len(bob.get("/api/0/issues/").json()["results"]) == 7
