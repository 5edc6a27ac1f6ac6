"""Each statement of an ML decision is a round trip to PostgreSQL, and under ingest load each
one waits for a shared core: a lone new fingerprint's decision keeps to a fixed budget of
statements (bench/ml_latency.py measures the time)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grouping import ml
from monitor.models import GroupHash
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db

# Claim, fingerprint rows, first event, its payload, the served policy (model, manifest, kept-apart
# pairs, the project's adaptation); the decision's transaction (begin, one SET for the kNN, the
# lookup, locks on issues and fingerprints, the fingerprint read again, vector upsert,
# fingerprint update, decision record upsert, commit); the new issue's severity in its own
# transaction (head, begin, lock, issue, release, issue, update, commit); the claim's release.
# Inside the test's transaction a transaction's begin and commit are a savepoint and its release,
# and a nested one's are too, as in production: every statement captured is a round trip.
STATEMENTS = 28


def test_a_lone_new_fingerprint_is_decided_within_its_statement_budget(project, no_breaker):
    ingest(project, event(crash_function="first", exc_type="FirstError"))
    ml.drain()  # the model loaded, one vector stored: the next decision has a neighbour to read
    ingest(project, event(crash_function="second", exc_type="SecondError"))
    with CaptureQueriesContext(connection) as captured:
        assert ml.drain() == 1
    assert GroupHash.objects.filter(ml_state=GroupHash.MLState.DONE).count() == 2
    sent = [q["sql"] for q in captured.captured_queries]
    assert len(sent) <= STATEMENTS, "\n".join(s[:120] for s in sent)
