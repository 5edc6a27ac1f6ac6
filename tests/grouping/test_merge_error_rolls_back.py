"""A statement of the merge's batch that fails undoes the whole decision: the
fingerprint keeps its issue, both issues keep their counters, and the next decision works."""

import pytest
from django.db import connection

from grouping import merge, ml
from monitor.models import GroupHash, Issue, IssueTag
from tests.helpers.events import B_NEXT, B, event, ingest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("where", ["move", "follow"])
def test_a_failing_statement_in_the_merge_batch_undoes_the_decision(
        project, no_breaker, monkeypatch, where):
    ingest(project, event(**B))
    ml.drain()
    ingest(project, event(**B_NEXT, user="2"))
    before = sorted(Issue.objects.values_list("id", "times_seen", "users_seen", "title"))
    tags = sorted(IssueTag.objects.values_list("issue_id", "key", "value", "times_seen"))

    def failing(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE monitor_issue SET times_seen = 1 / 0 WHERE id = -1 OR true")

    monkeypatch.setattr(merge.hourly_counts if where == "move" else merge,
                        "move" if where == "move" else "follow_newest_event", failing)
    assert ml.drain() == 1
    pending = GroupHash.objects.order_by("id").last()
    assert pending.ml_state == GroupHash.MLState.FAILED
    assert sorted(Issue.objects.values_list("id", "times_seen", "users_seen", "title")) == before
    assert sorted(IssueTag.objects.values_list("issue_id", "key", "value", "times_seen")) == tags
    assert GroupHash.objects.values("issue_id").distinct().count() == 2


def test_a_statement_failing_at_the_batch_end_undoes_the_decision(project, no_breaker,
                                                                   monkeypatch):
    import contextlib
    import types

    from monitor import roundtrips

    ingest(project, event(**B))
    ml.drain()
    ingest(project, event(**B_NEXT, user="2"))
    before = sorted(Issue.objects.values_list("id", "times_seen", "users_seen", "title"))

    @contextlib.contextmanager
    def failing_at_end():
        with roundtrips.together():
            yield
            with connection.cursor() as cursor:  # queued after the deletion, answered at exit
                cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(merge, "roundtrips", types.SimpleNamespace(together=failing_at_end))
    assert ml.drain() == 1
    assert GroupHash.objects.order_by("id").last().ml_state == GroupHash.MLState.FAILED
    assert sorted(Issue.objects.values_list("id", "times_seen", "users_seen", "title")) == before
    monkeypatch.undo()
    ingest(project, event(**B_NEXT, user="3", crash_function="again", exc_type="AgainError"))
    assert ml.drain() == 1  # the connection serves the next decision
