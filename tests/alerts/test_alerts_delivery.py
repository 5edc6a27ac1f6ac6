"""Destinations against real receivers: aiosmtpd for email, a local HTTP server that verifies
the webhook signature, Apprise's json:// to the same server; attempts, back-off, failing flag,
the SSRF guard, and a dead SMTP server that comes back."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.destinations.webhook.transport import sign
from alerts.models import (
    AlertDelivery,
    AlertDestination,
    AlertRule,
    DeliveryAttempt,
    NotificationPreference,
)
from alerts.netguard import BlockedURL, check_url
from alerts.notify import attempt, send_test
from monitor.models import Membership, Project
from tests.helpers.alert_receivers import HTTPReceiver, SMTPServer
from tests.helpers.alerts import evaluate, send

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(days=1)


@pytest.fixture
def receiver():
    server = HTTPReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def fp_project(project):
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    return project


def destination(project, kind, config, **fields):
    return AlertDestination.objects.create(project=project, name=kind, kind=kind, config=config,
                                           **fields)


def new_issue_alert(project, dest):
    rule = AlertRule.objects.create(project=project, name="new", trigger="new_issue")
    rule.destinations.add(dest)
    send(project, "a")
    (delivery_id,) = evaluate()
    return attempt(delivery_id)


def test_email_reaches_addresses_and_members_who_want_it(fp_project, smtp, django_user_model):
    org = fp_project.organization
    for name in ("alice", "bob"):
        user = django_user_model.objects.create_user(name, email=f"{name}@example.com")
        Membership.objects.create(user=user, organization=org)
    bob = django_user_model.objects.get(username="bob")
    NotificationPreference.objects.create(user=bob, project=fp_project, email=False)
    dest = destination(fp_project, "email", {"addresses": ["ops@example.com"],
                                             "to_members": True})
    delivery = new_issue_alert(fp_project, dest)
    assert delivery.status == "sent", DeliveryAttempt.objects.last().error
    (mail,) = smtp.inbox.messages
    assert sorted(mail["to"]) == ["alice@example.com", "ops@example.com"]
    assert "ZeroDivisionError" in mail["subject"] and "acme/backend" in mail["subject"]
    html = [p for p in mail["message"].walk() if p.get_content_type() == "text/html"]
    assert html and "/issues/" in html[0].get_payload(decode=True).decode()
    assert dest.attempts.get().ok


def test_webhook_is_signed_and_shaped_like_sentrys(fp_project, receiver):
    dest = destination(fp_project, "webhook", {"url": receiver.url + "/hook"}, allow_private=True)
    receiver.secret = dest.secret
    delivery = new_issue_alert(fp_project, dest)
    assert delivery.status == "sent"
    (hit,) = receiver.hits
    assert hit.signature_ok is True
    assert hit.headers["Sentry-Hook-Resource"] == "issue"
    assert abs(int(hit.headers["Sentry-Hook-Timestamp"]) - timezone.now().timestamp()) < 60
    body = hit.json()
    assert body["action"] == "created"
    assert body["data"]["issue"]["title"].startswith("ZeroDivisionError")
    assert body["data"]["issue"]["web_url"].endswith(f"/issues/{body['data']['issue']['id']}/")
    assert sign(b"tampered" + hit.body, dest.secret) != hit.headers["Sentry-Hook-Signature"]


def test_apprise_posts_to_a_json_endpoint(fp_project, receiver):
    url = receiver.url.replace("http://", "json://") + "/apprise"
    dest = destination(fp_project, "apprise", {"url": url}, allow_private=True)
    assert send_test(dest) and attempt(AlertDelivery.objects.get().id).status == "sent"
    (hit,) = receiver.hits
    assert hit.path == "/apprise" and "test notification" in hit.json()["title"].lower()


def test_private_addresses_are_blocked_unless_allowed(fp_project, receiver, settings):
    for url in ("http://127.0.0.1/", "http://localhost:8000/", "http://10.1.2.3/",
                "http://169.254.169.254/latest/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
                "file:///etc/passwd", "http://0.0.0.0/"):
        with pytest.raises(BlockedURL):
            check_url(url)
    check_url("https://93.184.216.34/hook")  # a public literal needs no DNS
    check_url("http://127.0.0.1/", allow_private=True)
    dest = destination(fp_project, "webhook", {"url": receiver.url})
    apprise_dest = destination(fp_project, "apprise",
                               {"url": receiver.url.replace("http", "json")})
    for d in (dest, apprise_dest):
        delivery = attempt(send_test(d))
        assert delivery.status == "failed" and delivery.attempts == 1  # permanent: no retry
        assert "blocked" in d.attempts.get().error
    assert receiver.hits == []
    settings.ALERTS_ALLOW_PRIVATE_URLS = True
    assert attempt(send_test(dest)).status == "sent"


def test_failures_back_off_flag_the_destination_and_give_up(fp_project, receiver, settings):
    settings.ALERTS_MAX_ATTEMPTS, settings.ALERTS_FAILING_AFTER = 4, 3
    receiver.status = 503
    dest = destination(fp_project, "webhook", {"url": receiver.url}, allow_private=True)
    delivery_id = send_test(dest)
    delivery = attempt(delivery_id)
    assert delivery.status == "pending" and delivery.next_attempt_at > timezone.now()
    assert attempt(delivery_id) is None  # not due yet: back-off holds
    for _ in range(3):
        delivery = attempt(delivery_id, now=timezone.now() + LATER)
    dest.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 4
    assert dest.is_failing and "HTTP 503" in dest.last_error
    assert list(dest.attempts.values_list("status_code", flat=True)) == [503] * 4
    receiver.status = 200
    assert attempt(send_test(dest)).status == "sent"
    dest.refresh_from_db()
    assert not dest.is_failing and dest.consecutive_failures == 0
    receiver.status = 410  # gone: permanent
    assert attempt(send_test(dest)).status == "failed"


def test_a_dead_smtp_server_delays_the_email_and_loses_nothing(fp_project, settings):
    server = SMTPServer()  # port chosen, nothing listening yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 2
    dest = destination(fp_project, "email", {"addresses": ["ops@example.com"]})
    delivery = new_issue_alert(fp_project, dest)
    assert delivery.status == "pending" and "Connection" in dest.attempts.get().error
    assert fp_project.events.count() == 1  # the event itself is stored regardless
    server.start()
    try:
        delivery = attempt(delivery.id, now=timezone.now() + LATER)
        assert delivery.status == "sent" and delivery.attempts == 2
        assert [m["to"] for m in server.inbox.messages] == [["ops@example.com"]]
    finally:
        server.stop()


def test_a_newline_in_an_exception_type_never_stops_an_email(fp_project, smtp):
    from tests.helpers.events import event, ingest

    dest = destination(fp_project, "email", {"addresses": ["ops@example.com"]})
    rule = AlertRule.objects.create(project=fp_project, name="new", trigger="new_issue")
    rule.destinations.add(dest)
    ingest(fp_project, {**event(exc_type="Evil\r\nBcc: victim@example.com"), "fingerprint": ["x"]})
    issue = fp_project.issues.get()
    assert issue.title == "Evil Bcc: victim@example.com: division by zero"  # normalised at ingest
    (delivery_id,) = evaluate()
    assert attempt(delivery_id).status == "sent", DeliveryAttempt.objects.last().error
    (mail,) = smtp.inbox.messages
    assert mail["to"] == ["ops@example.com"] and "Evil Bcc: victim" in mail["subject"]


def test_control_characters_in_a_title_or_project_still_make_a_subject(smtp):
    from email.header import decode_header, make_header

    from alerts.destinations.base import IssueRef, Notification
    from alerts.destinations.email.transport import EmailDestination

    now = timezone.now()
    issue = IssueRef(id=1, title="Broken\nheader\x1b[31m" + "x" * 500, culprit="", level="error",
                     status="unresolved", times_seen=1, users_seen=1, first_seen=now,
                     last_seen=now, url="http://faultline.test/i/1/", project="p")
    notification = Notification(project="acme\r\nBcc: victim@example.com", rule="r",
                                trigger="new_issue", issues=[issue], total=1)
    result = EmailDestination({"recipients": ["ops@example.com"]}).send(notification)
    assert result.ok, result.error
    (mail,) = smtp.inbox.messages
    assert mail["to"] == ["ops@example.com"]
    subject = str(make_header(decode_header(mail["subject"])))
    assert subject.startswith("[acme Bcc: victim@example.com] new issue: Broken header [31mxxx")
    assert len(subject) <= 200 and subject.endswith("…")
