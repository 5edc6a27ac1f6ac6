"""Opening an issue page records the member's first view (the severity learner reads it as
"opened"); only the first matters, so the views after it write nothing."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from monitor.models import Issue
from priority import triage
from priority.models import IssueView
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


def _view_queries(queries) -> tuple[list[str], list[str]]:
    """(reads, writes) of the first-view table among a request's queries."""
    sqls = [q["sql"] for q in queries if "priority_issueview" in q["sql"]]
    reads = [sql for sql in sqls if sql.lstrip().upper().startswith("SELECT")]
    return reads, [sql for sql in sqls if sql not in reads]


@pytest.fixture
def page(cast):
    ingest(cast.project, event())
    issue = Issue.objects.get(project=cast.project)
    client = Client()
    client.force_login(cast.bob)
    return client, f"/{cast.project.organization.slug}/{cast.project.slug}/issues/{issue.id}/"


def test_the_first_view_is_written_once_and_later_views_write_nothing(
        cast, page, django_capture_on_commit_callbacks):
    client, url = page
    with CaptureQueriesContext(connection) as first, \
            django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    print(f"queries per issue page: first view {len(first)}, second view {len(second)}")

    assert IssueView.objects.filter(user=cast.bob).count() == 1
    assert _view_queries(first)[1], "the first view is written"
    assert _view_queries(second) == ([], [])  # remembered by this process: not even a read
    assert len(second) < len(first)


def test_a_view_recorded_by_another_process_costs_a_read_not_a_write(cast, page):
    client, url = page
    issue_id = int(url.rstrip("/").rsplit("/", 1)[1])
    IssueView.objects.create(issue_id=issue_id, user=cast.bob)  # another web process's record
    with CaptureQueriesContext(connection) as view:
        assert client.get(url).status_code == 200
    reads, writes = _view_queries(view)
    assert len(reads) == 1 and writes == []
    assert triage.unopened({issue_id}) == []
