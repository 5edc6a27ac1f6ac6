"""A new fingerprint's ML decision can only start once its first event is committed. A
processing batch that holds a new ML fingerprint among events of known ones commits the new
fingerprint's events first, in a transaction of their own, and the rest after: the new issue is
visible (and the embeddings worker woken) while the rest of the batch still waits for a busy
issue's lock. A failure of the second part keeps the first and sends the others one by one; no
event is lost or stored twice, and a batch makes at most two transactions."""

import json
import logging
import uuid

import pytest
from django.db import DatabaseError, transaction

from ingest import processing
from ingest.accept import store_raw_event
from ingest.models import RawClaim, RawEvent
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue
from tests.conftest import wait_for
from tests.helpers.events import event
from tests.ingest.test_erased_issue_during_batch import in_thread, waiting_backends

pytestmark = pytest.mark.django_db(transaction=True)


def _send(project, name: str, n: int = 1) -> None:
    for _ in range(n):
        body = json.dumps(event(crash_function=name, exc_type=f"{name.title()}Error")).encode()
        store_raw_event(project.id, uuid.uuid4(), "event", body)


def _known_issue(project) -> Issue:
    """An issue of fingerprint `seen`, processed; then a batch of two events of it and one of
    a new fingerprint waits."""
    _send(project, "seen")
    assert process_pending(100) == 1
    _send(project, "seen", 2)
    _send(project, "fresh")
    return Issue.objects.get(project=project)


def _fresh_hash(project) -> GroupHash | None:
    return GroupHash.objects.filter(project=project, issue__title__startswith="FreshError").first()


def _saves(monkeypatch, fail_at: int | None = None) -> list[list[int]]:
    """The raw ids each `save` call stored (the real save runs); the call numbered `fail_at`
    raises a database error instead, as a failed statement would."""
    calls: list[list[int]] = []
    real = processing.save

    def save(prepared, projects, *args, **kwargs):
        calls.append(sorted(p.raw_id for p in prepared))
        if len(calls) == fail_at:
            raise DatabaseError("injected failure of this part")
        return real(prepared, projects, *args, **kwargs)

    monkeypatch.setattr(processing, "save", save)
    return calls


def test_a_new_fingerprint_is_committed_while_the_rest_of_its_batch_waits(project):
    seen = _known_issue(project)
    waiting = list(RawEvent.objects.values_list("id", flat=True))
    errors: list[BaseException] = []
    with transaction.atomic():
        Issue.objects.select_for_update().get(pk=seen.pk)  # busy: the batch's rest must wait
        batch = in_thread(lambda: process_pending(100), errors)
        wait_for(lambda: waiting_backends() == 1, message="the batch waiting for seen's lock")
        fresh = _fresh_hash(project)  # read committed: visible before the batch ends
        assert fresh is not None and fresh.ml_state == GroupHash.MLState.PENDING
        assert Event.objects.filter(issue_id=fresh.issue_id).count() == 1
        assert RawEvent.objects.count() == 2  # the rest, still claimed by the waiting batch
    batch.join(60)
    assert not errors, errors
    assert not RawEvent.objects.exists()
    assert not RawClaim.objects.filter(raw_event_id__in=waiting).exists()
    seen.refresh_from_db()
    assert seen.times_seen == 3
    assert Event.objects.filter(project=project).count() == 4


def test_a_failed_second_part_keeps_the_first_and_goes_one_by_one(project, monkeypatch, caplog):
    _known_issue(project)
    waiting = list(RawEvent.objects.values_list("id", flat=True))
    fresh_raw = max(waiting)
    calls = _saves(monkeypatch, fail_at=2)
    with caplog.at_level(logging.WARNING, logger="ingest.processing"):
        while process_pending(100):
            pass
    assert calls[0] == [fresh_raw]  # the new fingerprint first, on its own
    assert len(calls[1]) == 2  # the rest: failed, then one per transaction
    assert calls[2:] == [[n] for n in calls[1]]
    assert any("retrying one by one" in r.getMessage() for r in caplog.records)
    assert not RawEvent.objects.exists()
    assert not RawClaim.objects.filter(raw_event_id__in=waiting).exists()
    assert Event.objects.filter(project=project).count() == 4  # none lost, none twice
    assert Event.objects.values("event_id").distinct().count() == 4
    assert GroupHash.objects.filter(project=project).count() == 2
    assert Issue.objects.get(pk=_fresh_hash(project).issue_id).times_seen == 1


def test_a_failed_first_part_rolls_the_whole_batch_back(project, monkeypatch):
    _known_issue(project)
    calls = _saves(monkeypatch, fail_at=1)
    while process_pending(100):
        pass
    assert len(calls[0]) == 1 and all(len(c) == 1 for c in calls[1:])
    assert sorted(n for c in calls[1:] for n in c) == sorted({n for c in calls for n in c})
    assert not RawEvent.objects.exists()
    assert Event.objects.filter(project=project).count() == 4
    assert Event.objects.values("event_id").distinct().count() == 4


def test_a_batch_makes_at_most_two_transactions(project, monkeypatch):
    """A flood of unique fingerprints stays one transaction a batch; known and new mixed, two."""
    calls = _saves(monkeypatch)
    for n in range(5):
        _send(project, f"flood{n}")
    assert process_pending(100) == 5
    assert [len(c) for c in calls] == [5]
    for n in range(3):
        _send(project, f"flood{n}")
    for n in range(3):
        _send(project, f"other{n}")
    calls.clear()
    assert process_pending(100) == 6
    assert [len(c) for c in calls] == [3, 3]
    assert Event.objects.filter(project=project).count() == 11


def test_known_fingerprints_alone_stay_one_transaction(project, monkeypatch):
    _send(project, "seen")
    process_pending(100)
    calls = _saves(monkeypatch)
    _send(project, "seen", 3)
    assert process_pending(100) == 3
    assert [len(c) for c in calls] == [3]
