"""The notification-preferences API's project field: a project id of another organisation got a
404 where an id nobody has got a 400, which told that it exists. It accepts the projects the
user may see only, and answers the other two alike."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from monitor.models import Project
from tests.helpers.cast import make_project

pytestmark = pytest.mark.django_db

URL = "/api/0/notification-preferences/"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_another_organisations_project_gets_the_answer_of_a_missing_one(cast):
    client = _api(cast.charlie)
    missing = Project.objects.order_by("-pk").first().pk + 1000
    answers = [client.put(URL, {"project": pk, "email": False}, format="json")
               for pk in (cast.project.pk, missing)]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].data == {"project": [
        str(answers[1].data["project"][0]).replace(str(missing), str(cast.project.pk))]}
    theirs = make_project(cast.other, "Charlieown")
    assert client.put(URL, {"project": theirs.pk, "email": False}, format="json").data == [
        {"project": theirs.pk, "email": False}]
    assert client.put(URL, {"project": None, "email": True}, format="json").status_code == 200
