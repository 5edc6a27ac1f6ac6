"""A decision that offers a "likely the same — merge?" suggestion locks the suggested issue with
its own, in id order, before it writes: the suggestion's reference to that issue must not take
the issue's row lock at commit while another writer (a merge, a state change) holds it and waits
for the new fingerprint's issue, a lock cycle PostgreSQL can only break by aborting one side."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from grouping.models import MergeSuggestion
from monitor.locks import lock_issues
from monitor.models import GroupHash, Issue
from tests.helpers.events import NEAR, A, decide, event, ingest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def stock_model(settings):
    """NEAR lies within the stock model's suggestion band (tests/helpers/events.py)."""
    settings.EMBEDDING_MODEL = "stock"


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def test_a_suggestion_never_closes_a_lock_cycle_with_a_writer_of_both_issues(project,
                                                                                no_breaker):
    ingest(project, event(**A))
    decide()
    candidate = Issue.objects.get()
    ingest(project, event(**NEAR, user="2"))  # its own issue, its decision pending
    new = Issue.objects.exclude(pk=candidate.pk).get()
    assert candidate.id < new.id
    failures: list[BaseException] = []
    pid: list[int] = []

    def decider() -> None:
        try:
            connection.ensure_connection()
            pid.append(connection.connection.info.backend_pid)
            decide()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic():  # a writer of both issues, taking them in id order
        lock_issues([candidate.id])
        thread = threading.Thread(target=decider)
        thread.start()
        deadline = time.monotonic() + 60
        while not (pid and _waiting_on_a_lock(pid[0])):  # the decision waits for the candidate
            assert thread.is_alive() and time.monotonic() < deadline, failures
            time.sleep(0.05)
        time.sleep(1.5)  # past PostgreSQL's deadlock_timeout (1 s): a cycle would be found now
        lock_issues([new.id])
    thread.join(60)
    assert not thread.is_alive() and not failures
    fingerprint = GroupHash.objects.get(issue=new)
    assert fingerprint.ml_state == GroupHash.MLState.DONE
    suggestion = MergeSuggestion.objects.get()
    assert (suggestion.group_hash_id, suggestion.candidate_id) == (fingerprint.id, candidate.id)
