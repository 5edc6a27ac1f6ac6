"""Cross-organisation review: requests made from one's own organisation's URLs that name, in a
body or a rendered form, an object of another organisation."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from alerts.models import AlertDestination
from tests.helpers.cast import make_project

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_browsable_rule_form_lists_no_destination_of_another_organisation(cast):
    """The HTML form of the alert-rule API offers the project's own destinations only: its
    choices named every destination of every organisation (name and kind)."""
    AlertDestination.objects.create(project=cast.project, name="Acme pager secretname",
                                    kind="webhook", config={"url": "http://127.0.0.1:9/"})
    theirs = make_project(cast.other, "Theirs")
    AlertDestination.objects.create(project=theirs, name="Charlie own hook", kind="webhook",
                                    config={"url": "http://127.0.0.1:9/"})
    for path in (f"/api/0/projects/{theirs.id}/alert-rules/",):
        page = _api(cast.charlie).get(path, HTTP_ACCEPT="text/html")
        assert page.status_code == 200
        body = page.content.decode()
        assert "Charlie own hook" in body  # the form is there, with his own destination
        assert "secretname" not in body, "another organisation's destination is offered"


def test_a_rule_naming_another_organisations_destination_is_told_what_a_missing_id_is(cast):
    """Refusing a destination of another organisation with its own message ("of this project
    only") told that the id exists; it gets the answer of an id nobody has."""
    acme = AlertDestination.objects.create(project=cast.project, name="Acme pager",
                                           kind="webhook", config={"url": "http://127.0.0.1:9/"})
    theirs = make_project(cast.other, "Theirs")
    path = f"/api/0/projects/{theirs.id}/alert-rules/"
    answers = []
    for destination in (acme.id, acme.id + 1000):
        response = _api(cast.charlie).post(path, {"name": "R", "trigger": "new_issue",
                                                  "destinations": [destination]}, format="json")
        assert response.status_code == 400
        answers.append(str(response.json()["destinations"]).replace(str(destination), "<id>"))
    assert answers[0] == answers[1]


def test_an_upload_token_learns_nothing_of_organisations_it_cannot_reach(cast):
    """sentry-cli's endpoints answer a token the same for another organisation and for a slug
    no organisation has: a 404 for one and a 403 for the other told which slugs exist."""
    from django.test import Client

    from sourcemaps.tokens import create_org_token

    token = create_org_token(cast.other, "ci")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for endpoint, method in (("chunk-upload", "get"), ("artifactbundle/assemble", "post")):
        existing = getattr(client, method)(
            f"/api/0/organizations/{cast.project.organization.slug}/{endpoint}/")
        missing = getattr(client, method)(f"/api/0/organizations/no-such-org/{endpoint}/")
        assert existing.status_code == 403
        assert (missing.status_code, missing.json()) == (existing.status_code, existing.json())
