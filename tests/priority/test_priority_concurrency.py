"""Hourly counts stay exact under concurrent batches, merges and unmerges (the pattern of
tests/ingest/test_concurrency.py: real processing in threads against the real database)."""

import json

import pytest
from django.db import connection, transaction

from ingest.models import RawEvent
from monitor.models import Event, GroupHash, Issue, IssueHourlyCount
from tests.helpers.races import race_processing

pytestmark = pytest.mark.django_db(transaction=True)

BY_HOUR_SQL = """
SELECT issue_id, LEAST(date_trunc('hour', received), date_trunc('hour', now())), COUNT(*)
FROM monitor_event GROUP BY 1, 2
"""


def body(i: int) -> bytes:
    event = {"message": f"m{i % 6}", "fingerprint": [f"f{i % 6}"], "user": {"id": str(i % 5)}}
    return json.dumps(event).encode()


def test_hourly_counts_stay_exact_under_batches_merges_and_unmerges(project):
    from grouping.merge import MergeRefused, NothingToUnmerge, merge_by_user, unmerge_hash

    turn = iter(range(10**9))

    def merge_or_unmerge():
        ids = sorted(Issue.objects.filter(project=project).values_list("id", flat=True))
        try:
            with transaction.atomic():
                if next(turn) % 2 == 0 and len(ids) >= 2:
                    merge_by_user(ids[0], [ids[-1]])
                else:
                    shared = GroupHash.objects.filter(issue_id__in=ids).order_by("-id").first()
                    if shared and shared.issue.hashes.count() > 1:
                        unmerge_hash(shared)
        except (MergeRefused, NothingToUnmerge):
            pass

    errors = race_processing(project, body, merge_or_unmerge)
    assert not errors, errors
    assert not RawEvent.objects.exists()
    assert Event.objects.count() == 612
    with connection.cursor() as cursor:
        cursor.execute(BY_HOUR_SQL)
        expected = {(issue, hour): n for issue, hour, n in cursor.fetchall()}
    counted = {(c.issue_id, c.hour): c.count for c in IssueHourlyCount.objects.all()}
    assert counted == expected
    for issue in Issue.objects.all():
        assert sum(n for (i, _), n in counted.items() if i == issue.id) == issue.times_seen
