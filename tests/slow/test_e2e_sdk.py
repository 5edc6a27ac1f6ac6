"""End to end: the official sentry-sdk → the web server → PostgreSQL → Celery worker → issues."""

import pytest
import sentry_sdk

from monitor.models import Event, Issue, Organization, Project, ProjectKey
from tests.conftest import wait_for
from tests.helpers import buggy_app
from tests.helpers.sdk import capture

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sdk_client(web):
    org = Organization.objects.create(name="E2E", slug="e2e")
    project = Project.objects.create(organization=org, name="Shop", slug="shop", platform="python")
    key = ProjectKey.objects.create(project=project)
    dsn = f"http://{key.public_key}@{web.split('://', 1)[1]}/{project.id}"
    client = sentry_sdk.Client(
        dsn=dsn,
        default_integrations=False,
        auto_enabling_integrations=False,
        release="shop@1.0.0",
        environment="test",
    )
    yield project, client
    client.close()


def test_sdk_events_become_grouped_issues(sdk_client, worker):
    project, client = sdk_client
    for i in range(20):  # the same bug many times, by three users
        capture(client, buggy_app.checkout, buggy_app.Cart([]), user={"id": f"u{i % 3}"})
    capture(client, buggy_app.plan_of, "grace")
    capture(client, buggy_app.plan_of, "linus")
    capture(client, buggy_app.load_config, "/nonexistent/faultline.toml")
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        scope.capture_message("Disk usage above 90% on db-1", level="warning")
    client.flush(timeout=30)

    wait_for(
        lambda: Event.objects.filter(project=project).count() == 24,
        timeout=90,
        message="24 events processed by the worker",
    )
    issues = {issue.title: issue for issue in Issue.objects.filter(project=project)}
    assert set(issues) == {
        "ZeroDivisionError: division by zero",
        "KeyError: 'linus'",  # the title follows the newest event
        "RuntimeError: configuration /nonexistent/faultline.toml is missing",
        "Disk usage above 90% on db-1",
    }, set(issues)
    zero = issues["ZeroDivisionError: division by zero"]
    assert zero.times_seen == 20 and zero.users_seen == 3
    assert zero.culprit == "tests.helpers.buggy_app in average_price"
    assert zero.platform == "python" and zero.level == "error"
    assert issues["KeyError: 'linus'"].times_seen == 2  # parameter differs, same code path
    chained = Event.objects.get(
        issue=issues["RuntimeError: configuration /nonexistent/faultline.toml is missing"]
    )
    assert [e["type"] for e in chained.data["exception"]] == ["FileNotFoundError", "RuntimeError"]
    assert chained.release == "shop@1.0.0" and chained.environment == "test"
    message = issues["Disk usage above 90% on db-1"]
    assert message.level == "warning" and message.type == "default"
    frames = Event.objects.filter(issue=zero).first().data["exception"][0]["stacktrace"]["frames"]
    assert frames[-1]["function"] == "average_price" and frames[-1]["in_app"] is True


def test_a_bug_reached_through_another_call_path_joins_its_issue(
    sdk_client, worker, embeddings_worker
):
    """Fingerprints differ (other caller frames); the embeddings worker folds them together."""
    from monitor.models import GroupHash

    project, client = sdk_client
    capture(client, buggy_app.checkout, buggy_app.Cart([]))
    client.flush(timeout=30)
    decided = GroupHash.objects.filter(project=project, ml_state="done")
    wait_for(lambda: decided.count() == 1, timeout=180, message="the first ML decision")
    capture(client, buggy_app.nightly_summary, buggy_app.Cart([]))
    client.flush(timeout=30)
    wait_for(lambda: decided.count() == 2, timeout=120, message="the second ML decision")
    issue = Issue.objects.get(project=project)
    assert issue.times_seen == 2
    joined = GroupHash.objects.get(project=project, decided_by="ml")
    assert joined.issue == issue and joined.ml_distance is not None


def test_the_web_server_serves_admin_through_the_full_middleware_stack(web):
    """Ingest paths skip middleware (faultline.wsgi); everything else keeps sessions and CSRF."""
    import urllib.request

    with urllib.request.urlopen(f"{web}/admin/login/", timeout=10) as response:
        assert response.status == 200
        assert "csrftoken" in response.headers.get("Set-Cookie", "")
    request = urllib.request.Request(f"{web}/api/1/store/", data=b"{}", method="POST")
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 401
        assert error.headers["Content-Length"] == str(len(error.read()))
        assert "Set-Cookie" not in error.headers
    else:
        raise AssertionError("an unauthenticated store request was accepted")
