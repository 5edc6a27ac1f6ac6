"""Each round trip of an ML decision to PostgreSQL waits, under ingest load, for a shared core
twice (the backend's turn, then the worker's): a lone new fingerprint's decision keeps to a
fixed budget of round trips (bench/ml_latency.py measures the time)."""

import pytest
from django.db import connection

from grouping import ml
from monitor.models import GroupHash
from tests.helpers.events import B_NEXT, B, event, ingest
from tests.helpers.roundtrips import RoundTrips

pytestmark = pytest.mark.django_db

# Claim; fingerprint rows with their projects and adaptations; the first events with their
# payloads; the served and shadow models with the served one's manifest; kept-apart pairs. The
# decision's transaction: begin; the HNSW settings with the lookup; the issue and fingerprint
# locks with the fingerprint read again; the vector, the fingerprint and the decision record;
# commit. The new issue's severity in its own transaction (head, begin, the issue locked and
# read, the latest release, the update, commit); the claim's release. Inside the test's
# transaction a transaction's begin and commit are a savepoint and its release, as nested ones
# are in production (where the outermost begin rides with the first batch instead).
ROUND_TRIPS = 17


def test_a_lone_new_fingerprint_is_decided_within_its_round_trip_budget(project, no_breaker):
    ingest(project, event(crash_function="first", exc_type="FirstError"))
    ml.drain()  # the model loaded, one vector stored: the next decision has a neighbour to read
    ingest(project, event(crash_function="second", exc_type="SecondError"))
    trips = RoundTrips()
    with connection.execute_wrapper(trips):
        assert ml.drain() == 1
    assert GroupHash.objects.filter(ml_state=GroupHash.MLState.DONE).count() == 2
    assert trips.count() <= ROUND_TRIPS, trips.listing()


# What each further new fingerprint of a batch adds: its decision's transaction (begin; the HNSW
# settings with the lookup; the locks; the fingerprint read again; the writes; commit) and its
# issue's severity update. The project's policy and the severity's head, locks, latest release
# and transaction are read and taken once a batch (13 a fingerprint before: the policy's read
# and the whole severity transaction each time).
PER_FURTHER_FINGERPRINT = 7


def test_a_burst_s_round_trips_grow_only_by_each_decision(project, no_breaker):
    ingest(project, event(crash_function="first", exc_type="FirstError"))
    ml.drain()
    ingest(project, event(crash_function="lone", exc_type="LoneError"))
    lone = RoundTrips()
    with connection.execute_wrapper(lone):
        assert ml.drain() == 1
    for n in range(4):
        ingest(project, event(crash_function=f"burst{n}", exc_type=f"Burst{n}Error"))
    burst = RoundTrips()
    with connection.execute_wrapper(burst):
        assert ml.drain() == 4
    assert GroupHash.objects.filter(ml_state=GroupHash.MLState.DONE).count() == 6
    assert burst.count() <= lone.count() + 3 * PER_FURTHER_FINGERPRINT, burst.listing()


# A fingerprint that joins an issue: as a lone one's up to the locks (its project has no
# kept-apart pairs: no constraint is read), then the merge: the issues read, its writes and the
# emptied issue's deletion in one batch (which reads what refers to the issue three times in its
# middle: counted here with the batch), the target's title read back; the fingerprint and the
# decision record; commit; the served model's join noted beside the shadow decisions. No
# severity: the issue it joins keeps its own (49 round trips when the merge went statement by
# statement).
JOINED_ROUND_TRIPS = 15


def test_a_joining_fingerprint_s_merge_goes_in_few_round_trips(project, no_breaker):
    ingest(project, event(**B))
    ml.drain()
    ingest(project, event(**B_NEXT))
    trips = RoundTrips()
    with connection.execute_wrapper(trips):
        assert ml.drain() == 1
    joined = GroupHash.objects.get(decided_by=GroupHash.DecidedBy.ML)
    assert GroupHash.objects.filter(issue_id=joined.issue_id).count() == 2
    assert trips.count() <= JOINED_ROUND_TRIPS, trips.listing()
