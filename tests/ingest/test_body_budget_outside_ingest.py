"""Bodies that Django reads whole outside the ingest endpoints (a sourcemap chunk upload's
multipart form, the legacy user-feedback JSON) take from the same process body budget as the
ingest endpoints (ingest.bodymemory.held): while other requests hold it, they get a 503 with
Retry-After and store nothing; what they took is given back when they end."""

import gzip
import hashlib
import io
import os
import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from feedback.models import UserFeedback
from ingest import bodymemory
from monitor import limits
from sourcemaps.models import UploadChunk
from sourcemaps.tokens import create_org_token

pytestmark = pytest.mark.django_db

PAST_FREE = limits.BODY_FREE_BYTES + 512 * 1024  # past what a request holds without the budget


@pytest.fixture
def spent(settings, monkeypatch) -> bodymemory.Budget:
    """A fresh process budget, all of it held by other requests; a short wait for it."""
    settings.INGEST_BODY_MEMORY = 8 * 1024 * 1024
    monkeypatch.setattr(bodymemory, "_budget", None)
    monkeypatch.setattr(limits, "BODY_MEMORY_WAIT_SECONDS", 0.05)
    budget = bodymemory.process_budget()
    budget.take(budget.total, None)
    return budget


def post_chunk(org, data: bytes, field: str = "file"):
    token = create_org_token(org, "ci")[1]
    part = io.BytesIO(gzip.compress(data) if field == "file_gzip" else data)
    part.name = hashlib.sha1(data).hexdigest()
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        f"/api/0/organizations/{org.slug}/chunk-upload/", {field: part})


@pytest.mark.parametrize("field", ["file", "file_gzip"])
def test_a_chunk_upload_waits_for_the_process_body_budget(org, spent, field):
    chunk = os.urandom(PAST_FREE)
    refused = post_chunk(org, chunk, field)
    assert refused.status_code == 503, refused.content
    assert refused.headers["Retry-After"] == str(bodymemory.RETRY_AFTER_SECONDS)
    assert not UploadChunk.objects.exists()
    spent.give(spent.total)
    assert post_chunk(org, chunk, field).status_code == 200
    assert UploadChunk.objects.get().checksum == hashlib.sha1(chunk).hexdigest()
    assert spent.taken == 0  # given back when the request ended
    assert spent.peak >= PAST_FREE - limits.BODY_FREE_BYTES  # and counted while it ran


def test_the_legacy_user_feedback_waits_for_the_process_body_budget(project, spent):
    key = project.keys.order_by("id").first()
    url = f"/api/0/projects/{project.organization.slug}/{project.slug}/user-feedback/"
    body = {"event_id": uuid.uuid4().hex, "name": "Ada", "email": "a@x.io",
            "comments": "x" * PAST_FREE}
    client = APIClient(HTTP_AUTHORIZATION=f"DSN {key.dsn}")
    refused = client.post(url, body, format="json")
    assert refused.status_code == 503, refused.content
    assert refused.headers["Retry-After"] == str(bodymemory.RETRY_AFTER_SECONDS)
    assert not UserFeedback.objects.exists()
    spent.give(spent.total)
    assert client.post(url, body, format="json").status_code == 200
    assert UserFeedback.objects.count() == 1 and spent.taken == 0
