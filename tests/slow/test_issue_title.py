"""An issue's title follows its newest event, whichever way the event joined it: the real
the web server, ingest worker and ML grouping worker (docs/ui.md)."""

import json
import time
import urllib.request
import uuid

import pytest

from grouping import ml
from monitor.models import Event, GroupHash, Issue, Organization, Project
from tests.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def browser_error(run: str, timestamp: float) -> dict:
    """What @sentry/browser sends for an uncaught error of one button handler: frames without
    context lines, so the (unparameterizable) run marker in the message splits fingerprints."""
    frame = {"filename": "http://127.0.0.1:8000/static/app.js", "in_app": True}
    return {
        "event_id": uuid.uuid4().hex, "platform": "javascript", "timestamp": timestamp,
        "sdk": {"name": "sentry.javascript.browser", "version": "8.0.0"},
        "exception": {"values": [{
            "type": "Error", "value": f"Checkout failed for run {run}",
            "mechanism": {"type": "onerror", "handled": False},
            "stacktrace": {"frames": [
                {**frame, "function": "HTMLButtonElement.onclick", "lineno": 3, "colno": 10},
                {**frame, "function": "checkout", "lineno": 12, "colno": 5},
            ]},
        }]},
    }


def send(web: str, project: Project, event: dict) -> None:
    key = project.keys.get()
    request = urllib.request.Request(
        f"{web}/api/{project.id}/store/", data=json.dumps(event).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "X-Sentry-Auth": f"Sentry sentry_key={key.public_key}, sentry_version=7"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_an_error_joined_by_the_ml_worker_gives_its_issue_the_newest_title(
    web, worker, embeddings_worker, redis_client
):
    redis_client.delete(ml.BREAKER_KEY)
    org = Organization.objects.create(name="Title Co", slug="titleco")
    # the joining threshold an admin may set (tests/helpers/events.py: MECHANISM_THRESHOLD)
    project = Project.objects.create(organization=org, name="Web", slug="web",
                                     platform="javascript", grouping_threshold=0.15)
    decided = GroupHash.objects.filter(project=project, ml_state="done")
    now = time.time()
    send(web, project, browser_error("run-a1", now - 60))
    wait_for(lambda: decided.count() == 1, timeout=180, message="the first ML decision")
    send(web, project, browser_error("qz7", now))
    wait_for(lambda: decided.count() == 2, timeout=120, message="the second ML decision")

    issue = Issue.objects.get(project=project)
    assert GroupHash.objects.get(project=project, decided_by="ml").issue == issue
    assert issue.times_seen == 2
    assert issue.title == "Error: Checkout failed for run qz7"
    newest = Event.objects.filter(issue=issue).order_by("-timestamp").first()
    assert newest.title == issue.title
