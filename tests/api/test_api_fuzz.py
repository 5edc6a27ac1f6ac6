"""API fuzzing of the REST API from its own OpenAPI schema (schemathesis, in-process via WSGI).

Every operation of /api/0/schema/ gets schema-valid (positive) and schema-violating (negative)
requests, authenticated with an API token of the organisation's owner (who may do the most).
Path parameters usually point at real objects so bodies reach the code behind the lookups.
Checks: never a 5xx, and every response conforms to the schema. Each request runs in a
savepoint that is rolled back, so a DELETE does not empty the world for the next one.

Budget: derandomized and a fixed number of examples per operation and mode (`make test`);
`HYPOTHESIS_PROFILE=long` runs many more.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from apitokens.mint import create_token
from monitor.models import GroupHash, Issue, Membership, Organization, Project, ProjectKey
from tests.helpers.events import ingest

pytestmark = pytest.mark.django_db

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
BUDGET = settings(
    max_examples=300 if LONG else 12,
    derandomize=not LONG,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
SKIPPED = {("POST", "/api/0/tokens/")}  # replaces the token the fuzzer authenticates with


@pytest.fixture
def keep_connection():
    """Like Django's test client: the handler must not close the test's connection (and with
    it the transaction the test runs in) when a request finishes."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(db, keep_connection):
    acme = Organization.objects.create(name="Acme", slug="acme")
    globex = Organization.objects.create(name="Globex", slug="globex")
    alice = get_user_model().objects.create_user("alice")
    charlie = get_user_model().objects.create_user("charlie")
    Membership.objects.create(user=alice, organization=acme, role=Membership.Role.OWNER)
    Membership.objects.create(user=charlie, organization=globex, role=Membership.Role.OWNER)
    project = Project.objects.create(organization=acme, name="Backend", slug="backend",
                                     platform="python", grouping_mode="fingerprint")
    Project.objects.create(organization=globex, name="Frontend", slug="frontend")
    key = ProjectKey.objects.create(project=project)
    for fingerprint in ("one", "two", "three"):
        ingest(project, {"message": f"m {fingerprint}", "fingerprint": [fingerprint], "tags": {
            "items": "x"}, "exception": {"values": [{"type": "ValueError", "value": "v"}]}})
    issue = Issue.objects.filter(project=project).order_by("id").first()
    hash_ = GroupHash.objects.filter(issue=issue).first().hash
    real = {"slug": ["acme", "globex"], "project_pk": [project.id], "issue_id": [issue.id],
            "hash": [hash_], "id": [project.id, issue.id, key.id], "pk": [key.id]}
    token = create_token(alice, "fuzz", "write")[1]
    return {"token": token, "real": real}


def _operations(token: str):
    schema = schemathesis.openapi.from_wsgi(
        "/api/0/schema/?format=json", WSGIHandler(), headers={"Authorization": f"Token {token}"}
    )
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            yield operation


def _fuzz(operation, mode: GenerationMode, world) -> list[str]:
    failures: list[str] = []
    real = world["real"]
    params = [p.name for p in operation.path_parameters]
    overrides = st.fixed_dictionaries({
        name: st.sampled_from(real[name]) for name in params if name in real
    })

    @BUDGET
    @given(case=operation.as_strategy(generation_mode=mode), use_real=st.booleans(),
           real_values=overrides)
    def run(case, use_real, real_values):
        if use_real and mode is GenerationMode.POSITIVE:
            case.path_parameters = {**(case.path_parameters or {}), **real_values}
        headers = {"Authorization": f"Token {world['token']}"}
        try:
            with transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported below
            request = f"{case.method} {case.formatted_path} {case.query or ''} {case.body}"
            failures.append(f"{operation.label}: {request[:300]}: {str(exc)[:1500]}")

    try:
        run()
    except Unsatisfiable:  # nothing in this operation can be made schema-violating
        assert mode is GenerationMode.NEGATIVE, operation.label
    return failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_schema_fuzz(world, mode):
    failures = []
    operations = list(_operations(world["token"]))
    assert len(operations) >= 10, "the schema lists too few operations"
    for operation in operations:
        found = _fuzz(operation, mode, world)
        failures += found[:2]  # the first two of each operation say enough
    assert not failures, f"{len(failures)} failing requests:\n" + "\n\n".join(failures[:15])


def test_issue_events_are_documented_as_a_page_of_events(world):
    """Found by the fuzzer: the schema said /issues/{id}/events/ returns an Issue."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    schema = client.get("/api/0/schema/?format=json").json()
    ok = schema["paths"]["/api/0/issues/{id}/events/"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/PaginatedEventList"


def test_a_taken_project_slug_is_a_400_not_a_500(world):
    """Found probing what the fuzzer cannot guess: the unique slug per organisation was left to
    the database, so a duplicate was an IntegrityError (500) on create and on update."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    other = client.post("/api/0/projects/", {"name": "Web", "slug": "web",
                                              "organization": "acme"}, format="json")
    assert other.status_code == 201
    again = client.post("/api/0/projects/", {"name": "Web 2", "slug": "web",
                                              "organization": "acme"}, format="json")
    assert again.status_code == 400 and "slug" in again.json()
    backend = Project.objects.get(slug="backend")
    renamed = client.patch(f"/api/0/projects/{backend.id}/", {"slug": "web"}, format="json")
    assert renamed.status_code == 400 and "slug" in renamed.json()
    assert client.patch(f"/api/0/projects/{backend.id}/", {"slug": "backend"},
                        format="json").status_code == 200  # its own slug is not taken


def test_notification_preferences_without_email_is_a_400(world):
    """Found by the permission matrix: a PUT without `email` was a KeyError (500)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    assert client.put("/api/0/notification-preferences/", {}, format="json").status_code == 400
    ok = client.put("/api/0/notification-preferences/", {"email": False}, format="json")
    assert ok.status_code == 200 and ok.json() == [{"project": None, "email": False}]
