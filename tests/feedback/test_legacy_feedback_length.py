"""A legacy user-feedback request whose Content-Length is past what Django would
ever read (DATA_UPLOAD_MAX_MEMORY_SIZE) is refused at once, not after waiting for a budget it
can never fit, and not with a 503 that tells the SDK to retry the same body."""

import uuid

import pytest
from rest_framework.test import APIClient

from ingest import bodymemory

pytestmark = pytest.mark.django_db


def test_an_oversized_declared_feedback_is_refused_at_once(project, settings, monkeypatch):
    settings.INGEST_BODY_MEMORY = 8 * 1024 * 1024  # nothing else holds any of it
    monkeypatch.setattr(bodymemory, "_budget", None)
    key = project.keys.order_by("id").first()
    url = f"/api/0/projects/{project.organization.slug}/{project.slug}/user-feedback/"
    body = {"event_id": uuid.uuid4().hex, "name": "Ada", "email": "a@x.io", "comments": "hi"}
    client = APIClient(HTTP_AUTHORIZATION=f"DSN {key.dsn}")
    answer = client.post(url, body, format="json", CONTENT_LENGTH=str(64 * 1024 * 1024))
    # a 413 at once: the budget's refusal is a 503 after waiting for it
    assert answer.status_code == 413, (answer.status_code, answer.content)
    assert bodymemory.process_budget().taken == 0
