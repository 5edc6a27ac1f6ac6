"""Personal API tokens, attacked: method tricks, the releases preset, the account page and admin,
deactivated users, organisation tokens at the API, oracles, and a bound on tokens per user."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apitokens.mint import create_token
from apitokens.models import ApiToken
from monitor import limits
from monitor.models import Issue
from sourcemaps.tokens import create_org_token
from tests.access.test_api_tokens import unsafe_methods_refused
from tests.helpers.clients import api_session_of
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(cast) -> Issue:
    ingest(cast.project, event())
    return Issue.objects.get(project=cast.project)


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def unchanged(issue: Issue) -> bool:
    issue.refresh_from_db()
    return issue.status == Issue.Status.UNRESOLVED


@pytest.mark.parametrize("access", ["read", "releases"])
def test_method_tricks_do_not_turn_a_read_token_into_a_write(cast, issue, access):
    _, raw = create_token(cast.alice, "ro", access)
    client = bearer(raw)
    path = f"/api/0/issues/{issue.id}/"
    body = json.dumps({"status": "resolved"})
    for override in ("HTTP_X_HTTP_METHOD_OVERRIDE", "HTTP_X_HTTP_METHOD", "HTTP_X_METHOD_OVERRIDE"):
        client.generic("GET", path, body, "application/json", **{override: "PATCH"})
        client.generic("HEAD", path, body, "application/json", **{override: "PATCH"})
        client.generic("OPTIONS", path, body, "application/json", **{override: "PATCH"})
        assert client.generic("POST", path, body, "application/json",
                              **{override: "GET"}).status_code == 403
    client.generic("GET", f"{path}?_method=PATCH", body, "application/json")
    assert client.generic("POST", f"{path}?_method=GET", body,
                          "application/json").status_code == 403
    for verb in ("PROPFIND", "TRACE", "LOCK", "patch", "Patch", "MERGE"):
        assert client.generic(verb, path, body, "application/json").status_code in (403, 405)
    assert unchanged(issue)


def test_a_releases_token_changes_nothing_through_the_api(cast):
    """The releases preset uploads with sentry-cli; everywhere else it reads only."""
    _, raw = create_token(cast.alice, "ci", "releases")
    client = bearer(raw)
    assert unsafe_methods_refused(client) > 30


def test_a_token_reaches_no_session_page(cast):
    """The account page (tokens, password), the admin and every web form need a session: a
    token alone is an anonymous visitor there, so it lists, mints and revokes nothing."""
    row, raw = create_token(cast.alice, "ci", "write")
    cast.alice.is_staff = cast.alice.is_superuser = True
    cast.alice.save()
    browser = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    page = browser.get("/account/")
    assert page.status_code == 302 and "/login/" in page["Location"]
    browser.post("/account/", {"action": "revoke", "token": row.id})
    browser.post("/account/", {"action": "create", "name": "minted", "access": "write",
                               "expiry": "never"})
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["ci"]
    assert browser.get("/admin/apitokens/apitoken/").status_code == 302
    assert bearer(raw).get("/api/0/tokens/").status_code in (403, 405)


def test_the_account_page_and_the_api_refuse_a_post_without_the_csrf_token(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.alice)
    row, _ = create_token(cast.alice, "ci", "write")
    assert browser.post("/account/", {"action": "revoke", "token": row.id}).status_code == 403
    assert browser.post("/account/", {"action": "create", "name": "x"}).status_code == 403
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(cast.alice)
    assert api.post("/api/0/tokens/", {"name": "x"}).status_code == 403
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["ci"]


def test_a_deactivated_users_token_is_refused_everywhere(cast, issue):
    _, raw = create_token(cast.alice, "ci", "write")
    slug = cast.project.organization.slug
    assert bearer(raw).get("/api/0/issues/").status_code == 200  # used once: nothing cached
    get_user_model().objects.filter(pk=cast.alice.pk).update(is_active=False)
    assert bearer(raw).get("/api/0/issues/").status_code == 401
    assert bearer(raw).patch(f"/api/0/issues/{issue.id}/", {"status": "resolved"}
                             ).status_code == 401
    cli = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert cli.get(f"/api/0/organizations/{slug}/chunk-upload/").status_code == 401
    assert cli.get("/api/0/").json()["auth"] is None
    assert unchanged(issue)


def test_expired_and_unknown_tokens_look_alike_to_sentry_cli(cast):
    row, expired = create_token(cast.alice, "old", "write", days=30)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    slug = cast.project.organization.slug
    answers = [Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(
        f"/api/0/organizations/{slug}/chunk-upload/") for raw in (expired, "sntryu_" + "1" * 64)]
    assert {a.status_code for a in answers} == {401}
    assert answers[0].content == answers[1].content
    assert Client(HTTP_AUTHORIZATION=f"Bearer {expired}").get("/api/0/").json()["auth"] is None


def test_an_organisation_token_is_no_api_credential(cast, issue):
    _, org_token = create_org_token(cast.project.organization, "ci", cast.alice)
    for scheme in ("Bearer", "Token"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {org_token}")
        assert client.get("/api/0/issues/").status_code == 401
        assert client.patch(f"/api/0/issues/{issue.id}/", {"status": "resolved"}
                            ).status_code == 401
    assert unchanged(issue)


def test_hidden_and_missing_objects_answer_alike_to_a_token(cast, issue):
    """charlie's tokens: alice's issue is hidden from him, 10**9 is missing."""
    for access in ("read", "write"):
        _, raw = create_token(cast.charlie, access, access)
        client = bearer(raw)
        for method in ("get", "patch", "delete"):
            hidden = getattr(client, method)(f"/api/0/issues/{issue.id}/")
            missing = getattr(client, method)(f"/api/0/issues/{10**9}/")
            assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)
        hidden = client.post(f"/api/0/issues/{issue.id}/comments/", {"text": "x"})
        missing = client.post(f"/api/0/issues/{10**9}/comments/", {"text": "x"})
        assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)
    _, raw = create_token(cast.charlie, "ro", "read")
    cli = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    real = cli.get(f"/api/0/organizations/{cast.project.organization.slug}/chunk-upload/")
    made_up = cli.get("/api/0/organizations/no-such-org/chunk-upload/")
    assert (real.status_code, real.content) == (made_up.status_code, made_up.content)
    assert unchanged(issue)


def test_token_names_are_escaped_and_bounded(cast, admin_client):
    name = '"><script>alert(1)</script>'
    create_token(cast.alice, name, "read")
    browser = Client()
    browser.force_login(cast.alice)
    page = browser.get("/account/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    bad = browser.post("/account/", {"action": "create", "name": "n",
                                     "access": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in bad
    assert "<script>alert(1)" not in admin_client.get(
        "/admin/apitokens/apitoken/").content.decode()
    browser.post("/account/", {"action": "create", "name": "x" * 101, "access": "read"})
    session = api_session_of(cast.alice)
    assert session.post("/api/0/tokens/", {"name": "x" * 101}).status_code == 400
    assert session.post("/api/0/tokens/", ["name"], format="json").status_code == 400
    assert list(ApiToken.objects.values_list("name", flat=True)) == [name]


def test_a_user_has_a_bounded_number_of_tokens(cast):
    for n in range(limits.API_TOKENS_PER_USER - 1):
        create_token(cast.alice, f"t{n}", "read")
    session = api_session_of(cast.alice)
    assert session.post("/api/0/tokens/", {"name": "last"}).status_code == 201
    refused = session.post("/api/0/tokens/", {"name": "one too many"})
    assert refused.status_code == 400 and "revoke" in refused.content.decode()
    browser = Client()
    browser.force_login(cast.alice)
    page = browser.post("/account/", {"action": "create", "name": "more", "access": "read",
                                      "expiry": "30"})
    assert page.status_code == 200 and "revoke" in page.content.decode()
    assert "__all__" not in page.content.decode()
    assert ApiToken.objects.filter(user=cast.alice).count() == limits.API_TOKENS_PER_USER
    create_token(cast.bob, "bobs", "read")  # the bound is per user


def test_the_legacy_migration_can_be_reversed():
    from importlib import import_module

    migration = import_module("apitokens.migrations.0002_legacy_tokens").Migration
    assert all(operation.reversible for operation in migration.operations)
