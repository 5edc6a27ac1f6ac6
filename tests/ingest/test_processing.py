"""Raw events → normalized, scrubbed, grouped events and issues, on the real database."""

import datetime as dt
import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor import limits
from monitor.models import Event, GroupHash, Issue, IssueTag, Project
from tests.helpers.processing import drain, raw, zero_division
from tests.helpers.sdk_payloads import (
    ENVELOPES,
    STORE_EVENTS,
    csp_report,
    envelope_bytes,
    require_corpus,
    store_event,
    transaction_envelope,
)

pytestmark = pytest.mark.django_db


def test_events_group_into_one_issue_with_counts(project):
    for i in range(5):
        raw(project, zero_division(lineno=10 + i, user={"id": str(i % 2)}))
    raw(
        project,
        {
            "message": "Payment %s failed",
            "logentry": {"message": "Payment %s failed", "params": ["7"]},
        },
    )
    assert drain() == 6
    assert not RawEvent.objects.exists()
    error = Issue.objects.get(type="error")
    assert error.title == "ZeroDivisionError: division by zero"
    assert error.culprit == "shop.views in checkout"
    assert error.times_seen == 5
    assert error.users_seen == 2
    assert Event.objects.filter(issue=error).count() == 5
    message = Issue.objects.get(type="default")
    assert message.title == "Payment 7 failed" and message.times_seen == 1
    assert GroupHash.objects.count() == 2
    counts = dict(
        IssueTag.objects.filter(issue=error, key="user").values_list("value", "times_seen")
    )
    assert counts == {"id:0": 3, "id:1": 2}


def test_event_data_is_scrubbed_before_storage(project):
    raw(
        project,
        {
            "message": "x",
            "extra": {"password": "hunter2"},
            "request": {"headers": {"Authorization": "Bearer t0k3n"}},
        },
    )
    drain()
    stored = json.dumps(Event.objects.get().data)
    assert "hunter2" not in stored and "t0k3n" not in stored
    assert "[Filtered]" in stored


def test_scrubbing_can_be_turned_off_per_project(project):
    project.scrub_data = False
    project.save()
    raw(project, {"message": "x", "extra": {"password": "visible"}})
    drain()
    assert Event.objects.get().data["extra"]["password"] == "visible"


def test_processing_is_idempotent_for_a_repeated_event_id(project):
    event_id = raw(project, zero_division())
    drain()
    raw(project, zero_division(), event_id=event_id)  # the SDK retried after we processed
    drain()
    assert Event.objects.count() == 1
    assert Issue.objects.get().times_seen == 1


def test_resolved_issue_regresses_on_a_new_event(project):
    raw(project, zero_division())
    drain()
    issue = Issue.objects.get()
    issue.status = Issue.Status.RESOLVED
    issue.resolved_at = timezone.now()
    issue.save()
    raw(project, zero_division())
    drain()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.UNRESOLVED
    assert issue.regressed and issue.regressed_at is not None
    assert issue.times_seen == 2


def test_ignored_issue_stays_ignored(project):
    raw(project, zero_division())
    drain()
    Issue.objects.update(status=Issue.Status.IGNORED)
    raw(project, zero_division())
    drain()
    issue = Issue.objects.get()
    assert issue.status == Issue.Status.IGNORED and not issue.regressed and issue.times_seen == 2


def test_titles_follow_the_newest_event_through_merge_and_unmerge(project):
    """A merge or an unmerge moves events without a bump; titles still follow the newest."""
    from grouping.merge import merge_issues, unmerge_hash

    Project.objects.filter(id=project.id).update(grouping_mode=Project.GroupingMode.FINGERPRINT)
    now = time.time()
    for value, lineno, age in (("first order", 10, 60), ("newest order", 11, 0)):
        event = zero_division(lineno)
        event["exception"]["values"][0].update(value=value, type="KeyError")
        event["exception"]["values"][0]["stacktrace"]["frames"][0]["context_line"] = value
        raw(project, {**event, "timestamp": now - age})
    drain()
    older, newer = Issue.objects.order_by("first_seen")
    assert (older.title, newer.title) == ("KeyError: first order", "KeyError: newest order")
    merged = merge_issues(older.id, [newer.id])
    assert merged.title == Issue.objects.get(id=older.id).title == "KeyError: newest order"
    split = unmerge_hash(GroupHash.objects.get(issue=merged, hash=Event.objects.get(
        title="KeyError: newest order").grouping_hash))
    assert Issue.objects.get(id=older.id).title == "KeyError: first order"
    assert split.title == "KeyError: newest order"


def test_custom_fingerprint_is_honoured(project):
    raw(project, {**zero_division(), "fingerprint": ["money"]})
    raw(project, {"message": "other", "fingerprint": ["money"]})
    raw(project, zero_division())
    drain()
    assert Issue.objects.count() == 2
    assert Issue.objects.order_by("-times_seen").first().times_seen == 2


def test_a_poison_payload_does_not_block_the_batch(project):
    good = raw(project, zero_division())
    bad = raw(project, b"this is not json")
    drain()
    assert Event.objects.filter(event_id=good).exists()
    poison = RawEvent.objects.get(event_id=bad)
    assert poison.attempts == 1 and "JSONDecodeError" in poison.last_error
    assert poison.retry_at > timezone.now()  # backs off instead of spinning
    for _ in range(limits.PROCESSING_ATTEMPTS):
        RawEvent.objects.update(retry_at=None)
        process_pending(100)
    poison.refresh_from_db()
    assert poison.attempts == limits.PROCESSING_ATTEMPTS  # kept as a dead letter, no longer retried
    assert process_pending(100) == 0


def test_event_ids_and_timestamps_are_kept(project):
    event_id = raw(project, {**zero_division(), "timestamp": "2024-05-06T07:08:09Z"})
    drain()
    event = Event.objects.get(event_id=event_id)
    assert event.timestamp == dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    issue = event.issue
    assert issue.first_seen == issue.last_seen == event.timestamp


def test_every_sdk_payload_ingests_over_http_and_becomes_a_sensible_issue(project_key):
    require_corpus()
    client = Client()
    auth = {"HTTP_X_SENTRY_AUTH": f"Sentry sentry_key={project_key.public_key}, sentry_version=7"}
    pid = project_key.project_id
    for name in STORE_EVENTS:
        response = client.post(
            f"/api/{pid}/store/",
            json.dumps(store_event(name)),
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 200, (name, response.content)
    for name in ENVELOPES:
        response = client.post(
            f"/api/{pid}/envelope/",
            envelope_bytes(name),
            content_type="application/x-sentry-envelope",
            **auth,
        )
        assert response.status_code == 200, (name, response.content)
    response = client.post(
        f"/api/{pid}/envelope/",
        transaction_envelope(),
        content_type="application/x-sentry-envelope",
        **auth,
    )
    assert response.status_code == 200
    response = client.post(
        f"/api/{pid}/security/",
        json.dumps(csp_report()),
        content_type="application/csp-report",
        **auth,
    )
    assert response.status_code == 201

    accepted = len(STORE_EVENTS) + len(ENVELOPES) + 1
    assert drain() == accepted
    assert not RawEvent.objects.exists(), RawEvent.objects.values_list("last_error", flat=True)
    assert Event.objects.count() == accepted
    titles = set(Issue.objects.values_list("title", flat=True))
    assert "ZeroDivisionError: division by zero" in titles
    assert "Blocked 'style' from 'example.com'" in titles
    assert "Page not found!" in titles
    unlabeled = Issue.objects.filter(title="<unlabeled event>")
    assert unlabeled.count() <= 1  # only the deliberately empty "very small event"
    for issue in Issue.objects.all():
        assert issue.times_seen >= 1 and issue.level in {
            "debug",
            "info",
            "warning",
            "error",
            "fatal",
        }


def test_ten_thousand_frame_recursion_over_http_is_stored_bounded(project_key):
    frames = [{"function": "walk", "module": "tree", "lineno": 7, "in_app": True}] * 10_000
    body = json.dumps(
        {
            "exception": {
                "values": [
                    {
                        "type": "RecursionError",
                        "value": "maximum recursion depth exceeded",
                        "stacktrace": {"frames": frames},
                    }
                ]
            }
        }
    )
    response = Client().post(
        f"/api/{project_key.project_id}/store/",
        body,
        content_type="application/json",
        HTTP_X_SENTRY_AUTH=f"Sentry sentry_key={project_key.public_key}",
    )
    assert response.status_code == 200, response.content
    drain()
    event = Event.objects.get()
    stacktrace = event.data["exception"][0]["stacktrace"]
    assert len(stacktrace["frames"]) == 250 and stacktrace["frames_omitted"] == [50, 9800]
    assert event.data["grouping"]["variant"] == "in-app"
    assert event.issue.title == "RecursionError: maximum recursion depth exceeded"
