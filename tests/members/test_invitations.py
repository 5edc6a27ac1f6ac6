"""Invitations by e-mail and password reset, through the real aiosmtpd server the alert tests
use and the Django test client: the invitee's link works once, for the invited address, within
its lifetime; forged, expired, reused and withdrawn links get a page that says so."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.signing import TimestampSigner, b62_encode
from django.test import Client

from members import invitations
from members.models import Invitation
from monitor.models import Membership, Organization
from tests.helpers.alert_receivers import SMTPServer
from tests.helpers.clients import client_of
from tests.helpers.members import PASSWORD, invite, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_mail_throttle(redis_client):
    for key in redis_client.scan_iter("members:mail-throttle:*"):
        redis_client.delete(key)


@pytest.fixture
def eager_tasks():
    """Celery tasks run in this process when enqueued (the test's database transaction)."""
    from faultline.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def text_of(mail) -> str:
    (part,) = [p for p in mail["message"].walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()


def link_in(mail) -> str:
    """The path of the one Faultline link in the mail's text."""
    (url,) = re.findall(r"https?://\S+", text_of(mail))
    return urlsplit(url).path


def test_an_invitee_without_an_account_accepts_from_the_email(org, acme, smtp):
    org.name = "Acme & <Sons>"
    org.save()
    response = invite(client_of(acme["owner"]), org, "New.Person@Example.com", "admin")
    assert response.status_code == 302
    (mail,) = smtp.inbox.messages
    assert mail["to"] == ["New.Person@example.com"] and "Acme & <Sons>" in mail["subject"]
    assert "join Acme & <Sons> on Faultline as admin" in text_of(mail)
    link = link_in(mail)
    html = [p for p in mail["message"].walk() if p.get_content_type() == "text/html"]
    assert link in html[0].get_payload(decode=True).decode()
    assert Membership.objects.filter(organization=org).count() == 3  # nobody added yet

    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and 'id="signup"' in page.content.decode()
    weak = visitor.post(link, {"username": "newbie", "password1": "12345678",
                               "password2": "12345678"})
    assert weak.status_code == 400 and "too common" in weak.content.decode()
    taken = visitor.post(link, {"username": "OWNER-of-acme", "password1": PASSWORD,
                                "password2": PASSWORD})
    assert taken.status_code == 400 and not get_user_model().objects.filter(
        username="newbie").exists()
    joined = visitor.post(link, {"username": "newbie", "password1": PASSWORD,
                                 "password2": PASSWORD})
    assert joined.status_code == 302 and joined.url == f"/{org.slug}/settings/"
    newbie = get_user_model().objects.get(username="newbie")
    assert newbie.email == "New.Person@example.com"
    assert Membership.objects.get(user=newbie, organization=org).role == "admin"
    assert visitor.get(joined.url).status_code == 200  # signed in as the new account
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == newbie and invitation.invited_by == acme["owner"]

    again = Client().get(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    reused = Client().post(link, {"username": "second", "password1": PASSWORD,
                                  "password2": PASSWORD})
    assert reused.status_code == 410
    assert not get_user_model().objects.filter(username="second").exists()


def test_a_signed_in_invitee_accepts_with_a_post(org, acme, smtp):
    carol = user("carol", "carol@example.com")
    mallory = user("mallory", "mallory@example.com")
    invite(client_of(acme["admin"]), org, "CAROL@example.com")
    link = link_in(smtp.inbox.messages[0])

    # Someone else holding the link (forwarded, leaked) cannot use it.
    other = client_of(mallory)
    for response in (other.get(link), other.post(link)):
        assert response.status_code == 403
        assert "another e-mail address" in response.content.decode()
    assert not Membership.objects.filter(user=mallory).exists()

    # Signed out, the invitee with an account is sent to sign in (no second account).
    anonymous = Client()
    page = anonymous.get(link).content.decode()
    assert 'id="sign-in"' in page and 'id="signup"' not in page
    assert "/login/" in anonymous.post(link).url

    invitee = client_of(carol)
    page = invitee.get(link)
    assert page.status_code == 200 and 'id="accept"' in page.content.decode()
    assert not Membership.objects.filter(user=carol).exists()  # a GET changes nothing
    assert invitee.post(link).status_code == 302
    assert Membership.objects.get(user=carol, organization=org).role == "member"
    assert invitee.post(link).status_code == 410


@pytest.mark.parametrize("change", ["demoted", "removed", "deleted"])
def test_an_invitation_lapses_with_the_inviters_rights(org, acme, smtp, change):
    carol = user("carol", "carol@example.com")
    invite(client_of(acme["admin"]), org, "carol@example.com", "admin")
    link = link_in(smtp.inbox.messages[0])
    if change == "demoted":
        Membership.objects.filter(user=acme["admin"]).update(role="member")
    elif change == "removed":
        Membership.objects.filter(user=acme["admin"]).delete()
    else:
        acme["admin"].delete()
    for response in (client_of(carol).get(link), client_of(carol).post(link), Client().get(link)):
        assert response.status_code == 410
        assert "no longer valid" in response.content.decode()
    assert not Membership.objects.filter(user=carol).exists()
    Membership.objects.filter(user=acme["owner"]).update(role="admin")  # owners demoted too
    invite(client_of(acme["owner"]), org, "dave@example.com", "member")
    assert client_of(user("dave", "dave@example.com")).post(
        link_in(smtp.inbox.messages[-1])).status_code == 302  # an admin's own invitation works


def test_an_existing_member_keeps_their_role(org, acme, smtp):
    invite(client_of(acme["owner"]), org, "member@acme.example", "admin")
    assert client_of(acme["member"]).post(link_in(smtp.inbox.messages[0])).status_code == 302
    assert Membership.objects.get(user=acme["member"]).role == "member"


class _OldSigner(TimestampSigner):
    """Signs as if it were `days` ago: an expired link without waiting or freezing time."""

    def __init__(self, days: float, **kwargs):
        super().__init__(**kwargs)
        self.days = days

    def timestamp(self) -> str:
        return b62_encode(int(time.time() - self.days * 86400))


@pytest.mark.parametrize("tamper", ["signature", "id", "garbage", "huge", "empty-id"])
def test_forged_links_are_a_404_page(org, acme, tamper):
    invitation = Invitation.objects.create(organization=org, email="x@example.com",
                                           invited_by=acme["owner"])
    token = invitations.token_for(invitation)
    forged = {
        "signature": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        "id": f"{invitation.pk + 1}:{token.split(':', 1)[1]}",
        "garbage": "not-a-token",
        "huge": "9" * 5000 + ":" + token.split(":", 1)[1],
        "empty-id": TimestampSigner(salt="another.salt").sign(str(invitation.pk)),
    }[tamper]
    for client in (Client(), client_of(acme["member"])):
        for response in (client.get(f"/invitations/{forged}/"),
                         client.post(f"/invitations/{forged}/")):
            assert response.status_code == 404
            assert "not valid" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.is_open


def test_an_expired_link_is_a_410_page(org, acme, settings):
    invitee = user("late", "late@example.com")
    invitation = Invitation.objects.create(organization=org, email=invitee.email,
                                           invited_by=acme["owner"])
    days = settings.INVITATION_MAX_AGE_DAYS
    fresh = _OldSigner(days - 0.5, salt=invitations.SALT).sign(str(invitation.pk))
    stale = _OldSigner(days + 0.5, salt=invitations.SALT).sign(str(invitation.pk))
    response = client_of(invitee).post(f"/invitations/{stale}/")
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()
    assert client_of(invitee).post(f"/invitations/{fresh}/").status_code == 302  # still valid


def test_pending_invitations_are_listed_and_revocable(org, acme, smtp):
    owner = client_of(acme["owner"])
    invite(owner, org, "first@example.com")
    invite(owner, org, "second@example.com", "admin")
    page = owner.get(f"/{org.slug}/settings/").content.decode()
    assert 'id="pending-invitations"' in page
    assert "first@example.com" in page and "second@example.com" in page
    # Members see the members, not the invited addresses.
    assert "first@example.com" not in client_of(acme["member"]).get(
        f"/{org.slug}/settings/").content.decode()
    first = Invitation.objects.get(email="first@example.com")
    link = link_in(smtp.inbox.messages[0])

    # A member cannot revoke; another organisation's owner does not even find it.
    globex = Organization.objects.create(name="Globex", slug="globex")
    outsider = user("globex-owner", "owner@globex.example", globex, "owner")
    url = f"/{org.slug}/settings/invitations/"
    assert client_of(acme["member"]).post(url, {"action": "revoke",
                                                "invitation": first.pk}).status_code == 403
    assert client_of(outsider).post(url, {"action": "revoke",
                                          "invitation": first.pk}).status_code == 404
    assert client_of(outsider).post(f"/{globex.slug}/settings/invitations/", {
        "action": "revoke", "invitation": first.pk}).status_code == 302
    first.refresh_from_db()
    assert first.is_open

    assert owner.post(url, {"action": "revoke", "invitation": first.pk}).status_code == 302
    first.refresh_from_db()
    assert first.revoked_by == acme["owner"] and first.revoked_at is not None
    page = owner.get(f"/{org.slug}/settings/").content.decode()
    assert "withdrawn" in page  # the message
    listed = page.split('id="pending-invitations"')[1].split("</table>")[0]
    assert "first@example.com" not in listed and "second@example.com" in listed
    invitee = user("first", "first@example.com")
    response = client_of(invitee).post(link)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


def test_inviting_again_replaces_the_old_link(org, acme, smtp):
    owner = client_of(acme["owner"])
    invite(owner, org, "twice@example.com")
    invite(owner, org, "Twice@example.com")
    old, new = (link_in(m) for m in smtp.inbox.messages)
    assert old != new
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    assert Client().get(old).status_code == 410
    assert Client().get(new).status_code == 200


def test_roles_bound_who_invites_as_what(org, acme, smtp):
    url = f"/{org.slug}/settings/invitations/"
    admin, member = client_of(acme["admin"]), client_of(acme["member"])
    assert invite(admin, org, "boss@example.com", "owner").status_code == 403
    assert invite(member, org, "pal@example.com", "member").status_code == 403
    assert invite(member, org, "pal@example.com", "admin").status_code == 403
    assert not Invitation.objects.exists() and not smtp.inbox.messages
    page = admin.get(f"/{org.slug}/settings/").content.decode()
    invite_form = page.split('id="invite-form"')[1].split("</form>")[0]
    assert 'value="admin"' in invite_form and 'value="owner"' not in invite_form
    assert 'id="invite-form"' not in member.get(f"/{org.slug}/settings/").content.decode()

    assert invite(admin, org, "pal@example.com", "admin").status_code == 302
    assert invite(client_of(acme["owner"]), org, "boss@example.com", "owner").status_code == 302
    boss = Invitation.objects.get(role="owner")
    # An admin cannot withdraw an invitation as owner, as they cannot remove an owner.
    assert admin.post(url, {"action": "revoke", "invitation": boss.pk}).status_code == 403
    boss.refresh_from_db()
    assert boss.is_open
    globex = Organization.objects.create(name="Globex", slug="globex")
    outsider = client_of(user("globex-admin", "admin@globex.example", globex, "admin"))
    assert invite(outsider, org, "sneaky@example.com").status_code == 404
    assert sorted(m["to"][0] for m in smtp.inbox.messages) == ["boss@example.com",
                                                               "pal@example.com"]


def test_inviting_tells_nothing_about_existing_accounts(org, acme, smtp):
    user("known", "known@example.com")
    answers = []
    for email in ("known@example.com", "unknown@example.com"):
        response = invite(client_of(acme["owner"]), org, email)
        answers.append((response.status_code, response.url,
                        [str(m).replace(email, "ADDR") for m in response.wsgi_request._messages]))
    assert answers[0] == answers[1]
    assert sorted(m["to"][0] for m in smtp.inbox.messages) == ["known@example.com",
                                                               "unknown@example.com"]


def test_a_bad_address_or_a_dead_mail_server_makes_no_invitation(org, acme, settings):
    owner = client_of(acme["owner"])
    for bad in ("not an address", "a" * 250 + "@example.com", ""):
        response = invite(owner, org, bad)
        assert response.status_code == 302 and not Invitation.objects.exists()
        said = [str(m) for m in response.wsgi_request._messages]
        assert said and said[-1].startswith("Invitation not sent: E-mail address:")
    dead = SMTPServer()  # a port with nothing listening
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", dead.port, 2
    response = invite(owner, org, "someone@example.com")
    assert response.status_code == 302 and not Invitation.objects.exists()
    said = [str(m) for m in response.wsgi_request._messages]
    assert any("could not be sent" in m for m in said)


def test_password_reset_by_email(acme, smtp, eager_tasks,
                                  django_capture_on_commit_callbacks):
    visitor = Client()
    login = visitor.get("/login/").content.decode()
    assert 'id="forgot-password"' in login
    with django_capture_on_commit_callbacks(execute=True):
        unknown = visitor.post("/password-reset/", {"email": "nobody@example.com"})
        known = visitor.post("/password-reset/", {"email": "MEMBER@acme.example"})
    assert unknown.status_code == known.status_code == 302 and unknown.url == known.url
    (mail,) = smtp.inbox.messages  # only the account's address got mail
    assert mail["to"] == ["member@acme.example"]
    link = link_in(mail)
    form = visitor.get(link, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = visitor.post(set_url, {"new_password1": "member-of-acme",
                                  "new_password2": "member-of-acme"})
    assert weak.status_code == 200 and "too similar" in weak.content.decode()
    done = visitor.post(set_url, {"new_password1": "a new long passphrase 7",
                                  "new_password2": "a new long passphrase 7"})
    assert done.status_code == 302
    signed_in = Client().post("/login/", {"username": "member-of-acme",
                                          "password": "a new long passphrase 7"})
    assert signed_in.status_code == 302 and signed_in.url == "/"
    reused = Client().get(link, follow=True).content.decode()
    assert 'id="reset-link-invalid"' in reused


def test_password_reset_with_a_dead_mail_server_answers_the_same(
    acme, settings, eager_tasks, django_capture_on_commit_callbacks
):
    dead = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", dead.port, 2
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        response = Client().post("/password-reset/", {"email": "member@acme.example"})
    assert response.status_code == 302 and response.url == "/password-reset/sent/"
    assert len(enqueued) == 1  # the task ran and logged the refusal


def test_password_reset_does_the_same_work_for_any_address(
    acme, smtp, django_capture_on_commit_callbacks
):
    """The request neither looks the address up nor sends: both answers enqueue one task, so
    the time taken reveals no account either."""
    visitor = Client()
    for email in ("nobody@example.com", "member@acme.example"):
        with django_capture_on_commit_callbacks(execute=False) as enqueued:
            response = visitor.post("/password-reset/", {"email": email})
        assert response.status_code == 302 and response.url == "/password-reset/sent/"
        assert len(enqueued) == 1, email
    assert smtp.inbox.messages == []  # nothing sent inside a request


def test_password_reset_mails_are_throttled_per_address(
    acme, smtp, settings, eager_tasks, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_MAILS_PER_CLIENT = 0  # only the per-address budget here
    for client_address in ("203.0.113.1", "203.0.113.2"):  # two clients, one address
        anonymous = Client(REMOTE_ADDR=client_address)
        for _ in range(10):
            with django_capture_on_commit_callbacks(execute=True):
                response = anonymous.post("/password-reset/", {"email": "Owner@acme.example"})
            assert response.status_code == 302 and response.url == "/password-reset/sent/"
    assert len(smtp.inbox.messages) == settings.PASSWORD_RESET_MAILS_PER_ADDRESS == 3
    assert {m["to"][0] for m in smtp.inbox.messages} == {"owner@acme.example"}


def test_password_reset_mails_are_throttled_per_client(
    acme, settings, django_capture_on_commit_callbacks
):
    anonymous = Client(REMOTE_ADDR="203.0.113.7")
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        for n in range(20):
            anonymous.post("/password-reset/", {"email": f"someone{n}@example.com"})
    assert len(enqueued) == settings.PASSWORD_RESET_MAILS_PER_CLIENT == 10
    with django_capture_on_commit_callbacks(execute=False) as elsewhere:
        Client(REMOTE_ADDR="198.51.100.7").post("/password-reset/", {"email": "x@example.com"})
    assert len(elsewhere) == 1  # another client has its own budget


def test_invitation_mails_are_throttled_per_organisation(org, acme, settings, smtp):
    settings.INVITATION_MAILS_PER_ORGANIZATION = 3
    owner = client_of(acme["owner"])
    said = []
    for n in range(5):
        response = invite(owner, org, f"guest{n}@example.com")
        said.append([str(m) for m in response.wsgi_request._messages][-1])
    assert len(smtp.inbox.messages) == 3 and Invitation.objects.count() == 3
    assert said[3].startswith("Too many invitations") and said[4].startswith("Too many")
