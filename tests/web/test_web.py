"""Triage pages through the Django test client: scoping, filters, actions, empty state."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from monitor.models import Issue, Membership, Organization, Project, ProjectKey
from tests.helpers.cast import join, make_user
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


def stream_url(project, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/{project.organization.slug}/{project.slug}/issues/?{query}"


def test_login_is_required_and_home_leads_to_the_stream(project, member):
    assert Client().get("/").status_code == 302
    response = member.get("/")
    assert (
        response.status_code == 302
        and response.url
        == stream_url(
            project,
        )[:-1]
    )


def test_empty_state_shows_the_dsn_and_sdk_snippets(project, member):
    page = member.get(stream_url(project)).content.decode()
    assert 'id="empty-state"' in page and project.keys.order_by("id").first().dsn in page
    assert "sentry_sdk.init(" in page and "Sentry.init(" in page


def test_stream_filters_sort_and_sparklines(project, member):
    for env in ("production", "production", "staging"):
        ingest(project, {**event(), "environment": env, "fingerprint": ["zero"]})
    ingest(project, {**event(value="boom", exc_type="KeyError"), "level": "warning",
                     "environment": "staging", "fingerprint": ["key"]})
    page = member.get(stream_url(project)).content.decode()
    assert "ZeroDivisionError" in page and "KeyError: boom" in page and "<polyline" in page
    assert (
        "KeyError" not in member.get(stream_url(project, environment="production")).content.decode()
    )
    assert (
        "ZeroDivisionError" not in member.get(stream_url(project, level="warning")).content.decode()
    )
    assert "ZeroDivisionError" not in member.get(stream_url(project, query="boom")).content.decode()


def test_issue_page_shows_the_stack_trace_and_acts(project, member):
    ingest(project, {**event(), "fingerprint": ["a"]})
    ingest(project, {**event(value="other"), "fingerprint": ["b"]})
    first, second = Issue.objects.order_by("id")
    url = f"/{project.organization.slug}/{project.slug}/issues/{first.id}/"
    page = member.get(url).content.decode()
    assert "return sum(self.items) / len(self.items)" in page  # in-app context line
    assert "django.core.handlers.base" in page and "<details" in page  # system frame collapsed
    grouping = member.get(url, {"tab": "grouping"}).content.decode()
    assert 'id="why-grouped"' in grouping and "fingerprint" in grouping
    assert 'id="events"' in page and "page 1 of 1" in page
    member.post(url + "action/", {"action": "resolve"})
    first.refresh_from_db()
    assert first.status == "resolved" and first.resolved_at
    response = member.post(url + "action/", {"action": "merge", "other": second.id})
    assert "/issues/merge/?" in response.url  # asks for confirmation first
    assert Issue.objects.filter(pk=second.pk).exists()
    merge_url = f"/{project.organization.slug}/{project.slug}/issues/merge/"
    member.post(merge_url, {"issue": [first.id, second.id], "target": first.id, "confirm": "yes"})
    first.refresh_from_db()
    assert first.times_seen == 2 and not Issue.objects.filter(pk=second.pk).exists()
    member.post(url + "action/", {"action": "unmerge", "hash": first.hashes.last().hash})
    assert Issue.objects.count() == 2


def test_bulk_actions_and_other_organisations(project, member):
    for name in ("a", "b", "c"):
        ingest(project, {**event(value=name), "fingerprint": [name]})
    ids = list(Issue.objects.values_list("id", flat=True))
    bulk = f"/{project.organization.slug}/{project.slug}/issues/bulk/"
    response = member.post(bulk, {"issue": ids[:2], "action": "merge"})
    assert Issue.objects.count() == 3  # nothing merged before the confirmation
    page = member.get(response.url).content.decode()
    assert 'name="target"' in page and f"#{ids[1]}" in page
    merge_url = f"/{project.organization.slug}/{project.slug}/issues/merge/"
    member.post(merge_url, {"issue": ids[:2], "target": ids[1]})  # not confirmed
    assert Issue.objects.count() == 3
    member.post(merge_url, {"issue": ids[:2], "target": ids[1], "confirm": "yes"})
    assert Issue.objects.count() == 2 and Issue.objects.filter(pk=ids[1]).exists()
    member.post(
        bulk, {"issue": list(Issue.objects.values_list("id", flat=True)), "action": "ignore"}
    )
    assert set(Issue.objects.values_list("status", flat=True)) == {"ignored"}
    other = Project.objects.create(organization=Organization.objects.create(name="O", slug="o"),
                                   name="P", slug="p")
    assert member.get("/o/p/issues/").status_code == 404
    assert member.get(f"/o/p/issues/{ids[0]}/").status_code == 404
    assert other.issues.count() == 0


@pytest.fixture
def owner(project):
    user = make_user("boss")
    join(user, project.organization, Membership.Role.OWNER)
    ProjectKey.objects.create(project=project)
    client = Client()
    client.force_login(user)
    return client


def test_project_settings_keys_and_roles(project, owner, member):
    base = f"/{project.organization.slug}/{project.slug}/settings/"
    page = member.get(base).content.decode()
    assert project.keys.first().dsn in page and "Only owners and admins" in page
    assert member.post(base + "keys/", {"action": "create", "label": "x"}).status_code == 403
    assert member.post(base, {"name": "Hacked"}).status_code == 403
    owner.post(base + "keys/", {"action": "create", "label": "ci", "rate_limit_count": 5})
    created = ProjectKey.objects.get(label="ci")
    assert created.rate_limit_count == 5 and created.is_active
    owner.post(base + "keys/", {"action": "rotate", "key": created.id})  # not confirmed
    created.refresh_from_db()
    assert created.is_active and ProjectKey.objects.filter(label="ci").count() == 1
    owner.post(base + "keys/", {"action": "rotate", "key": created.id, "confirm": "yes",
                                "grace": "0"})
    created.refresh_from_db()
    assert not created.is_active and ProjectKey.objects.filter(label="ci", is_active=True).exists()
    response = owner.post(base, {"name": "Backend API", "platform": "python",
                                 "allowed_origins": "https://app.example", "scrub_data": "on",
                                 "scrub_extra_keys": "ssn\n", "grouping_mode": "shadow",
                                 "grouping_threshold": "0.1"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.grouping_mode, project.scrub_extra_keys) == (
        "Backend API", "shadow", ["ssn"])


def test_organisation_members_and_read_only_consent(project, owner, member):
    url = f"/{project.organization.slug}/settings/"
    page = member.get(url).content.decode()
    assert "Data-usage consent" not in page and "Change role" not in page  # owners only
    page = owner.get(url).content.decode()
    assert "Data-usage consent" in page and "not allowed" in page
    newbie = get_user_model().objects.create_user("newbie", password="x")
    added = join(newbie, project.organization)
    assert member.post(url, {"action": "role", "membership": added.id,
                             "role": "admin"}).status_code == 403
    owner.post(url, {"action": "role", "membership": added.id, "role": "admin"})
    added.refresh_from_db()
    assert added.role == "admin"
    boss = Membership.objects.get(user__username="boss")
    owner.post(url, {"action": "remove", "membership": boss.id})
    assert Membership.objects.filter(pk=boss.pk).exists()  # the last owner stays


def test_account_page_creates_an_api_token(member):
    page = member.post("/account/", {"action": "create", "name": "cli", "access": "read",
                                      "expiry": "30"}).content.decode()
    token = page.split('id="token-value">')[1].split("<")[0]
    assert APIClient().get("/api/0/issues/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_an_admin_cannot_make_or_unmake_owners(project, owner):
    """An admin could add themselves as owner, then remove the original owner."""
    url = f"/{project.organization.slug}/settings/"
    admin_user = make_user("adm")
    mine = join(admin_user, project.organization, Membership.Role.ADMIN)
    admin = Client()
    admin.force_login(admin_user)
    boss = Membership.objects.get(user__username="boss")
    assert (
        admin.post(url, {"action": "role", "membership": mine.id, "role": "owner"}).status_code
        == 403
    )
    pal_user = get_user_model().objects.create_user("pal", password="x")
    # Invitations follow the same rule (tests/members/test_invitations.py); here, existing
    # memberships.
    pal = join(pal_user, project.organization)
    assert admin.post(url, {"action": "role", "membership": pal.id,
                            "role": "owner"}).status_code == 403
    assert admin.post(url, {"action": "remove", "membership": boss.id}).status_code == 403
    assert (
        admin.post(url, {"action": "role", "membership": boss.id, "role": "member"}).status_code
        == 403
    )
    mine.refresh_from_db()
    boss.refresh_from_db()
    assert (mine.role, boss.role) == ("admin", "owner")
    pal.refresh_from_db()
    assert pal.role == "member"
    # What an admin may do: re-role members and admins.
    admin.post(url, {"action": "role", "membership": pal.id, "role": "admin"})
    pal.refresh_from_db()
    assert pal.role == "admin"
    admin.post(url, {"action": "role", "membership": pal.id, "role": "member"})
    pal.refresh_from_db()
    assert pal.role == "member"


def test_keys_named_items_and_nested_contexts_render(project, member):
    """A user/tag/context key named "items" made the issue page a 500 for good."""
    payload = {**event(), "fingerprint": ["items"], "user": {"id": "u1", "items": "3"},
               "tags": {"items": "many"}, "contexts": {"items": {"count": 2},
                                                        "os": {"name": "Linux"}}}
    ingest(project, payload)
    issue = Issue.objects.get(project=project)
    page = member.get(f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<h4>os</h4>" in text and "Linux" in text  # the context table, not its repr
    assert "<strong>items</strong>" in text  # the tag's distribution


def test_every_page_names_a_favicon_and_favicon_ico_is_served(project, member):
    assert b'rel="icon"' in member.get(stream_url(project)).content
    assert b'rel="icon"' in Client().get("/login/", follow=True).content
    answer = Client().get("/favicon.ico", follow=True)
    assert answer.status_code == 200
    assert b"<svg" in b"".join(answer.streaming_content if answer.streaming else [answer.content])


def test_dark_mode_changes_the_palette_only():
    """Dark mode overrides custom properties; no rule outside the palette names a colour."""
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "web/static/web/faultline.css").read_text()
    assert "@media (prefers-color-scheme: dark)" in css
    rules = css.split("}", 2)[2]  # after :root and the dark palette
    import re

    literals = re.findall(r"(?:background|border(?:-color)?|color):\s*#[0-9a-fA-F]{3,6}", rules)
    assert literals == ["color:#fff", "color:#fff"], literals  # the header's text on its dark bar


def test_the_filter_choices_are_the_projects_environments_and_releases_newest_first(
        project, member):
    other = Project.objects.create(organization=project.organization, name="Other", slug="other",
                                   grouping_mode=Project.GroupingMode.FINGERPRINT)
    ingest(other, {**event(), "environment": "elsewhere", "release": "other@9"})
    for env, release in (("production", "shop@1.9"), ("", "shop@1.10"), ("canary", "shop@1.10")):
        ingest(project, {**event(), "environment": env, "release": release,
                         "fingerprint": ["zero"]})
    page = member.get(stream_url(project)).content.decode()
    options = [line.split(">")[1].split("<")[0] for line in page.split("<option")[1:]]
    assert [o for o in options if o in ("canary", "production", "elsewhere", "")] == [
        "canary", "production"]
    assert [o for o in options if "@" in o] == ["shop@1.10", "shop@1.9"]
