"""The legacy user-feedback endpoint parses its body as the ingest endpoints do: JSON nested
past what the parser can hold, or a body that is not an object, is a 400 that says why, never
a server error."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from feedback.models import UserFeedback

pytestmark = pytest.mark.django_db


def post(project_key, body: bytes):
    project = project_key.project
    url = f"/api/0/projects/{project.organization.slug}/{project.slug}/user-feedback/"
    return APIClient().post(url, body, content_type="application/json",
                            HTTP_AUTHORIZATION=f"DSN {project_key.dsn}")


def test_deeply_nested_json_is_a_400(project_key):
    answer = post(project_key, b"[" * 100_000 + b"]" * 100_000)
    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["detail"]


def test_a_feedback_object_is_still_stored(project_key):
    answer = post(project_key, b'{"event_id": "' + b"a" * 32 + b'", "name": "Ann", '
                                b'"email": "ann@example.com", "comments": "it broke"}')
    assert answer.status_code == 200, answer.content
    assert answer.json()["comments"] == "it broke"
    assert UserFeedback.objects.filter(project=project_key.project).count() == 1
