"""sentry-cli with a personal API token: uploads need the `project:releases` scope and a
membership of the organisation; a read-only token is refused before anything is stored."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apitokens.mint import create_token
from apitokens.models import ApiToken
from sourcemaps.models import UploadChunk
from tests.helpers.cast import make_org

pytestmark = pytest.mark.django_db


def client_for(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def upload_one_chunk(client: Client, org_slug: str):
    data = b"console.log(1)"
    part = io.BytesIO(data)
    part.name = hashlib.sha1(data).hexdigest()  # noqa: S324 (sentry-cli's chunk names)
    return client.post(f"/api/0/organizations/{org_slug}/chunk-upload/", {"file": part})


@pytest.mark.parametrize("access", ["releases", "write"])
def test_a_token_with_the_release_scope_uploads(cast, access):
    _, raw = create_token(cast.bob, "ci", access)  # a member uploads, as with a session
    client = client_for(raw)
    slug = cast.project.organization.slug
    assert client.get(f"/api/0/organizations/{slug}/chunk-upload/").status_code == 200
    assert upload_one_chunk(client, slug).status_code == 200
    assert UploadChunk.objects.count() == 1
    root = client.get("/api/0/").json()
    assert "project:releases" in root["auth"]["scopes"] and root["user"]["username"] == "bob"


def test_a_read_only_token_uploads_nothing(cast):
    _, raw = create_token(cast.alice, "ro", "read")
    client = client_for(raw)
    slug = cast.project.organization.slug
    assert client.get(f"/api/0/organizations/{slug}/chunk-upload/").status_code == 403
    assert upload_one_chunk(client, slug).status_code == 403
    assemble = client.post(f"/api/0/organizations/{slug}/artifactbundle/assemble/", "{}",
                           content_type="application/json")
    assert assemble.status_code == 403
    assert not UploadChunk.objects.exists()
    # Refused for its scope whatever the organisation: nothing said about which slugs exist.
    missing = client.get("/api/0/organizations/no-such-org/chunk-upload/")
    assert missing.status_code == 403 and missing.content == client.get(
        f"/api/0/organizations/{slug}/chunk-upload/").content


def test_a_token_reaches_only_its_users_organisations(cast):
    _, raw = create_token(cast.charlie, "ci", "releases")
    client = client_for(raw)
    theirs = client.get(f"/api/0/organizations/{cast.project.organization.slug}/chunk-upload/")
    nowhere = client.get("/api/0/organizations/no-such-org/chunk-upload/")
    assert theirs.status_code == nowhere.status_code == 403
    assert theirs.content == nowhere.content  # no hint that the other one exists
    assert upload_one_chunk(client, cast.other.slug).status_code == 200
    assert make_org("Third") and upload_one_chunk(client, "third").status_code == 403


def test_expired_and_revoked_tokens_are_unknown_to_sentry_cli(cast):
    row, raw = create_token(cast.alice, "ci", "releases", days=30)
    url = f"/api/0/organizations/{cast.project.organization.slug}/chunk-upload/"
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client_for(raw).get(url).status_code == 401
    assert client_for(raw).get("/api/0/").json()["auth"] is None
    row2, raw2 = create_token(cast.alice, "ci2", "releases")
    row2.delete()
    assert client_for(raw2).get(url).status_code == 401
