"""Deletion, retention and erasure reach everything derived from the data."""

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from embeddings.models import IssueEmbedding
from ingest.models import RawEvent
from monitor.models import Event, GroupHash, Issue, IssueTag, Organization, Project
from privacy import deletion
from privacy.erasure import erase_end_user
from releases import users as release_users
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


def project_with_events(slug, users=("alice@example.com", "bob@example.com")):
    org, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": slug})
    project = Project.objects.create(organization=org, name=slug, slug=slug, platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    for email in users:
        payload = event()
        payload["user"] = {
            "email": email,
            "ip_address": "10.0.0.7" if "bob" in email else "1.2.3.4",
        }
        ingest(project, {**payload, "fingerprint": ["shared"]})
    only_alice = event()
    only_alice["user"] = {"email": users[0], "id": "42"}
    ingest(project, {**only_alice, "fingerprint": ["alice-only"]})
    call_command("backfill_embeddings", verbosity=0)
    return project


def test_purging_a_project_removes_its_events_issues_vectors_and_raw_events():
    mine = project_with_events("mine")
    other = project_with_events("other")
    RawEvent.objects.create(project=mine, event_id="0" * 32, payload=b"{}",
                            received_at=timezone.now())
    counts = deletion.purge_project(mine.id)
    assert counts == {"events": 3, "raw_events": 1, "issues": 2, "artifact_files": 0,
                      "artifact_bundles": 0, "attachments": 0, "feedback": 0}
    assert not Project.objects.filter(pk=mine.pk).exists()
    assert not IssueEmbedding.objects.filter(project_id=mine.id).exists()
    assert not GroupHash.objects.filter(project_id=mine.id).exists()
    assert Event.objects.filter(project=other).count() == 3
    assert IssueEmbedding.objects.filter(project=other).count() == 2
    deletion.purge_organization(other.organization_id)
    assert not Organization.objects.filter(pk=other.organization_id).exists()


def test_retention_purges_old_events_and_issues_with_their_vectors():
    project = project_with_events("keep")
    org = project.organization
    org.retention_days = 30
    org.save()
    old = timezone.now() - dt.timedelta(days=31)
    alice_only = Issue.objects.get(project=project, times_seen=1)
    Event.objects.filter(issue=alice_only).update(received=old)
    Issue.objects.filter(pk=alice_only.pk).update(last_seen=old)
    counts = deletion.purge_expired()
    assert counts["events"] == 1 and counts["issues"] == 1
    assert not Issue.objects.filter(pk=alice_only.pk).exists()
    assert not IssueEmbedding.objects.filter(issue_id=alice_only.pk).exists()
    assert Event.objects.filter(project=project).count() == 2


def test_erasure_removes_a_users_events_and_derived_rows_and_fixes_counts():
    project = project_with_events("acme")
    elsewhere = project_with_events("elsewhere")  # same email in another organisation
    shared = Issue.objects.get(project=project, times_seen=2)
    assert shared.users_seen == 2
    release_users.collect(settle_seconds=0)  # what beat does: no event here names a release
    report = erase_end_user(project.organization_id, email="ALICE@example.com")
    assert report.as_dict() == {"events": 2, "issues_deleted": 1, "issues_recounted": 1,
                                "vectors": 2, "training_rows": 0, "raw_events": 0,
                                "attachments": 0, "feedback": 0, "release_users": 0,
                                "summaries": 0}
    shared.refresh_from_db()
    assert (shared.times_seen, shared.users_seen) == (1, 1)
    assert not IssueTag.objects.filter(issue=shared, value__contains="alice").exists()
    assert not Event.objects.filter(project=project, user__email="alice@example.com").exists()
    assert Event.objects.filter(project=elsewhere, user__email="alice@example.com").count() == 2
    by_ip = erase_end_user(project.organization_id, ip="10.0.0.7")
    assert by_ip.events == 1 and by_ip.issues_deleted == 1
    assert not Event.objects.filter(project=project).exists()


def test_erase_user_command_reports_and_refuses_an_empty_request():
    project_with_events("cmd")
    out = io.StringIO()
    call_command("erase_user", organization="cmd", user_id="42", stdout=out)
    assert json.loads(out.getvalue())["events"] == 1
    with pytest.raises(Exception, match="give an email"):
        call_command("erase_user", organization="cmd", stdout=io.StringIO())


def test_retention_goes_by_server_time_not_client_clocks():
    """A device clock in the past made fresh events' issues look expired."""
    project = project_with_events("clock")
    org = project.organization
    org.retention_days = 30
    org.save()
    long_ago = timezone.now() - dt.timedelta(days=400)
    Issue.objects.filter(project=project).update(first_seen=long_ago, last_seen=long_ago)
    Event.objects.filter(project=project).update(timestamp=long_ago)  # received stays now
    counts = deletion.purge_expired()
    assert set(counts.values()) == {0} and {"events", "raw_events", "issues"} <= set(counts)
    assert Issue.objects.filter(project=project).count() == 2


def test_erasure_reaches_raw_events_and_dead_letters():
    project = project_with_events("raw")
    pending = json.dumps({"message": "x", "user": {"email": "alice@example.com"}}).encode()
    dead = b'{"user": {"email": "Alice@Example.com"}, broken'
    other = json.dumps({"message": "y", "user": {"email": "carol@example.com"}}).encode()
    for n, payload in enumerate((pending, dead, other)):
        RawEvent.objects.create(project=project, event_id=f"{n:032x}", payload=payload,
                                received_at=timezone.now(), attempts=5 * (n == 1))
    report = erase_end_user(project.organization_id, email="alice@example.com")
    assert report.raw_events == 2
    assert [bytes(p) for p in RawEvent.objects.values_list("payload", flat=True)] == [other]


def test_retention_drops_the_tag_values_of_expired_events_from_issues_that_stay():
    """An issue that keeps newer events loses the tags (user, IP) of its expired ones: a
    `user:` search no longer finds it by an identity whose events are gone."""
    from monitor.issues import apply_search
    from monitor.search import parse

    project = project_with_events("tags")
    org = project.organization
    org.retention_days = 30
    org.save()
    shared = Issue.objects.get(project=project, times_seen=2)
    assert shared.users_seen == 2
    old = timezone.now() - dt.timedelta(days=31)
    Event.objects.filter(issue=shared, user__email="alice@example.com").update(received=old)
    found = apply_search(Issue.objects.filter(project=project), parse("user:alice@example.com"))
    assert shared in found
    counts = deletion.purge_expired()
    assert counts["events"] == 1 and counts["issues"] == 0
    shared.refresh_from_db()
    assert shared.users_seen == 1
    values = set(IssueTag.objects.filter(issue=shared).values_list("key", "value", "times_seen"))
    assert not any("alice" in value or "1.2.3.4" in value for _, value, _ in values)
    assert ("user", "email:bob@example.com", 1) in values
    found = apply_search(Issue.objects.filter(project=project), parse("user:alice@example.com"))
    assert shared not in found


def test_the_register_of_erasures_is_kept_for_the_retention_only():
    from privacy.models import ErasedIdentity

    project = project_with_events("register")
    org = project.organization
    org.retention_days = 30
    org.save()
    erase_end_user(org.id, email="alice@example.com", ip="10.0.0.7")
    assert ErasedIdentity.objects.filter(organization=org).count() == 2
    ErasedIdentity.objects.filter(organization=org, kind="ip").update(
        erased_at=timezone.now() - dt.timedelta(days=31))
    assert deletion.purge_expired()["erasures"] == 1
    assert list(ErasedIdentity.objects.values_list("kind", flat=True)) == ["email"]
    assert "alice@example.com" not in str(list(ErasedIdentity.objects.values()))


def side_rows(project, event_id, email="", tag=""):
    from attachments.models import Attachment
    from feedback.models import UserFeedback

    now = timezone.now()
    Attachment.objects.create(project=project, event_id=event_id, name=f"{tag}.log", size=3,
                              data=b"log", received_at=now)
    UserFeedback.objects.create(project=project, feedback_id=uuid.uuid4(), event_id=event_id,
                                name=tag, email=email, comments=f"{tag} wrote this",
                                source="api", received_at=now)


def test_erasure_reaches_the_users_feedback_and_attachments():
    from attachments.models import Attachment
    from feedback.models import UserFeedback

    project = project_with_events("side")
    for row in Event.objects.filter(project=project):
        side_rows(project, row.event_id, tag=row.user["email"].split("@")[0])
    raw_id = uuid.uuid4()  # an unprocessed event of alice's, with an attachment already
    RawEvent.objects.create(project=project, event_id=raw_id, received_at=timezone.now(),
                            payload=json.dumps({"user": {"id": "42"}}).encode())
    side_rows(project, raw_id, tag="pending")
    UserFeedback.objects.create(project=project, feedback_id=uuid.uuid4(), name="Alice",
                                email="Alice@Example.com", comments="about no event",
                                source="feedback", received_at=timezone.now())
    report = erase_end_user(project.organization_id, email="alice@example.com", user_id="42")
    assert (report.events, report.raw_events) == (2, 1)
    assert (report.attachments, report.feedback) == (3, 4)
    assert list(Attachment.objects.values_list("name", flat=True)) == ["bob.log"]
    assert list(UserFeedback.objects.values_list("comments", flat=True)) == ["bob wrote this"]


def test_events_of_an_erased_user_still_waiting_are_dropped_at_processing():
    """A raw event received before the erasure but inserted after its scan (a replay, a slow
    request) is dropped by the worker with its feedback; a later event of the user is kept."""
    from feedback.models import UserFeedback
    from ingest.processing import process_pending

    project = project_with_events("late")
    before = timezone.now() - dt.timedelta(minutes=5)
    erase_end_user(project.organization_id, email="alice@example.com")
    late, fresh, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for event_id, email, received in ((late, "ALICE@example.com", before),
                                      (fresh, "alice@example.com", timezone.now()),
                                      (other, "carol@example.com", before)):
        payload = {**event(), "event_id": event_id.hex, "user": {"email": email}}
        RawEvent.objects.create(project=project, event_id=event_id, received_at=received,
                                payload=json.dumps(payload).encode())
    side_rows(project, late, tag="late")
    while process_pending(100):
        pass
    assert not RawEvent.objects.exists()
    stored = set(Event.objects.filter(project=project).values_list("event_id", flat=True))
    assert late not in stored and {fresh, other} <= stored
    assert not UserFeedback.objects.filter(event_id=late).exists()


def test_erasure_by_ip_matches_every_written_form_of_the_address():
    """An IPv6 address is the same address in upper case, with leading zeros or expanded:
    stored events, raw events and events still waiting are all reached."""
    from ingest.processing import process_pending

    project = project_with_events("ipv6", users=("zed@example.com",))
    for form in ("2001:DB8::1", "2001:0db8:0:0:0:0:0:1", "2001:db8::2"):
        ingest(project, {**event(), "user": {"ip_address": form}})
    remote = {**event(), "request": {"url": "https://x.example/",
                                     "env": {"REMOTE_ADDR": "2001:db8:0::1"}}}
    ingest(project, remote)
    raw = json.dumps({"message": "x", "user": {"ip_address": "2001:DB8::0:1"}}).encode()
    RawEvent.objects.create(project=project, event_id=uuid.uuid4(), payload=raw,
                            received_at=timezone.now())
    before = timezone.now() - dt.timedelta(minutes=5)
    report = erase_end_user(project.organization_id, ip="2001:db8:0000::1")
    assert (report.events, report.raw_events) == (3, 1)
    left = Event.objects.filter(project=project).values_list("user__ip_address", flat=True)
    assert sorted(map(str, left)) == ["1.2.3.4", "2001:db8::2", "None"]
    late, other = uuid.uuid4(), uuid.uuid4()
    for event_id, ip in ((late, "2001:0DB8::1"), (other, "2001:db8::3")):
        payload = {**event(), "event_id": event_id.hex, "user": {"ip_address": ip}}
        RawEvent.objects.create(project=project, event_id=event_id, received_at=before,
                                payload=json.dumps(payload).encode())
    while process_pending(100):
        pass
    stored = set(Event.objects.filter(project=project).values_list("event_id", flat=True))
    assert late not in stored and other in stored


def test_erasure_by_email_ignores_case_on_every_path():
    from ingest.processing import process_pending

    project = project_with_events("mailcase", users=("Alice@Example.com",))
    before = timezone.now() - dt.timedelta(minutes=5)
    report = erase_end_user(project.organization_id, email="ALICE@example.COM")
    assert report.events == 2 and not Event.objects.filter(project=project).exists()
    late = uuid.uuid4()
    payload = {**event(), "event_id": late.hex, "user": {"email": "alice@EXAMPLE.com"}}
    RawEvent.objects.create(project=project, event_id=late, received_at=before,
                            payload=json.dumps(payload).encode())
    while process_pending(100):
        pass
    assert not Event.objects.filter(project=project).exists()
