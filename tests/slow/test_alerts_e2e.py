"""The alert path end to end with real parts: the official sentry-sdk → granian → ingest worker
→ outbox → alerts worker (Celery) → aiosmtpd and a signature-checking HTTP receiver."""

import time

import pytest
import sentry_sdk

from alerts.models import Activity, AlertDestination, AlertRule, DeliveryAttempt
from monitor.models import Event, Organization, Project, ProjectKey
from tests.conftest import start_worker, wait_for
from tests.helpers import buggy_app
from tests.helpers.alert_receivers import HTTPReceiver, SMTPServer
from tests.helpers.sdk import capture

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def smtp_port():
    return SMTPServer().port


@pytest.fixture(scope="module")
def alerts_worker(live_env, smtp_port):
    """A worker of the `alerts` queue whose Django email settings point at the test server."""
    env = dict(live_env, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
               EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port), EMAIL_TIMEOUT="2",
               ALERTS_RETRY_BASE_SECONDS="1")
    process = start_worker(env, "alerts-e2e", concurrency=2, queues="alerts")
    yield process
    process.stop()


@pytest.fixture
def receiver():
    server = HTTPReceiver().start()
    yield server
    server.stop()


def setup_project(web, slug):
    org = Organization.objects.create(name=f"Alerts {slug}", slug=slug)
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    key = ProjectKey.objects.create(project=project)
    client = sentry_sdk.Client(
        dsn=f"http://{key.public_key}@{web.split('://', 1)[1]}/{project.id}",
        default_integrations=False, auto_enabling_integrations=False,
        release="shop@1.0.0", environment="production",
    )
    return project, client


def test_an_sdk_error_becomes_an_email_and_a_signed_webhook(
    web, worker, alerts_worker, smtp_port, receiver
):
    smtp = SMTPServer(smtp_port).start()
    try:
        project, client = setup_project(web, "alerts-e2e")
        mail = AlertDestination.objects.create(
            project=project, name="ops mail", kind="email",
            config={"addresses": ["ops@example.com"], "to_members": False},
        )
        hook = AlertDestination.objects.create(project=project, name="hook", kind="webhook",
                                               config={"url": receiver.url + "/sentry"},
                                               allow_private=True)
        receiver.secret = hook.secret
        rule = AlertRule.objects.create(
            project=project, name="new errors", trigger="new_issue", environment="production"
        )
        rule.destinations.add(mail, hook)
        capture(client, buggy_app.checkout, buggy_app.Cart([]))
        client.flush(timeout=30)
        wait_for(lambda: smtp.inbox.messages and receiver.hits, timeout=90,
                 message="the email and the webhook")
        (message,) = smtp.inbox.messages
        assert "ZeroDivisionError" in message["subject"] and message["to"] == ["ops@example.com"]
        (hit,) = receiver.hits
        assert hit.signature_ok and hit.json()["action"] == "created"
        issue_id = int(hit.json()["data"]["issue"]["id"])
        wait_for(lambda: Activity.objects.filter(issue_id=issue_id, kind="alert_sent").count()
                 == 2, timeout=30, message="alert-sent activity")
        assert Activity.objects.filter(issue_id=issue_id, kind="created").exists()
        client.close()
    finally:
        smtp.stop()


def test_a_dead_smtp_server_loses_no_event_and_the_email_arrives_later(
    web, worker, alerts_worker, smtp_port
):
    project, client = setup_project(web, "alerts-dead-smtp")
    mail = AlertDestination.objects.create(
        project=project, name="ops mail", kind="email", config={"addresses": ["late@example.com"]}
    )
    AlertRule.objects.create(project=project, name="new", trigger="new_issue").destinations.add(
        mail
    )
    started = time.monotonic()
    for _ in range(10):
        capture(client, buggy_app.plan_of, "grace")
    client.flush(timeout=30)
    wait_for(lambda: Event.objects.filter(project=project).count() == 10, timeout=90,
             message="all events processed while SMTP is down")
    processed_in = time.monotonic() - started
    failed = DeliveryAttempt.objects.filter(destination=mail, ok=False)
    wait_for(failed.exists, timeout=60, message="a failed attempt recorded")
    assert "refused" in failed.first().error.lower() or "connect" in failed.first().error.lower()
    smtp = SMTPServer(smtp_port).start()
    try:
        wait_for(lambda: smtp.inbox.messages, timeout=90, message="the retried email")
        assert [m["to"] for m in smtp.inbox.messages] == [["late@example.com"]]
    finally:
        smtp.stop()
    assert processed_in < 60
    client.close()
