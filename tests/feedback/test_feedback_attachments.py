"""User feedback and attachments from envelopes (the Python SDK's real
envelopes through the endpoint; @sentry/browser's in Chromium in the slow test)."""

import json
import uuid

import pytest
import sentry_sdk
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient
from sentry_sdk.transport import Transport

from attachments.models import Attachment
from feedback.models import UserFeedback
from ingest.processing import process_pending
from ingest.stats import item_counts
from monitor.models import Event, Membership, Organization

pytestmark = pytest.mark.django_db


class Captured(Transport):
    """Keeps the envelopes the real SDK would send."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes: list[bytes] = []

    def capture_envelope(self, envelope) -> None:
        self.envelopes.append(envelope.serialize())


def sdk_envelope_with_attachments(key, *attachments) -> bytes:
    transport = Captured()
    client = sentry_sdk.Client(dsn=key.dsn, transport=transport, default_integrations=False)
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        for name, data in attachments:
            scope.add_attachment(bytes=data, filename=name, content_type="text/plain")
        try:
            {}["missing"]
        except KeyError as exc:
            scope.capture_exception(exc)
    client.flush()
    return transport.envelopes[0]


def post(project, body: bytes, key):
    return Client().post(f"/api/{project.id}/envelope/", body,
                         content_type="application/x-sentry-envelope",
                         HTTP_X_SENTRY_AUTH=f"Sentry sentry_key={key.public_key}")


def drain():
    while process_pending(100):
        pass


@pytest.fixture
def key(project):
    return project.keys.order_by("id").first()


@pytest.fixture
def member(project):
    user = get_user_model().objects.create_user("dev", password="pw-dev-123")
    Membership.objects.create(user=user, organization=project.organization)
    client = Client()
    client.force_login(user)
    return client


def test_sdk_attachments_are_stored_listed_and_downloadable_by_members(project, key, member):
    body = sdk_envelope_with_attachments(key, ("app.log", b"line 1\nline 2\n"))
    assert post(project, body, key).status_code == 200
    drain()
    event = Event.objects.get(project=project)
    minidump = (json.dumps({"event_id": event.event_id.hex}) + "\n" + json.dumps(
        {"type": "attachment", "length": 6, "filename": "crash.dmp",
         "attachment_type": "event.minidump"})).encode() + b"\nMDMP\x93\xa7\n"
    assert post(project, minidump, key).status_code == 200
    rows = Attachment.objects.filter(project=project, event_id=event.event_id).order_by("id")
    assert [(a.name, a.size) for a in rows] == [("app.log", 14), ("crash.dmp", 6)]
    page = member.get(f"/{project.organization.slug}/{project.slug}/issues/{event.issue_id}/")
    html = page.content.decode()
    assert 'id="attachments"' in html and "app.log" in html
    assert "minidump: stored, not processed" in html
    url = f"/{project.organization.slug}/{project.slug}/attachments/{rows[0].id}/"
    download = member.get(url)
    assert download.content == b"line 1\nline 2\n"
    assert download["Content-Disposition"] == 'attachment; filename="app.log"'
    assert download["Content-Type"] == "application/octet-stream"
    assert Client().get(url).status_code == 302  # sign in first
    outsider = get_user_model().objects.create_user("eve", password="pw-eve-12345")
    other = Organization.objects.create(name="Other", slug="other")
    Membership.objects.create(user=outsider, organization=other, role="owner")
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(url).status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/0/attachments/{rows[0].id}/download/").status_code == 404
    api.force_authenticate(get_user_model().objects.get(username="dev"))
    listed = api.get(f"/api/0/projects/{project.id}/events/{event.event_id}/attachments/").json()
    assert [a["name"] for a in listed] == ["app.log", "crash.dmp"]
    assert api.get(f"/api/0/attachments/{rows[1].id}/download/").content == b"MDMP\x93\xa7"


def test_attachments_over_the_limits_are_dropped_not_the_event(project, key, settings):
    settings.ATTACHMENTS_MAX_EVENT_SIZE = 10
    settings.ATTACHMENTS_MAX_PROJECT_SIZE = 15
    body = sdk_envelope_with_attachments(key, ("a.txt", b"12345678"), ("b.txt", b"12345678"))
    assert post(project, body, key).status_code == 200
    second = sdk_envelope_with_attachments(key, ("c.txt", b"12345678"))
    assert post(project, second, key).status_code == 200
    drain()
    assert Event.objects.filter(project=project).count() == 2
    assert sorted(Attachment.objects.values_list("name", flat=True)) == ["a.txt"]
    counts = next(iter(item_counts(project.id).values()))
    assert counts["attachment_over_event_limit"] == 1
    assert counts["attachment_over_project_limit"] == 1


def envelope(*items) -> bytes:
    lines = [json.dumps({"event_id": uuid.uuid4().hex})]
    for header, payload in items:
        lines += [json.dumps(header), payload]
    return "\n".join(lines).encode()


def test_user_reports_and_feedback_items_become_feedback_on_their_issue(project, key, member):
    body = sdk_envelope_with_attachments(key)
    assert post(project, body, key).status_code == 200
    drain()
    event = Event.objects.get(project=project)
    report = {"event_id": event.event_id.hex, "name": "Ada", "email": "ada@example.com",
              "comments": "It broke when I paid"}
    widget = {"event_id": uuid.uuid4().hex, "type": "feedback", "contexts": {"feedback": {
        "message": "Still broken", "contact_email": "bob@example.com", "name": "Bob",
        "associated_event_id": event.event_id.hex, "url": "https://shop.test/pay"}}}
    standalone = {"type": "feedback", "contexts": {"feedback": {"message": "Nice shop"}}}
    for _ in range(2):  # an SDK retry stores nothing twice
        response = post(project, envelope(({"type": "user_report"}, json.dumps(report)),
                                          ({"type": "feedback"}, json.dumps(widget)),
                                          ({"type": "feedback"}, json.dumps(standalone))), key)
        assert response.status_code == 200
    assert UserFeedback.objects.filter(project=project).count() == 4  # the standalone twice
    html = member.get(f"/{project.organization.slug}/{project.slug}/issues/{event.issue_id}/")
    text = html.content.decode()
    assert "It broke when I paid" in text and "Still broken" in text and "Nice shop" not in text
    api = APIClient()
    api.force_authenticate(get_user_model().objects.get(username="dev"))
    on_issue = api.get(f"/api/0/issues/{event.issue_id}/feedback/").json()
    assert {f["name"] for f in on_issue} == {"Ada", "Bob"}
    assert len(api.get(f"/api/0/projects/{project.id}/feedback/").json()) == 4


def test_malformed_feedback_rejects_the_envelope_and_stores_nothing(project, key):
    body = envelope(({"type": "event"}, json.dumps({"message": "hi"})),
                    ({"type": "user_report"}, "{not json"))
    response = post(project, body, key)
    assert response.status_code == 400 and "user_report" in response.json()["detail"]
    drain()
    assert not Event.objects.exists() and not UserFeedback.objects.exists()


def test_legacy_user_feedback_endpoint_takes_the_dsn(project, key):
    url = f"/api/0/projects/{project.organization.slug}/{project.slug}/user-feedback/"
    body = {"event_id": uuid.uuid4().hex, "name": "Ada", "email": "a@x.io", "comments": "Hm"}
    denied = APIClient().post(url, body, format="json")
    assert denied.status_code == 401
    ok = APIClient().post(url, body, format="json", HTTP_AUTHORIZATION=f"DSN {key.dsn}")
    assert ok.status_code == 200 and UserFeedback.objects.get().source == "api"
    empty = APIClient().post(url, {**body, "comments": " "}, format="json",
                             HTTP_AUTHORIZATION=f"DSN {key.dsn}")
    assert empty.status_code == 400


def limited_to_one_per_window(key):
    key.rate_limit_count, key.rate_limit_window = 1, 3600  # no window ends mid-test
    key.save()


def test_attachments_and_feedback_take_from_the_keys_budget(project, key, redis_client):
    """With a key allowed 1 item an hour, ten envelopes of 99 feedback items and an attachment
    each store one of each; the rest is dropped, counted and named in X-Sentry-Rate-Limits."""
    limited_to_one_per_window(key)
    replies = []
    for n in range(10):
        reports = [({"type": "user_report"}, json.dumps(
            {"event_id": uuid.uuid4().hex, "comments": f"envelope {n} report {i}"}))
            for i in range(99)]
        attachment = ({"type": "attachment", "length": 3, "filename": f"{n}.log"}, "log")
        replies.append(post(project, envelope(*reports, attachment), key))
    assert UserFeedback.objects.filter(project=project).count() == 1
    assert Attachment.objects.filter(project=project).count() == 1
    first, *rest = replies
    assert first.status_code == 200
    retry, categories, scope, reason = first["X-Sentry-Rate-Limits"].split(":")
    assert (categories, scope, reason) == ("feedback;user_report", "key", "key_quota")
    assert 1 <= int(retry) <= 3600
    assert {r.status_code for r in rest} == {429}  # nothing of theirs was stored
    limits = rest[0]["X-Sentry-Rate-Limits"].split(",")
    assert sorted(limit.split(":")[1] for limit in limits) == ["attachment",
                                                               "feedback;user_report"]
    counts = next(iter(item_counts(project.id).values()))
    assert counts["feedback_rate_limited"] == 989 and counts["attachment_rate_limited"] == 9


def test_an_event_within_its_budget_is_stored_when_its_attachment_is_not(project, key,
                                                                         redis_client):
    limited_to_one_per_window(key)
    body = sdk_envelope_with_attachments(key, ("a.log", b"first"), ("b.log", b"second"))
    reply = post(project, body, key)
    assert reply.status_code == 200
    assert reply["X-Sentry-Rate-Limits"].split(":")[1] == "attachment"
    drain()
    assert Event.objects.filter(project=project).count() == 1
    assert list(Attachment.objects.values_list("name", flat=True)) == ["a.log"]
    other = Client().post(f"/api/{project.id}/store/", json.dumps({"message": "x"}),
                          content_type="application/json",
                          HTTP_X_SENTRY_AUTH=f"Sentry sentry_key={key.public_key}")
    assert other.status_code == 429
    assert other["X-Sentry-Rate-Limits"].split(":")[1] == "error;default;security"


def test_the_legacy_feedback_endpoint_takes_from_the_keys_budget(project, key, redis_client):
    limited_to_one_per_window(key)
    url = f"/api/0/projects/{project.organization.slug}/{project.slug}/user-feedback/"
    replies = [APIClient().post(url, {"event_id": uuid.uuid4().hex, "comments": f"n{n}"},
                                format="json", HTTP_AUTHORIZATION=f"DSN {key.dsn}")
               for n in range(3)]
    assert [r.status_code for r in replies] == [200, 429, 429]
    assert replies[1]["X-Sentry-Rate-Limits"].split(":")[1:] == ["feedback;user_report", "key",
                                                                 "key_quota"]
    assert int(replies[1]["Retry-After"]) >= 1
    assert UserFeedback.objects.count() == 1


def test_feedback_stops_at_the_projects_cap(project, key, settings):
    settings.FEEDBACK_MAX_PROJECT_ROWS = 3
    reports = [({"type": "user_report"}, json.dumps({"comments": f"report {i}"}))
               for i in range(5)]
    assert post(project, envelope(*reports), key).status_code == 200
    assert UserFeedback.objects.filter(project=project).count() == 3
    assert next(iter(item_counts(project.id).values()))["feedback_over_project_limit"] == 2
    url = f"/api/0/projects/{project.organization.slug}/{project.slug}/user-feedback/"
    full = APIClient().post(url, {"comments": "one more"}, format="json",
                            HTTP_AUTHORIZATION=f"DSN {key.dsn}")
    assert full.status_code == 429 and "feedback" in full.json()["detail"]
    assert UserFeedback.objects.filter(project=project).count() == 3
