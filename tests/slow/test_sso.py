"""Single sign-on, end to end: a real OpenID Connect provider (the npm package oidc-provider),
the web server configured from the environment, Debian's Chromium signing in through the provider's
login and consent pages. An existing account and an invited address get in; an address without
either, and one the provider does not call verified, are refused."""

import json
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from members.models import Invitation
from members.sso import verified_email
from monitor.models import Membership, Organization
from tests.conftest import LOG_DIR, WEB_COMMAND, Process, free_port, wait_for, wait_healthy
from tests.helpers.browser import ARTIFACTS, CHROMIUM
from tests.helpers.jsbuild import JS, npm_ci

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CLIENT_ID, CLIENT_SECRET = "faultline", "sso-test-secret"
ACCOUNTS = {
    "ada": {"email": "Ada@Example.com", "email_verified": True},  # an existing account
    "ivan": {"email": "ivan@example.com", "email_verified": True},  # invited, no account yet
    "nora": {"email": "nora@example.com", "email_verified": True},  # neither
    "vic": {"email": "vic@example.com", "email_verified": False},  # invited, unverified
}


def test_only_verified_addresses_count():
    assert verified_email({"email": "a@b.c", "email_verified": True}) == "a@b.c"
    for claims in ({"email": "a@b.c", "email_verified": "true"}, {"email": "a@b.c"},
                   {"email": "nope", "email_verified": True},
                   {"email": ["a@b.c"], "email_verified": True}):
        assert verified_email(claims) is None


@pytest.fixture
def provider():
    if not shutil.which("node"):
        pytest.skip("node is needed for the OpenID Connect provider")
    npm_ci()
    return free_port()


@pytest.fixture
def sso_web(live_env, provider):
    port = free_port()
    issuer = f"http://127.0.0.1:{provider}"
    op = Process(["node", str(JS / "oidc" / "provider.mjs"), str(provider), CLIENT_ID,
                  CLIENT_SECRET, f"http://127.0.0.1:{port}/oidc/callback/"],
                 {**os.environ, "OIDC_ACCOUNTS": json.dumps(ACCOUNTS)},
                 LOG_DIR / "oidc-provider.log").start()
    env = dict(live_env, FAULTLINE_BIND=f"127.0.0.1:{port}",
               FAULTLINE_URL=f"http://127.0.0.1:{port}", SPOOL_REPLAY_INTERVAL="3600",
               OIDC_RP_CLIENT_ID=CLIENT_ID, OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
               SSO_PROVIDER_NAME="Test ID",
               OIDC_OP_AUTHORIZATION_ENDPOINT=f"{issuer}/auth",
               OIDC_OP_TOKEN_ENDPOINT=f"{issuer}/token",
               OIDC_OP_USER_ENDPOINT=f"{issuer}/me", OIDC_OP_JWKS_ENDPOINT=f"{issuer}/jwks")
    web = Process(WEB_COMMAND, env, LOG_DIR / "web-sso.log").start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, web)
        wait_for(lambda: _answers(f"{issuer}/.well-known/openid-configuration"), timeout=30,
                 message="the OpenID Connect provider")
        yield base
    finally:
        web.stop()
        op.stop()


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def sign_in_with_sso(browser, base: str, login: str, shot: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.click("#sso-login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    if page.locator("button[autofocus], button[type=submit]").count() and "/interaction/" in (
            page.url):
        page.click("button[type=submit]")  # the provider's consent page
    page.wait_for_url(f"{base}/**")
    page.wait_for_load_state()
    page.screenshot(path=ARTIFACTS / f"sso-{shot}.png", full_page=True)
    return context, page


def test_sign_in_through_a_real_provider(sso_web, live_env):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    users = get_user_model().objects
    org = Organization.objects.create(name="Acme", slug="acme")
    owner = users.create_user("owner", email="owner@example.com", password="pw-owner-123")
    Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)
    ada = users.create_user("ada", email="ada@example.com", password="pw-ada-123")
    Membership.objects.create(user=ada, organization=org)
    for email in ("ivan@example.com", "vic@example.com"):
        Invitation.objects.create(organization=org, email=email, role=Membership.Role.MEMBER,
                                  invited_by=owner)
    ARTIFACTS.mkdir(exist_ok=True)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        context, page = sign_in_with_sso(browser, sso_web, "ada", "existing")
        expect(page.locator("header")).to_contain_text("ada")  # the existing account
        context.close()

        context, page = sign_in_with_sso(browser, sso_web, "ivan", "invited")
        expect(page.locator("header")).to_contain_text("ivan")
        ivan = users.get(email="ivan@example.com")
        assert Membership.objects.filter(user=ivan, organization=org).exists()
        assert not ivan.has_usable_password()
        assert Invitation.objects.get(email="ivan@example.com").accepted_by == ivan
        context.close()

        for login in ("nora", "vic"):
            context, page = sign_in_with_sso(browser, sso_web, login, f"refused-{login}")
            expect(page.locator("#sso-refused")).to_be_visible()
            context.close()
        browser.close()
    assert not users.filter(email__in=["nora@example.com", "vic@example.com"]).exists()
    assert Invitation.objects.get(email="vic@example.com").accepted_at is None
