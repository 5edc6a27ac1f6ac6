"""Releases: per-release new and regressed issues, events and users (page, API), the users'
collection by beat, and erasure reaching it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from alerts.evaluate import evaluate_pending
from monitor.models import Issue, Membership, Project
from monitor.state import set_status
from privacy.erasure import erase_end_user
from releases import stats, users
from releases.models import ReleaseUser
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


def send(project, release, user, **kwargs):
    ingest(project, {**event(user=user, **kwargs), "release": release})


@pytest.fixture
def shop(project):
    """1.0: two faults (A by users 1, 2; B by user 3); 1.1: A again (user 4, after A was
    resolved: a regression) and a new fault C (user 1)."""
    project.grouping_mode = Project.GroupingMode.FINGERPRINT  # alerts need not wait for ML
    project.save()
    send(project, "shop@1.0", "1")
    send(project, "shop@1.0", "2")
    send(project, "shop@1.0", "3", crash_function="total", value="float division by zero")
    evaluate_pending()
    a = Issue.objects.get(project=project, culprit__contains="average")
    set_status(Issue.objects.filter(pk=a.pk), Issue.Status.RESOLVED)
    send(project, "shop@1.1", "4")
    send(project, "shop@1.1", "1", exc_type="KeyError", value="'sku'")
    evaluate_pending()
    assert users.collect(settle_seconds=0) > 0
    return a


def by_version(project):
    return {s.version: s for s in stats.summaries(project)}


def test_summaries_count_what_each_release_brought(project, shop):
    found = by_version(project)
    assert list(found) == ["shop@1.1", "shop@1.0"]  # newest first
    old, new = found["shop@1.0"], found["shop@1.1"]
    assert (old.events, old.issues, old.new_issues, old.regressed_issues, old.users) == (
        3, 2, 2, 0, 3)
    assert (new.events, new.issues, new.new_issues, new.regressed_issues, new.users) == (
        2, 2, 1, 1, 2)
    assert [i.id for i in stats.regressed(project, "shop@1.1")] == [shop.id]
    assert {i.title for i in stats.introduced(project, "shop@1.1")} == {"KeyError: 'sku'"}


def test_collection_is_incremental_and_idempotent(project, shop):
    before = ReleaseUser.objects.count()
    assert users.collect(settle_seconds=0) == 0  # nothing new
    send(project, "shop@1.1", "4")  # a user already counted in 1.1
    send(project, "shop@1.1", "5")
    assert users.collect(settle_seconds=0) == 2
    assert ReleaseUser.objects.count() == before + 1
    assert by_version(project)["shop@1.1"].users == 3
    # identities are never stored: only keyed hashes
    assert not ReleaseUser.objects.filter(user_hash__contains="id:").exists()


def test_erasure_forgets_the_users_hashes(project, shop):
    erase_end_user(project.organization_id, user_id="1")
    found = by_version(project)
    assert found["shop@1.0"].users == 2 and found["shop@1.1"].users == 1


def test_the_api_and_pages_stay_in_the_organisation(project, shop):
    member = get_user_model().objects.create_user("dev", password="pw-dev-123")
    Membership.objects.create(user=member, organization=project.organization)
    outsider = get_user_model().objects.create_user("eve", password="pw-eve-123")
    api = APIClient()
    api.force_authenticate(member)
    rows = api.get(f"/api/0/projects/{project.id}/releases/").json()
    assert [(r["version"], r["new_issues"], r["regressed_issues"], r["users"]) for r in rows] == [
        ("shop@1.1", 1, 1, 2), ("shop@1.0", 2, 0, 3)]
    assert api.get(f"/api/0/projects/{project.id}/releases/?per_page=1").json()[0][
        "version"] == "shop@1.1"
    assert api.get(f"/api/0/projects/{project.id}/releases/?per_page=1000").status_code == 400
    api.force_authenticate(outsider)
    assert api.get(f"/api/0/projects/{project.id}/releases/").status_code == 404

    client = Client()
    client.force_login(member)
    base = f"/{project.organization.slug}/{project.slug}/releases/"
    page = client.get(base).content.decode()
    assert "shop@1.1" in page and 'id="releases"' in page
    detail = client.get(base + "shop@1.1/").content.decode()
    assert "KeyError: &#x27;sku&#x27;" in detail and 'id="regressed"' in detail
    assert client.get(base + "nope@9/").status_code == 404
    other = Project.objects.create(organization=project.organization, name="Empty", slug="empty")
    assert 'id="no-releases"' in client.get(
        f"/{project.organization.slug}/{other.slug}/releases/").content.decode()
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(base).status_code == 404
