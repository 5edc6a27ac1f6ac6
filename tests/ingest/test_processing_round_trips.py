"""Each round trip of a processing batch to PostgreSQL waits, under load, for a shared core
twice, and a new fingerprint's ML decision waits for the batch's commit: one event of a new
fingerprint, and a batch of events of several issues, keep to fixed budgets of round trips."""

import json
import uuid

import pytest
from django.db import connection

from ingest.accept import store_raw_event
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue
from tests.helpers.events import event
from tests.helpers.roundtrips import RoundTrips

pytestmark = pytest.mark.django_db

# begin; the fair choice of projects; the claim of their rows; the rows; their earlier claims;
# projects; erasures; event keys; fingerprints; their advisory locks; fingerprints again; the new
# issue; its fingerprint; the issue locks with the fingerprints read again under them; event
# ids; the events with their payloads; the latest release; the new issue's priority; tags; the
# issues' counters; hourly counts; alert facts; the raw rows and their claims deleted; commit.
NEW_FINGERPRINT = 24
ISSUES = 8  # events of that many fingerprints, none new: the counters of all in one round trip


def _send(project, **kwargs):
    payload = json.dumps(event(**kwargs)).encode()
    store_raw_event(project.id, uuid.uuid4(), "event", payload)


def _send_distinct(project, name: str) -> None:
    """ISSUES events, each of a fingerprint of its own (`name` and a number)."""
    for n in range(ISSUES):
        _send(project, crash_function=f"{name}{n}", exc_type=f"{name.title()}Error{n}")


def _trips_of_one_batch() -> RoundTrips:
    trips = RoundTrips()
    with connection.execute_wrapper(trips):
        assert process_pending(100) > 0
    return trips


def test_a_new_fingerprint_s_batch_keeps_to_its_round_trip_budget(project):
    _send(project, crash_function="first", exc_type="FirstError")
    process_pending(100)
    _send(project, crash_function="second", exc_type="SecondError")
    trips = _trips_of_one_batch()
    assert Event.objects.count() == 2
    assert trips.count() <= NEW_FINGERPRINT, trips.listing()


def test_a_batch_s_round_trips_do_not_grow_with_its_issues(project):
    _send_distinct(project, "f")
    process_pending(100)
    _send(project, crash_function="f0", exc_type="FError0")
    single = _trips_of_one_batch().count()
    _send_distinct(project, "f")
    several = _trips_of_one_batch()
    assert Event.objects.count() == 2 * ISSUES + 1
    assert several.count() == single, several.listing()


def test_a_batch_s_round_trips_do_not_grow_with_its_new_fingerprints(project):
    """A release's new errors arrive as a burst of new fingerprints in one batch, and each of
    their ML decisions waits for its commit: their issues, fingerprints and priorities are
    written in a fixed number of round trips, not a few per new issue."""
    _send(project, crash_function="seen", exc_type="SeenError")
    process_pending(100)
    _send(project, crash_function="new", exc_type="NewError")
    one = _trips_of_one_batch().count()
    _send_distinct(project, "burst")
    burst = _trips_of_one_batch()
    assert Event.objects.count() == 2 + ISSUES
    assert Issue.objects.filter(priority_factors=[]).count() == 0
    assert GroupHash.objects.filter(ml_state=GroupHash.MLState.PENDING).count() == 2 + ISSUES
    assert burst.count() == one, burst.listing()
