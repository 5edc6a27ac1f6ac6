"""Invitations and password reset in a real browser: Playwright driving Debian's Chromium
against the web server, whose mail goes to the aiosmtpd server of the alert tests. An owner invites,
the invitee opens the e-mailed link, creates an account and lands in the organisation; the
link then says it was used. Screenshots at 1400 and 390 px land in tests/artifacts/."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from faultline.localservices import free_port
from members.models import Invitation
from monitor.models import Membership, Organization, Project
from tests.conftest import LOG_DIR, WEB_COMMAND, Process, start_worker, wait_for, wait_healthy
from tests.helpers.alert_receivers import SMTPServer
from tests.helpers.browser import ARTIFACTS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
WIDE, NARROW = {"width": 1400, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def mailing_web(live_env):
    """The web server and a Celery worker (password reset mails are a task) whose e-mail backend is
    SMTP to an aiosmtpd server; (base URL, server). They share a broker database of their own,
    so another test's worker, mailing elsewhere, cannot take the task."""
    smtp = SMTPServer().start()
    port = free_port()
    broker = urlunsplit(urlsplit(settings.REDIS_URL)._replace(path="/7"))
    env = dict(live_env, FAULTLINE_BIND=f"127.0.0.1:{port}",
               FAULTLINE_URL=f"http://127.0.0.1:{port}", CELERY_BROKER_URL=broker,
               EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
               EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), EMAIL_TIMEOUT="5",
               SPOOL_REPLAY_INTERVAL="3600")
    process = Process(WEB_COMMAND, env, LOG_DIR / "web-members.log").start()
    mailer = start_worker(env, "mailer", concurrency=1, queues="default")
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process)
    yield base, smtp
    mailer.stop()
    process.stop()
    smtp.stop()


def link_in(smtp: SMTPServer, to: str, nth: int = 1) -> str:
    """The link in the `nth` e-mail to `to`."""
    def mails() -> list:
        return [m for m in smtp.inbox.messages if m["to"] == [to]]

    wait_for(lambda: len(mails()) >= nth, timeout=30, message=f"e-mail {nth} to {to}")
    mail = mails()[nth - 1]
    (part,) = [p for p in mail["message"].walk() if p.get_content_type() == "text/plain"]
    (url,) = re.findall(r"https?://\S+", part.get_payload(decode=True).decode())
    return url


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in (("wide", WIDE), ("narrow", NARROW)):
        page.set_viewport_size(size)
        page.screenshot(path=ARTIFACTS / f"members-{name}-{label}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (
            f"{name} scrolls sideways at {size['width']} px")


def test_invite_accept_by_signing_up_and_reset_a_password(mailing_web, browser):  # noqa: F811
    base, smtp = mailing_web
    org = Organization.objects.create(name="Members Co", slug="members-co")
    Project.objects.create(organization=org, name="Shop", slug="shop")
    owner = get_user_model().objects.create_user("olga", email="olga@example.com",
                                                 password="owner passphrase 1")
    Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)

    inviter = browser.new_context(viewport=WIDE).new_page()
    inviter.goto(base + "/login/")
    shoot(inviter, "login")
    inviter.fill("input[name=username]", "olga")
    inviter.fill("input[name=password]", "owner passphrase 1")
    inviter.click("button[type=submit]")
    inviter.goto(base + "/members-co/settings/")
    inviter.fill("#invite-form input[name=email]", "newcomer@example.com")
    inviter.locator("#invite-form select[name=role]").select_option("admin")
    inviter.click("#invite-form button[value=invite]")
    assert "Invitation sent to newcomer@example.com" in inviter.inner_text(".messages")
    assert "newcomer@example.com" in inviter.inner_text("#pending-invitations")
    shoot(inviter, "organization-settings")

    link = link_in(smtp, "newcomer@example.com")
    assert link.startswith(base + "/invitations/")
    invitee = browser.new_context(viewport=NARROW).new_page()
    invitee.goto(link)
    shoot(invitee, "invitation-signup")
    invitee.fill("input[name=username]", "newcomer")
    invitee.fill("input[name=password1]", "newcomer passphrase 9")
    invitee.fill("input[name=password2]", "newcomer passphrase 9")
    invitee.click("#accept")
    assert "You joined Members Co as admin" in invitee.inner_text(".messages")
    assert invitee.url == base + "/members-co/settings/"
    assert Membership.objects.get(user__username="newcomer", organization=org).role == "admin"
    shoot(invitee, "joined")
    response = invitee.goto(link)
    assert response.status == 410 and "already been used" in invitee.inner_text("main")
    shoot(invitee, "invitation-used")

    inviter.reload()
    assert 'id="pending-invitations"' not in inviter.content()
    assert Invitation.objects.get().accepted_by.username == "newcomer"

    # An invitee who has an account signs in from the invitation, then accepts.
    get_user_model().objects.create_user("carl", email="carl@example.com",
                                         password="carl passphrase 3")
    inviter.goto(base + "/members-co/settings/")
    inviter.fill("#invite-form input[name=email]", "carl@example.com")
    inviter.click("#invite-form button[value=invite]")
    carl = browser.new_context(viewport=WIDE).new_page()
    carl.goto(link_in(smtp, "carl@example.com"))
    shoot(carl, "invitation-sign-in")
    carl.click("#sign-in")
    carl.fill("input[name=username]", "carl")
    carl.fill("input[name=password]", "carl passphrase 3")
    carl.click("button[type=submit]")
    assert carl.url.startswith(base + "/invitations/")
    shoot(carl, "invitation-accept")
    assert not Membership.objects.filter(user__username="carl").exists()
    carl.click("#accept")
    assert "You joined Members Co as member" in carl.inner_text(".messages")

    visitor = browser.new_context(viewport=NARROW).new_page()
    visitor.goto(base + "/login/")
    visitor.click("#forgot-password")
    shoot(visitor, "password-reset")
    visitor.fill("input[name=email]", "newcomer@example.com")
    visitor.click("button[type=submit]")
    shoot(visitor, "password-reset-sent")
    visitor.goto(link_in(smtp, "newcomer@example.com", nth=2))
    shoot(visitor, "password-reset-confirm")
    visitor.fill("input[name=new_password1]", "another passphrase 5")
    visitor.fill("input[name=new_password2]", "another passphrase 5")
    visitor.click("button[type=submit]")
    assert "Password changed" in visitor.inner_text("main")
    visitor.click("text=Sign in")
    visitor.fill("input[name=username]", "newcomer")
    visitor.fill("input[name=password]", "another passphrase 5")
    visitor.click("button[type=submit]")
    assert visitor.url.startswith(base + "/members-co/shop/issues/")
