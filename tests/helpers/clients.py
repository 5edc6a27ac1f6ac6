"""Signed-in clients: a user's web client, the cast's API clients (tests/helpers/cast.py), and a
member's web client on a fingerprint-grouped project with a key."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from monitor.models import Project, ProjectKey
from tests.helpers.cast import join, make_user


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_session_of(user) -> APIClient:
    """An API client signed in with a session (what SessionOnly views take), not a token."""
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def people(cast):
    """An API client for each of the cast (tests/helpers/cast.py)."""
    project = cast.project
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    alice, bob, charlie = cast.alice, cast.bob, cast.charlie
    clients = {}
    for user in (alice, bob, charlie):
        clients[user.username] = APIClient()
        clients[user.username].force_authenticate(user)
    return clients


def web_client(username):
    return client_of(get_user_model().objects.get(username=username))


@pytest.fixture
def member(project):
    user = make_user("dev")
    join(user, project.organization)
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    ProjectKey.objects.create(project=project)
    return client_of(user)
