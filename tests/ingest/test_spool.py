"""The local spool (ingest.spool) and its replay (ingest.replay), in process.

The outage itself (a stopped PostgreSQL, a SIGKILLed web server) is in
tests/slow/test_spool_outage.py."""

import json
import os
import threading
import time
import uuid

import pytest
from django.utils import timezone

from ingest import database, replay, spool
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.models import Event, Issue, Project, ProjectKey


@pytest.fixture(autouse=True)
def _closed_breaker():
    database.breaker.reset()
    yield
    database.breaker.reset()


@pytest.fixture
def spool_dir(tmp_path, settings):
    settings.SPOOL_DIR = tmp_path / "spool"
    settings.SPOOL_HOST = "test-host"
    yield spool.host_dir()
    for writer in spool.open_writers():
        writer.seal()


RECENTLY = time.time() - 3600  # within every organisation's retention


def record(project_id: int = 1, i: int = 0, payload: bytes | None = None) -> spool.Record:
    body = payload if payload is not None else json.dumps({"message": f"spooled {i}"}).encode()
    return spool.Record(project_id, uuid.uuid4(), "event", RECENTLY + i, body)


def test_records_round_trip_and_a_torn_tail_is_ignored():
    records = [record(7, i) for i in range(3)] + [record(8, 3, b"")]
    data = b"".join(spool.encode(r) for r in records)
    assert list(spool.decode(data)) == records
    assert list(spool.decode(data[:-5])) == records[:3]  # a crash mid-write: never acknowledged
    assert spool.count_records(data) == (4, len(data))


def test_a_corrupt_record_is_skipped_and_the_rest_read():
    records = [record(1, i) for i in range(3)]
    chunks = [bytearray(spool.encode(r)) for r in records]
    chunks[1][-1] ^= 0xFF  # flip a payload bit: the checksum no longer matches
    assert list(spool.decode(b"".join(chunks))) == [records[0], records[2]]
    chunks[1][5] ^= 0xFF  # a broken length too: the reader finds the next magic
    assert list(spool.decode(b"".join(chunks))) == [records[0], records[2]]


def test_concurrent_appends_group_their_fsyncs_and_all_land(tmp_path):
    writer = spool.Writer(tmp_path, segment_bytes=64 * 1024, max_bytes=2**30)
    written: list[spool.Record] = []
    lock = threading.Lock()

    def append(thread: int) -> None:
        for i in range(100):
            one = record(thread, i, os.urandom(300))
            writer.append([one])
            with lock:
                written.append(one)

    threads = [threading.Thread(target=append, args=(t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.seal()
    paths = spool.segments(tmp_path)
    assert len(paths) > 1  # rotated at 64 KiB
    read = [r for path in paths for r in spool.read_segment(path)]
    assert sorted(r.event_id for r in read) == sorted(r.event_id for r in written)
    assert writer.appends == 1600
    assert writer.syncs < writer.appends  # group commit: one sync covered several appends
    print(f"{writer.appends} appends, {writer.syncs} fdatasyncs")


def test_past_the_size_limit_appends_are_refused(tmp_path):
    writer = spool.Writer(tmp_path, segment_bytes=2**20, max_bytes=10_000)
    writer.append([record(payload=b"x" * 4000)])
    writer.append([record(payload=b"x" * 4000)])
    with pytest.raises(spool.SpoolFull):
        writer.append([record(payload=b"x" * 4000)])
    writer.seal()
    assert sum(len(spool.read_segment(p)) for p in spool.segments(tmp_path)) == 2


@pytest.mark.django_db
def test_replay_is_idempotent_and_skips_segments_still_being_written(project, spool_dir):
    writer = spool.writer()
    first = [record(project.id, i) for i in range(5)]
    writer.append(first[:3])
    writer.append(first[3:])
    open_segment = spool.segments(spool_dir)
    result = replay.replay(spool_dir)  # the writer still holds its segment: not replayed
    assert result.replayed == 0 and result.skipped == [open_segment[0].name]

    writer.seal()
    sealed = spool.segments(spool_dir)[0]
    again = sealed.read_bytes()
    assert replay.replay(spool_dir).replayed == 5
    assert not spool.segments(spool_dir)
    rows = RawEvent.objects.order_by("received_at")
    assert [r.event_id for r in rows] == [r.event_id for r in first]  # in order
    assert bytes(rows[0].payload) == first[0].payload

    # The same segment again (a replayer killed before it deleted the file): nothing doubles.
    sealed.write_bytes(again)
    assert replay.replay(spool_dir).replayed == 5
    assert RawEvent.objects.count() == 5


def test_a_segment_a_writer_has_created_but_not_yet_locked_is_never_replayed(project, spool_dir):
    """A writer creates its segment under a temporary name, locks it, then renames it. A
    replayer (another process) that took the temporary file for a sealed segment found it empty
    and unlocked, and deleted it: the writer's rename failed and its post got a 503."""
    spool_dir.mkdir(parents=True)
    being_created = spool_dir / f"{spool.TMP_PREFIX}{time.time_ns():020d}-1-x-000001{spool.SUFFIX}"
    being_created.touch()  # created, not yet locked
    assert spool.segments(spool_dir) == []
    replay.replay(spool_dir)
    assert being_created.exists()


@pytest.mark.django_db
def test_events_of_a_deleted_project_are_dropped_not_retried_forever(project, org, spool_dir):
    gone = Project.objects.create(organization=org, name="Gone", slug="gone")
    writer = spool.writer()
    writer.append([record(project.id, 0), record(gone.id, 1)])
    writer.seal()
    gone.delete()
    result = replay.replay(spool_dir)
    assert (result.replayed, result.dropped) == (1, 1)
    assert not spool.segments(spool_dir)


@pytest.mark.django_db
def test_events_spooled_longer_than_their_retention_are_dropped_at_replay(project, spool_dir):
    org = project.organization
    org.retention_days = 30
    org.save()
    expired = spool.Record(project.id, uuid.uuid4(), "event", time.time() - 31 * 86400,
                           json.dumps({"message": "from long ago"}).encode())
    kept = record(project.id, 0)
    writer = spool.writer()
    writer.append([expired, kept])
    writer.seal()
    result = replay.replay(spool_dir)
    assert (result.replayed, result.expired) == (1, 1)
    assert list(RawEvent.objects.values_list("event_id", flat=True)) == [kept.event_id]


@pytest.mark.django_db
def test_replay_of_already_processed_events_counts_nothing_twice(project, spool_dir):
    writer = spool.writer()
    writer.append([record(project.id, i) for i in range(4)])
    writer.seal()
    copy = spool.segments(spool_dir)[0].read_bytes()
    replay.replay(spool_dir)
    process_pending(100)
    (spool_dir / "00000000000000000001-1-000001.seg").write_bytes(copy)  # replayed again
    assert replay.replay(spool_dir).replayed == 4
    process_pending(100)
    assert Event.objects.filter(project=project).count() == 4
    assert Issue.objects.get(project=project).times_seen == 4
    assert not RawEvent.objects.exists()


@pytest.mark.django_db
def test_replay_drops_the_events_of_an_end_user_erased_while_they_were_spooled(project,
                                                                               spool_dir):
    from attachments.models import Attachment
    from privacy.erasure import erase_end_user

    def user_record(i: int, user: dict, at: float = RECENTLY) -> spool.Record:
        body = json.dumps({"message": f"spooled {i}", "user": user}).encode()
        return spool.Record(project.id, uuid.uuid4(), "event", at + i, body)

    alice = user_record(0, {"email": "Alice@Example.com"})
    by_ip = user_record(1, {"ip_address": "10.1.2.3"})
    carol = user_record(2, {"email": "carol@example.com"})
    after = user_record(3, {"email": "alice@example.com"}, at=time.time() + 3600)
    writer = spool.writer()
    writer.append([alice, by_ip, carol, after])
    writer.seal()
    Attachment.objects.create(project=project, event_id=alice.event_id, name="a.log", size=1,
                              data=b"a", received_at=timezone.now())
    erase_end_user(project.organization_id, email="alice@example.com", ip="10.1.2.3")
    result = replay.replay(spool_dir)
    assert (result.replayed, result.erased) == (2, 2)
    assert set(RawEvent.objects.values_list("event_id", flat=True)) == {carol.event_id,
                                                                        after.event_id}
    assert not Attachment.objects.exists()
    assert not spool.segments(spool_dir)


def post(client, key: ProjectKey, body: dict, **extra):
    return client.post(
        f"/api/{key.project_id}/store/",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_SENTRY_AUTH=f"Sentry sentry_key={key.public_key}",
        **extra,
    )


@pytest.mark.django_db
def test_while_the_database_is_marked_down_events_go_to_the_spool(client, project_key, spool_dir):
    assert post(client, project_key, {"message": "warm the key cache"}).status_code == 200
    database.breaker.trip()  # what a failed INSERT does: spool without asking the database
    response = post(client, project_key, {"message": "spooled"})
    assert response.status_code == 200
    event_id = uuid.UUID(response.json()["id"])
    assert not RawEvent.objects.filter(event_id=event_id).exists()
    for writer in spool.open_writers():
        writer.seal()
    [spooled] = [r for p in spool.segments(spool_dir) for r in spool.read_segment(p)]
    assert (spooled.event_id, spooled.project_id) == (event_id, project_key.project_id)
    assert json.loads(spooled.payload)["message"] == "spooled"

    response = client.get("/_health/")
    assert response.json()["status"] == "spooling"
    assert response.json()["spool"]["events"] == 1

    database.breaker.reset()
    assert replay.replay_if_reachable(spool_dir).replayed == 1
    assert RawEvent.objects.filter(event_id=event_id).exists()
    health = client.get("/_health/").json()
    assert health["status"] == "ok"
    assert health["spool"]["host"] == "test-host" and health["spool"]["directory"] == str(spool_dir)
    assert (health["spool"]["events"], health["spool"]["oldest_age_seconds"]) == (0, None)


@pytest.mark.django_db
def test_a_full_spool_answers_503_with_retry_after_in_json(
    client, project_key, spool_dir, settings
):
    settings.SPOOL_MAX_BYTES = 100
    post(client, project_key, {"message": "warm the key cache"})
    database.breaker.trip()
    response = post(client, project_key, {"message": "x" * 200})
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "60"
    assert "SPOOL_MAX_BYTES" in response.json()["detail"]


@pytest.mark.django_db
def test_an_unwritable_spool_answers_503_json(client, project_key, tmp_path, settings):
    (tmp_path / "file").write_text("not a directory")
    settings.SPOOL_DIR = tmp_path / "file"
    post(client, project_key, {"message": "warm the key cache"})
    database.breaker.trip()
    response = post(client, project_key, {"message": "nowhere to go"})
    assert response.status_code == 503 and "spool" in response.json()["detail"]


@pytest.mark.django_db
def test_an_unexpected_error_on_an_ingest_url_is_json(client, project_key, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("ingest.views.parse_json_object", broken)  # fault injection
    response = post(client, project_key, {"message": "hello"})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}


@pytest.mark.django_db
def test_the_staff_page_shows_the_spool(admin_client, project, spool_dir):
    writer = spool.writer()
    writer.append([record(project.id, i) for i in range(3)])
    page = admin_client.get("/staff/spool/").content.decode()
    assert "test-host" in page and "<td>3</td>" in page


def test_the_key_snapshot_keeps_known_keys_and_forgets_removed_ones(spool_dir):
    from ingest import keysnapshot
    from ingest.auth import KeyInfo

    info = KeyInfo("abc", 3, True, 0, 60, "*")
    keysnapshot.remember("abc", info)
    keysnapshot.remember("gone", KeyInfo("gone", 4, True, 0, 60, ""))
    keysnapshot.flush()
    assert KeyInfo(**keysnapshot.lookup("abc")) == info
    assert oct(keysnapshot.path().stat().st_mode & 0o777) == "0o600"
    keysnapshot.remember("gone", None)  # the database no longer has it
    keysnapshot.flush()
    assert keysnapshot.lookup("gone") is None and keysnapshot.lookup("abc") is not None
