"""`/api/0/tokens/` as Sentry's `api-tokens` endpoint: a signed-in user lists their tokens
(never a secret nor a hash) and revokes one by `tokenId`; another user's token is a 404 alike a
missing one, and a token manages no tokens. An organisation token's last use is written at most
once a minute, as a user token's: a chunked upload is many requests."""

from __future__ import annotations

import pytest

from apitokens.mint import create_token
from apitokens.models import ApiToken
from sourcemaps.models import OrgAuthToken
from sourcemaps.tokens import caller_of, create_org_token
from tests.access.test_api_tokens import bearer
from tests.helpers.clients import api_session_of

pytestmark = pytest.mark.django_db


def test_a_user_lists_their_own_tokens_without_secrets(cast):
    mine, secret = create_token(cast.alice, "grafana", "read", days=30)
    create_token(cast.charlie, "theirs", "write")
    body = api_session_of(cast.alice).get("/api/0/tokens/").json()
    assert [row["name"] for row in body] == ["grafana"]
    assert body[0]["prefix"] == mine.prefix and body[0]["scopes"] == mine.scopes
    assert body[0]["expires_at"] and body[0]["last_used_at"] is None
    assert secret not in str(body) and mine.token_hash not in str(body)
    assert "token" not in body[0]


def test_a_user_revokes_their_token_and_nobody_elses(cast):
    mine, secret = create_token(cast.alice, "ci", "write")
    theirs, _ = create_token(cast.charlie, "theirs", "write")
    alice = api_session_of(cast.alice)
    foreign = alice.delete("/api/0/tokens/", {"tokenId": theirs.id}, format="json")
    missing = alice.delete("/api/0/tokens/", {"tokenId": 10**9}, format="json")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert alice.delete("/api/0/tokens/", {"tokenId": "²"}, format="json").status_code == 404
    assert alice.delete("/api/0/tokens/", {}, format="json").status_code == 400
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert alice.delete("/api/0/tokens/", {"tokenId": mine.id}, format="json").status_code == 204
    assert not ApiToken.objects.filter(pk=mine.pk).exists()
    assert bearer(secret).get("/api/0/organizations/").status_code == 401


def test_a_token_lists_and_revokes_no_tokens(cast):
    row, secret = create_token(cast.alice, "ci", "write")
    client = bearer(secret)
    assert client.get("/api/0/tokens/").status_code == 403
    assert client.delete("/api/0/tokens/", {"tokenId": row.id}, format="json").status_code == 403
    assert ApiToken.objects.filter(pk=row.pk).exists()


def test_an_organisation_tokens_last_use_is_written_once_a_minute(cast):
    row, secret = create_org_token(cast.project.organization, "ci")
    assert caller_of(f"Bearer {secret}") is not None
    first = OrgAuthToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    assert caller_of(f"Bearer {secret}") is not None
    assert OrgAuthToken.objects.get(pk=row.pk).last_used_at == first
