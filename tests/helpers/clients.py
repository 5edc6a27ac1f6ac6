"""Signed-in clients: the cast's API clients (tests/helpers/cast.py), a user's web client, and a
member's web client on a fingerprint-grouped project with a key."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from monitor.models import Project, ProjectKey
from tests.helpers.cast import join, make_user


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
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def member(project):
    user = make_user("dev")
    join(user, project.organization)
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    ProjectKey.objects.create(project=project)
    client = Client()
    client.force_login(user)
    return client
