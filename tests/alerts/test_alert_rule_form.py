"""The alert rule form through the Django test client (when / if / then, only the trigger's
fields, validation next to the fields, edit, delete, owners and admins only) and the default
rule a new project gets, as the REST API lists it."""

import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from alerts.models import AlertDestination, AlertRule
from monitor.models import Membership, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(project):
    users = get_user_model().objects
    owner = users.create_user("olivia", email="olivia@example.com")
    member = users.create_user("max", email="max@example.com")
    Membership.objects.create(user=owner, organization=project.organization, role="owner")
    Membership.objects.create(user=member, organization=project.organization, role="member")
    clients = {}
    for user in (owner, member):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    return clients


@pytest.fixture
def hook(project):
    return AlertDestination.objects.create(project=project, name="team hook", kind="webhook",
                                           config={"url": "https://example.com/hook"})


def urls(project):
    root = f"/{project.organization.slug}/{project.slug}/settings/"
    return {"settings": root, "new": root + "alerts/rules/new/", "action": root + "alerts/",
            "rule": lambda rule: root + f"alerts/rules/{rule.id}/"}


def trigger_fields_hidden(page: str) -> bool:
    part = re.search(r'<div class="trigger-fields" data-for-trigger="frequency"([^>]*)>', page)
    return "hidden" in part.group(1)


def test_the_settings_page_has_a_readable_form_with_unique_ids(project, people, hook):
    page = people["olivia"].get(urls(project)["settings"]).content.decode()
    form = re.search(r'<form[^>]*id="add-rule".*?</form>', page, re.S).group(0)
    assert "---------" not in form
    assert [legend for legend in re.findall(r"<legend>([^<]*)</legend>", form)
            if legend in ("When", "If", "Then")] == ["When", "If", "Then"]
    assert "Counted by arrival" in form and "Empty: any environment." in form  # help shown
    assert ">any level</option>" in form and "team hook" in form
    assert trigger_fields_hidden(form)  # new issue is the first trigger: no counting fields
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [name for name, n in ids.items() if n > 1] == []


def test_a_new_issue_rule_needs_no_threshold_and_a_frequency_rule_does(project, people, hook):
    owner, new = people["olivia"], urls(project)["new"]
    response = owner.post(new, {"name": "new errors", "trigger": "new_issue", "min_level": "error",
                                "destinations": [hook.id], "digest_minutes": "0",
                                "action": "create_rule"})
    assert response.status_code == 302
    rule = AlertRule.objects.get(name="new errors")
    assert rule.trigger == "new_issue" and rule.min_level == "error"
    assert list(rule.destinations.all()) == [hook]
    response = owner.post(new, {"name": "burst", "trigger": "frequency", "digest_minutes": "0"})
    page = response.content.decode()
    assert response.status_code == 400 and not AlertRule.objects.filter(name="burst").exists()
    assert "Needed for this trigger." in page and not trigger_fields_hidden(page)
    response = owner.post(new, {"name": "burst", "trigger": "frequency", "threshold": "0",
                                "window_minutes": "5", "digest_minutes": "0"})
    assert response.status_code == 400 and "between 1 and 1000000" in response.content.decode()
    owner.post(new, {"name": "burst", "trigger": "frequency", "threshold": "50",
                     "window_minutes": "5", "digest_minutes": "10"})
    burst = AlertRule.objects.get(name="burst")
    assert (burst.threshold, burst.window_minutes, burst.digest_minutes) == (50, 5, 10)


def test_a_rule_is_edited_and_deleted(project, people, hook):
    owner, paths = people["olivia"], urls(project)
    rule = AlertRule.objects.create(project=project, name="burst", trigger="frequency",
                                    threshold=50, window_minutes=5)
    page = owner.get(paths["rule"](rule)).content.decode()
    assert 'value="50"' in page and not trigger_fields_hidden(page)
    assert 'value="delete_rule"' in page
    response = owner.post(paths["rule"](rule), {
        "name": "any new issue in prod", "trigger": "new_issue", "environment": "production",
        "destinations": [hook.id], "digest_minutes": "5"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.trigger, rule.environment, rule.digest_minutes) == (
        "any new issue in prod", "new_issue", "production", 5)
    assert list(rule.destinations.all()) == [hook] and AlertRule.objects.count() == 1
    assert trigger_fields_hidden(owner.get(paths["rule"](rule)).content.decode())
    owner.post(paths["action"], {"action": "delete_rule", "rule": rule.id})
    assert not AlertRule.objects.filter(pk=rule.pk).exists()


def test_only_owners_and_admins_edit_rules(project, people, hook):
    member, paths = people["max"], urls(project)
    rule = AlertRule.objects.create(project=project, name="keep", trigger="new_issue")
    assert member.get(paths["rule"](rule)).status_code == 403
    assert member.post(paths["rule"](rule), {"name": "changed", "trigger": "regression",
                                             "digest_minutes": "0"}).status_code == 403
    assert member.post(paths["new"], {"name": "x", "trigger": "new_issue",
                                      "digest_minutes": "0"}).status_code == 403
    rule.refresh_from_db()
    assert rule.name == "keep" and AlertRule.objects.count() == 1
    outsider = get_user_model().objects.create_user("eve")
    client = Client()
    client.force_login(outsider)
    assert client.get(paths["rule"](rule)).status_code == 404


def test_a_project_made_through_the_api_lists_its_default_rule(project, people):
    owner = get_user_model().objects.get(username="olivia")
    api = APIClient()
    api.force_authenticate(owner)
    created = api.post("/api/0/projects/", {"organization": project.organization.slug,
                                            "name": "Mobile", "slug": "mobile"}, format="json")
    assert created.status_code == 201, created.data
    mobile = Project.objects.get(slug="mobile")
    listed = api.get(f"/api/0/projects/{mobile.id}/alert-rules/").data["results"]
    assert [(r["name"], r["trigger"]) for r in listed] == [
        ("High priority and escalating issues", "priority")]
    destination = AlertDestination.objects.get(pk=listed[0]["destinations"][0])
    assert destination.kind == "email" and destination.config["to_members"] is True
    schema = api.get("/api/0/schema/").content.decode()
    assert "/api/0/projects/{project_pk}/alert-rules/" in schema
