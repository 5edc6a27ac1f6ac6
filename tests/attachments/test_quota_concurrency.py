"""Storage quotas under concurrent requests: real threads on their own connections to the real
PostgreSQL, all released at once, never store past a quota."""

import threading
import uuid

import pytest
from django.db import connection

from attachments import accept as attachments
from attachments.models import Attachment
from feedback import accept as feedback
from feedback.models import UserFeedback
from ingest.payload import EnvelopeItem

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 16


def at_once(work) -> list:
    """Run work(n) in THREADS threads released together; their results, errors raised."""
    start = threading.Barrier(THREADS)
    results: list = [None] * THREADS
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = work(n)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def item(n: int) -> EnvelopeItem:
    return EnvelopeItem("attachment", {"filename": f"{n}.log"}, b"0123456789")


def test_the_project_attachment_quota_holds_under_concurrent_stores(project, settings):
    settings.ATTACHMENTS_MAX_PROJECT_SIZE = 50
    dropped = at_once(lambda n: attachments.store(project.id, uuid.uuid4(), [item(n)]))
    assert Attachment.objects.filter(project=project).count() == 5
    assert sum(d["attachment_over_project_limit"] for d in dropped) == THREADS - 5


def test_the_event_attachment_limit_holds_under_concurrent_stores(project, settings):
    settings.ATTACHMENTS_MAX_EVENT_SIZE = 30
    event_id = uuid.uuid4()
    dropped = at_once(lambda n: attachments.store(project.id, event_id, [item(n)]))
    assert Attachment.objects.filter(project=project, event_id=event_id).count() == 3
    assert sum(d["attachment_over_event_limit"] for d in dropped) == THREADS - 3


def test_the_project_feedback_cap_holds_under_concurrent_stores(project, settings):
    settings.FEEDBACK_MAX_PROJECT_ROWS = 4
    at_once(lambda n: feedback.store(project.id, [feedback.from_user_report(
        {"comments": f"feedback {n}"})]))
    assert UserFeedback.objects.filter(project=project).count() == 4
