"""sentry-cli names a bundle's projects by slug or id; any string a token holder sends must get
the 400 of an unknown project, never a 500. `str.isdigit` is true of digits `int` does not read
(superscripts, `²`) and of numbers past Python's 4,300-digit limit."""

import json

import pytest
from django.test import Client

from monitor.models import Project
from sourcemaps.tokens import create_org_token

pytestmark = pytest.mark.django_db

CHECKSUM = "0" * 40


@pytest.fixture
def client(org):
    Project.objects.create(organization=org, name="Web", slug="web", platform="javascript")
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_org_token(org, 'ci')[1]}")


@pytest.mark.parametrize("name", ["²", "1²", "٣", "9" * 5000, "99999999999999999999999"])
def test_a_project_name_of_odd_digits_is_an_unknown_project(org, client, name):
    body = {"checksum": CHECKSUM, "chunks": [CHECKSUM], "projects": ["web", name]}
    response = client.post(f"/api/0/organizations/{org.slug}/artifactbundle/assemble/",
                           json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "unknown projects" in response.json()["detail"]


def test_a_project_named_by_its_id_is_found(org, client):
    web = Project.objects.get(slug="web")
    body = {"checksum": CHECKSUM, "chunks": [CHECKSUM], "projects": [str(web.id)]}
    response = client.post(f"/api/0/organizations/{org.slug}/artifactbundle/assemble/",
                           json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content[:200]
