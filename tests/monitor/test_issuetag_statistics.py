"""The planner knows how often each (key, value) pair of the tag counts occurs, not the key's
and the value's frequencies multiplied: a value shared by every tenant (`environment:staging`)
is then seen as the many rows it is, and the page probes the project's issues instead of reading
every tenant's rows of it (docs/benchmarks.md)."""

import json

import pytest
from django.db import connection
from django.utils import timezone

from monitor.models import Issue, IssueTag

pytestmark = pytest.mark.django_db


def estimated_rows(sql: str, params: list) -> float:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]["Plan Rows"]


def test_a_value_that_only_one_key_has_is_estimated_as_often_as_it_occurs(project):
    now = timezone.now()
    issues = Issue.objects.bulk_create(
        Issue(project=project, title=f"boom {n}", first_seen=now, last_seen=now)
        for n in range(500))
    IssueTag.objects.bulk_create(
        IssueTag(issue=issue, key=key, value=value, times_seen=1, first_seen=now, last_seen=now)
        for n, issue in enumerate(issues)
        for key, value in (("environment", "staging"), ("release", f"r-{n}"),
                           ("user", f"id:{n}"), ("server_name", f"web-{n}")))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE monitor_issuetag")

    rows = estimated_rows("SELECT 1 FROM monitor_issuetag WHERE key = %s AND value = %s",
                          ["environment", "staging"])

    assert 400 <= rows <= 600  # 500 rows; the key's share times the value's would be 125
