"""Event storage: time partitions with a default catch-all, compressed payloads out of the event
table (a table, or an S3 bucket served by moto's real HTTP server), retention by dropping whole
partitions while longer retentions keep their rows, and the upgrade copy from the old table."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from faultline.localservices import free_port
from grouping.models import LabelledPair
from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor import eventstore, objectstore, partitions
from monitor.models import Event, Issue, Organization, Project
from privacy.deletion import purge_expired

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.timedelta(days=1)


def _issue(project, title="boom") -> Issue:
    now = timezone.now()
    return Issue.objects.create(project=project, title=title, first_seen=now, last_seen=now)


def _row(project, issue, received: dt.datetime, **extra) -> dict:
    data = {"message": "boom", "level": "error", "extra": {"n": 1},
            "request": {"env": {"REMOTE_ADDR": "10.1.2.3"}}}
    return {"project_id": project.id, "issue_id": issue.id, "event_id": uuid.uuid4(),
            "timestamp": received, "received": received, "grouping_hash": "h" * 32,
            "title": "boom", "data": data} | extra


def _partition_of(event_pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM monitor_event WHERE id = %s",
                       [event_pk])
        return cursor.fetchone()[0]


def _payload_rows(event_pk: int) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM monitor_eventpayload WHERE event_id = %s", [event_pk])
        return [bytes(row[0]) for row in cursor.fetchall()]


def _ingest(project, body: dict) -> Event:
    event_id = uuid.uuid4()
    store_raw_event(project.id, event_id, "event", json.dumps(body).encode())
    while process_pending(100):
        pass
    return Event.objects.get(event_id=event_id)


def test_the_event_table_holds_no_payload_and_the_payload_is_zstd(project):
    event = _ingest(project, {"message": "hello", "extra": {"k": "v" * 300},
                              "request": {"url": "http://x/", "env": {"REMOTE_ADDR": "1.2.3.4"}}})
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns "
                       "WHERE table_name = 'monitor_event'")
        columns = {row[0] for row in cursor.fetchall()}
    assert "data" not in columns
    (body,) = _payload_rows(event.pk)
    assert body[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
    assert len(body) < len(json.dumps(eventstore.decode(body)))
    fresh = Event.objects.get(pk=event.pk)
    assert fresh.data["extra"]["k"] == "v" * 300
    assert fresh.remote_addr == "1.2.3.4"
    assert _partition_of(event.pk) == partitions.span_of(event.received).table("monitor_event")


@pytest.mark.parametrize("received", [dt.datetime(1990, 5, 1, tzinfo=dt.UTC),
                                      dt.datetime(2300, 1, 1, tzinfo=dt.UTC)])
def test_an_event_received_where_no_partition_is_kept_and_moves_when_one_is_made(project,
                                                                                 received):
    """A clock far off (or a replay from long ago) has no partition: the default one keeps the
    event, through the real pipeline; creating its span later moves it, key and payload."""
    event_id = uuid.uuid4()
    store_raw_event(project.id, event_id, "event", json.dumps({"message": "skewed"}).encode())
    RawEvent.objects.update(received_at=received)
    while process_pending(100):
        pass
    event = Event.objects.get(event_id=event_id)
    assert event.received == received
    assert _partition_of(event.pk) == "monitor_event_default"
    assert Event.objects.get(pk=event.pk).data["message"] == "skewed"

    span = partitions.span_of(received)
    assert partitions.create(span)
    assert _partition_of(event.pk) == span.table("monitor_event")
    assert Event.objects.get(pk=event.pk).data["message"] == "skewed"
    assert len(_payload_rows(event.pk)) == 1
    issue = event.issue
    with pytest.raises(IntegrityError), transaction.atomic():  # the key moved along
        eventstore.bulk_insert([_row(project, issue, received, event_id=event_id)])


def test_a_changed_received_time_moves_the_payload_and_the_key_along(project):
    """Tests and benches age events by updating `received`: the row changes partition (a
    delete and an insert to the triggers) and must keep its payload and its key."""
    issue = _issue(project)
    now = timezone.now()
    row = _row(project, issue, now)
    (pk,) = eventstore.bulk_insert([row])
    for when in (now - 500 * DAY, now - 3 * DAY, now):
        Event.objects.filter(pk=pk).update(received=when)
        assert Event.objects.get(pk=pk).data["extra"] == {"n": 1}
        assert len(_payload_rows(pk)) == 1
        with pytest.raises(IntegrityError), transaction.atomic():
            eventstore.bulk_insert([row | {"received": now + DAY}])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitor_eventpayloadorphan")
        assert cursor.fetchone()[0] == 0


def test_an_event_id_is_unique_per_project_across_partitions(project):
    issue = _issue(project)
    now = timezone.now()
    row = _row(project, issue, now)
    eventstore.bulk_insert([row])
    with pytest.raises(IntegrityError), transaction.atomic():
        eventstore.bulk_insert([row | {"received": now - 400 * DAY}])
    other = Project.objects.create(organization=project.organization, name="b", slug="b")
    eventstore.bulk_insert([row | {"project_id": other.id, "issue_id": _issue(other).id}])
    assert Event.objects.filter(event_id=row["event_id"]).count() == 2


def test_ensure_makes_the_spans_ahead_once(db, settings):
    now = timezone.now()
    made = partitions.ensure(now + 300 * DAY, ahead=2)
    length = settings.FAULTLINE_EVENT_PARTITION_DAYS * DAY
    assert [s.start for s in made] == [partitions.span_of(now + 300 * DAY).start + n * length
                                       for n in range(3)]
    assert partitions.ensure(now + 300 * DAY, ahead=2) == []
    for span in made:
        assert span in partitions.existing("monitor_event")
        assert span in partitions.existing("monitor_eventpayload")


def test_retention_drops_whole_partitions_and_longer_retentions_keep_their_rows(project):
    """Two organisations, 10 and 30 days: a span older than 30 days goes whole (events,
    payloads, keys, labelled pairs); between, the short one loses its rows, the long one keeps
    them; nothing newer goes."""
    now = timezone.now()
    short = project
    Organization.objects.filter(pk=short.organization_id).update(retention_days=10)
    long_org = Organization.objects.create(name="Long", slug="long", retention_days=30)
    long = Project.objects.create(organization=long_org, name="l", slug="l")
    old_at, mid_at, new_at = now - 45 * DAY, now - 20 * DAY, now - DAY
    for at in (old_at, mid_at):
        partitions.create(partitions.span_of(at))
    old_span = partitions.span_of(old_at)
    ids = {}
    for name, proj in (("short", short), ("long", long)):
        issue = _issue(proj)
        for label, at in (("old", old_at), ("mid", mid_at), ("new", new_at)):
            (ids[name, label],) = eventstore.bulk_insert([_row(proj, issue, at)])
    old_event = Event.objects.get(pk=ids["long", "old"])
    LabelledPair.objects.create(event_a_id=ids["long", "old"], event_b_id=ids["long", "new"],
                                same_issue=True)

    totals = purge_expired(now)

    assert old_span not in partitions.existing("monitor_event")
    assert old_span not in partitions.existing("monitor_eventpayload")
    left = set(Event.objects.values_list("pk", flat=True))
    assert left == {ids["short", "new"], ids["long", "mid"], ids["long", "new"]}
    assert totals["events"] == 3
    assert not LabelledPair.objects.exists()
    assert not _payload_rows(ids["long", "old"]) and not _payload_rows(ids["short", "mid"])
    assert Event.objects.get(pk=ids["long", "mid"]).data["extra"] == {"n": 1}
    # The keys of dropped events went too: the same event id may be stored again.
    eventstore.bulk_insert([_row(long, Issue.objects.filter(project=long).get(), now,
                                 event_id=old_event.event_id)])


def test_a_retention_run_stopped_after_detaching_finishes_on_the_next(project):
    now = timezone.now()
    Organization.objects.filter(pk=project.organization_id).update(retention_days=10)
    at = now - 60 * DAY
    span = partitions.span_of(at)
    partitions.create(span)
    issue = _issue(project)
    row = _row(project, issue, at)
    (pk,) = eventstore.bulk_insert([row])
    assert partitions.detach(span)  # as a run that stopped here would leave it
    assert partitions.detached() == [(span.table("monitor_event"), span)]
    purge_expired(now)
    assert partitions.detached() == []
    assert not Event.objects.filter(pk=pk).exists()
    assert not Issue.objects.filter(pk=issue.pk).exists()  # left without events
    eventstore.bulk_insert([row | {"received": now, "issue_id": _issue(project).id}])  # key gone


def test_an_upgrade_copies_the_old_table_in_batches(project):
    """The unpartitioned table of an older installation, renamed by the migration, is moved
    over in batches, payloads compressed, ids and event ids kept (an event whose issue was
    deleted meanwhile goes); then it is dropped."""
    issue = _issue(project)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE monitor_event_legacy (id bigint PRIMARY KEY, project_id bigint, "
            "issue_id bigint, event_id uuid, timestamp timestamptz, received timestamptz, "
            "grouping_hash varchar(32), level varchar(16), platform varchar(64), "
            "title varchar(255), release varchar(200), environment varchar(64), "
            "\"user\" jsonb, tags jsonb, data jsonb)")
        rows = [(900_000 + n, project.id, issue.id, str(uuid.uuid4()), timezone.now(),
                 timezone.now() - n * DAY, "h" * 32, "error", "python", f"t{n}", "", "",
                 "{}", "[]", json.dumps({"n": n, "request": {"env": {"REMOTE_ADDR": "9.9.9.9"}}}))
                for n in range(7)]
        rows.append((900_100, project.id, issue.id + 1000, str(uuid.uuid4()), timezone.now(),
                     timezone.now(), "h" * 32, "error", "python", "gone", "", "", "{}", "[]",
                     "{}"))  # its issue was deleted after the upgrade
        cursor.executemany("INSERT INTO monitor_event_legacy VALUES "
                           "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", rows)
    from django.core.management import call_command

    call_command("copy_legacy_events", batch=3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('monitor_event_legacy')")
        assert cursor.fetchone()[0] is None
    copied = {e.pk: e for e in Event.objects.filter(pk__gte=900_000)}
    assert sorted(copied) == [900_000 + n for n in range(7)]
    assert [copied[900_000 + n].data["n"] for n in range(7)] == list(range(7))
    assert {e.remote_addr for e in copied.values()} == {"9.9.9.9"}


@pytest.fixture
def bucket(settings, monkeypatch):
    """An S3 endpoint over real HTTP on loopback (moto's server: no MinIO server installs
    here), and the payload store pointed at it."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    settings.FAULTLINE_PAYLOAD_STORE = "s3"
    settings.FAULTLINE_PAYLOAD_S3_BUCKET = f"faultline-{uuid.uuid4().hex[:12]}"  # moto is global
    settings.FAULTLINE_PAYLOAD_S3_ENDPOINT = f"http://127.0.0.1:{port}"
    settings.FAULTLINE_PAYLOAD_S3_REGION = "us-east-1"
    objectstore.reset()
    objectstore._client().create_bucket(Bucket=settings.FAULTLINE_PAYLOAD_S3_BUCKET)
    yield objectstore._client()
    objectstore.reset()
    server.stop()


def _keys(client) -> list[str]:
    listed = client.list_objects_v2(Bucket=objectstore._bucket())
    return [item["Key"] for item in listed.get("Contents", ())]


def test_payloads_in_an_object_store_are_written_read_and_deleted(project, bucket):
    event = _ingest(project, {"message": "to s3", "extra": {"big": "x" * 2000}})
    assert not _payload_rows(event.pk)
    (key,) = _keys(bucket)
    assert key == objectstore.key_for(event.pk, event.received)
    assert Event.objects.get(pk=event.pk).data["extra"]["big"] == "x" * 2000
    page = eventstore.attach_payloads(list(Event.objects.filter(pk=event.pk)))
    assert page[0].data["message"] == "to s3"
    Event.objects.filter(pk=event.pk).delete()  # row by row (an erasure, an issue's deletion)
    assert eventstore.sweep_orphans() == 1
    assert _keys(bucket) == []


def test_a_failed_object_write_loses_no_event(project, bucket, settings):
    """The store unreachable: the batch rolls back, the raw event stays to be retried, and it
    is stored once the store is back."""
    good = settings.FAULTLINE_PAYLOAD_S3_ENDPOINT
    settings.FAULTLINE_PAYLOAD_S3_ENDPOINT = f"http://127.0.0.1:{free_port()}"  # nothing there
    objectstore.reset()
    event_id = uuid.uuid4()
    store_raw_event(project.id, event_id, "event", json.dumps({"message": "later"}).encode())
    process_pending(100)
    raw = RawEvent.objects.get(event_id=event_id)
    assert raw.attempts == 1 and "payload store" in raw.last_error
    assert not Event.objects.exists()

    settings.FAULTLINE_PAYLOAD_S3_ENDPOINT = good
    objectstore.reset()
    RawEvent.objects.update(retry_at=None)
    while process_pending(100):
        pass
    assert Event.objects.get(event_id=event_id).data["message"] == "later"
    assert not RawEvent.objects.exists()


def test_retention_deletes_the_objects_of_a_dropped_partition(project, bucket):
    now = timezone.now()
    Organization.objects.filter(pk=project.organization_id).update(retention_days=10)
    at = now - 50 * DAY
    partitions.create(partitions.span_of(at))
    issue = _issue(project)
    with transaction.atomic():
        old, new = eventstore.bulk_insert([_row(project, issue, at), _row(project, issue, now)])
    assert len(_keys(bucket)) == 2
    purge_expired(now)
    assert _keys(bucket) == [objectstore.key_for(new, now)]


def test_retention_and_partition_upkeep_during_ingest_and_ml_grouping_lose_nothing(project):
    """Three workers process 1,200 events (new fingerprints, so ML decides) while a fourth
    keeps storing old events into the issues being written, creating and dropping partitions
    and deleting expired rows, and draining ML decisions: no deadlock, no error, every fresh
    event stored once, every expired one gone."""
    from grouping import ml
    from monitor.models import GroupHash
    from tests.helpers.processing import zero_division
    from tests.helpers.races import race_processing

    Organization.objects.filter(pk=project.organization_id).update(retention_days=30)
    now = timezone.now()
    rounds = []

    def body(i: int) -> bytes:
        return json.dumps(zero_division(lineno=i % 40, user={"id": str(i % 9)})).encode()

    def upkeep():
        n = len(rounds)
        rounds.append(n)
        issue = Issue.objects.filter(project=project).order_by("?").first()
        dropped_at = now - (60 + 7 * n) * DAY  # a span of its own, dropped whole
        partitions.create(partitions.span_of(dropped_at))
        with transaction.atomic():
            eventstore.bulk_insert([_row(project, issue, dropped_at),
                                    _row(project, issue, now - 40 * DAY)])  # row delete
        purge_expired(now)
        partitions.ensure()
        ml.drain(wait_ms=0)

    _ingest(project, zero_division(lineno=999))  # the model loaded, the caches warm
    ml.drain(wait_ms=0)
    purge_expired(now)
    errors = race_processing(project, body, upkeep, queued=1200, timeout=600)
    assert not errors, errors
    assert len(rounds) >= 3
    purge_expired(now)  # a span whose lock timed out goes on the next run
    while ml.drain(wait_ms=0):
        pass
    assert not RawEvent.objects.exists()
    assert Event.objects.count() == 1 + 12 + 1200
    assert not Event.objects.filter(received__lt=now - 30 * DAY).exists()
    assert partitions.detached() == []
    assert not GroupHash.objects.filter(ml_state=GroupHash.MLState.PENDING).exists()
    assert sum(Issue.objects.values_list("times_seen", flat=True)) == 1 + 12 + 1200


def test_the_beat_task_recreates_the_spans_ahead(settings):
    from faultline.celery import app
    from monitor.tasks import ensure_partitions

    entry = settings.CELERY_BEAT_SCHEDULE["create-event-partitions"]
    assert app.tasks[entry["task"]].name == ensure_partitions.name
    length = settings.FAULTLINE_EVENT_PARTITION_DAYS * DAY
    ahead = partitions.span_of(timezone.now() + length * settings.FAULTLINE_EVENT_PARTITIONS_AHEAD)
    partitions.ensure()
    assert partitions.detach(ahead)
    partitions.drop_detached(ahead.table("monitor_event"))
    assert ahead not in partitions.existing()
    assert ensure_partitions() == 1
    assert ahead in partitions.existing() and ahead in partitions.existing("monitor_eventpayload")
