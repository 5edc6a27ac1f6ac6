"""Every project has a DSN key, however it was created; owners and admins
create projects in the web UI."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from monitor.models import Membership, Organization, Project

pytestmark = pytest.mark.django_db


def _user(org, name, role):
    user = get_user_model().objects.create_user(name, password=f"pw-{name}-123")
    Membership.objects.create(user=user, organization=org, role=role)
    return user


def test_a_project_made_in_code_has_an_active_key(org):
    project = Project.objects.create(organization=org, name="Api", slug="api")
    key = project.keys.get()
    assert key.is_active and key.label == "Default" and key.dsn.endswith(f"/{project.id}")


def test_api_creation_returns_a_project_with_a_key(org):
    client = APIClient()
    client.force_authenticate(_user(org, "alice", Membership.Role.OWNER))
    created = client.post("/api/0/projects/", {"organization": org.slug, "name": "Web",
                                               "slug": "web"}, format="json")
    assert created.status_code == 201, created.content
    keys = client.get(f"/api/0/projects/{created.json()['id']}/keys/").json()
    assert len(keys) == 1 and keys[0]["is_active"] and keys[0]["dsn"]


def test_owner_creates_a_project_in_the_web_ui_and_sees_its_dsn(org):
    owner = Client()
    owner.force_login(_user(org, "alice", Membership.Role.OWNER))
    assert b"New project in Acme" in owner.get("/").content  # no projects yet: offered
    response = owner.post(f"/{org.slug}/projects/new/", {"name": "Storefront", "platform": "js"})
    project = Project.objects.get(organization=org, slug="storefront")
    assert response.status_code == 302 and response.url == f"/{org.slug}/storefront/issues/"
    page = html.unescape(owner.get(response.url).content.decode())  # the snippets are escaped
    assert project.keys.get().dsn in page and 'dsn="' + project.keys.get().dsn in page
    again = owner.post(f"/{org.slug}/projects/new/", {"name": "Storefront"})
    assert again.status_code == 200 and b"already has a project" in again.content


def test_members_cannot_create_projects(org):
    member = Client()
    member.force_login(_user(org, "bob", Membership.Role.MEMBER))
    assert b"New project" not in member.get("/").content
    member.post(f"/{org.slug}/projects/new/", {"name": "Sneaky"})
    assert not Project.objects.filter(slug="sneaky").exists()
    outsider = Client()
    outsider.force_login(_user(Organization.objects.create(name="O", slug="o"), "eve", "owner"))
    assert outsider.post(f"/{org.slug}/projects/new/", {"name": "X"}).status_code == 404


def test_empty_state_without_an_active_key_says_so(org):
    project = Project.objects.create(organization=org, name="Api", slug="api")
    project.keys.update(is_active=False)
    owner = Client()
    owner.force_login(_user(org, "alice", Membership.Role.OWNER))
    page = owner.get(f"/{org.slug}/api/issues/").content.decode()
    assert 'id="no-key"' in page and 'init("")' not in page
