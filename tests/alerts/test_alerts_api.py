"""Alerts and triage through the REST API and the web pages: alice owns the organisation, bob is
a member, charlie owns another organisation."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from alerts.models import Activity, AlertDelivery, AlertDestination, AlertRule
from alerts.notify import attempt
from monitor.models import Issue, Membership, Organization, Project
from tests.helpers.alert_receivers import HTTPReceiver, RawHTTPServer, huge_error
from tests.helpers.alerts import send
from tests.helpers.clients import web_client

pytestmark = pytest.mark.django_db


def base(project):
    return f"/api/0/projects/{project.id}/"


def test_rules_and_destinations_owners_write_members_read_others_404(project, people):
    alice, bob, charlie = people["alice"], people["bob"], people["charlie"]
    created = alice.post(base(project) + "alert-destinations/", {
        "name": "hook", "kind": "webhook", "config": {"url": "https://example.com/hook"}},
        format="json")
    assert created.status_code == 201, created.data
    dest = created.data
    assert len(dest["secret"]) == 64 and dest["target"] == "https://example.com/…"
    rule = alice.post(base(project) + "alert-rules/", {
        "name": "burst", "trigger": "frequency", "threshold": 50, "window_minutes": 5,
        "destinations": [dest["id"]], "digest_minutes": 10}, format="json")
    assert rule.status_code == 201, rule.data
    listed = bob.get(base(project) + "alert-destinations/").data["results"]
    assert listed[0]["target"] and "secret" not in listed[0] and "config" not in listed[0]
    assert bob.get(base(project) + "alert-rules/").data["results"][0]["threshold"] == 50
    assert bob.post(base(project) + "alert-rules/", {"name": "x", "trigger": "new_issue"},
                    format="json").status_code == 403
    url = base(project) + f"alert-rules/{rule.data['id']}/"
    assert bob.patch(url, {"enabled": False}, format="json").status_code == 403
    assert bob.post(base(project) + f"alert-destinations/{dest['id']}/test/").status_code == 403
    assert charlie.get(base(project) + "alert-rules/").status_code == 404
    assert charlie.delete(url).status_code == 404
    assert alice.patch(url, {"enabled": False}, format="json").data["enabled"] is False


def test_destination_validation_and_ssrf_permission(project, people):
    alice = people["alice"]
    url = base(project) + "alert-destinations/"
    for body in ({"name": "m", "kind": "email", "config": {"addresses": ["not-an-address"]}},
                 {"name": "m", "kind": "email", "config": {}},
                 {"name": "w", "kind": "webhook", "config": {"url": "ftp://example.com"}},
                 {"name": "a", "kind": "apprise", "config": {"url": "nonsense://x"}},
                 {"name": "x", "kind": "carrier-pigeon", "config": {}},
                 {"name": "w", "kind": "webhook", "config": {"url": "https://e.com"},
                  "allow_private": True}):
        assert alice.post(url, body, format="json").status_code == 400, body
    rule_url = base(project) + "alert-rules/"
    assert alice.post(rule_url, {"name": "r", "trigger": "frequency", "threshold": 0},
                      format="json").status_code == 400
    other = Project.objects.create(organization=project.organization, name="P2", slug="p2")
    foreign = AlertDestination.objects.create(project=other, name="f", kind="webhook",
                                              config={"url": "https://e.com"})
    assert alice.post(rule_url, {"name": "r", "trigger": "new_issue",
                                 "destinations": [foreign.id]},
                      format="json").status_code == 400
    apprise = alice.post(
        url,
        {
            "name": "s",
            "kind": "apprise",
            "config": {"url": "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"},
        },
        format="json",
    )
    assert apprise.status_code == 201
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in apprise.data["target"]  # masked for display


def test_send_test_and_attempts(project, people):
    alice, bob = people["alice"], people["bob"]
    dest = AlertDestination.objects.create(project=project, name="h", kind="webhook",
                                           config={"url": "http://127.0.0.1:9/"})
    answer = alice.post(base(project) + f"alert-destinations/{dest.id}/test/")
    assert answer.status_code == 202
    from alerts.notify import attempt

    attempt(answer.data["delivery"])
    attempts = bob.get(base(project) + f"alert-destinations/{dest.id}/attempts/").data
    assert attempts["count"] == 1 and attempts["results"][0]["ok"] is False
    assert attempts["results"][0]["error"] == "blocked: non-public address"
    assert attempts["results"][0]["test"] and "127.0.0.1" not in str(attempts)  # bob: a member
    seen_by_owner = alice.get(base(project) + f"alert-destinations/{dest.id}/attempts/").data
    assert "127.0.0.1" in seen_by_owner["results"][0]["detail"]


def test_triage_endpoints(project, people):
    alice, bob, charlie = people["alice"], people["bob"], people["charlie"]
    send(project, "a", release="shop@1")
    issue = Issue.objects.get()
    url = f"/api/0/issues/{issue.id}/"
    assert bob.post(url + "assign/", {"assignee": "alice"}, format="json").data["assignee"] == \
        "alice"
    assert bob.post(url + "assign/", {"assignee": "charlie"}, format="json").status_code == 400
    assert charlie.post(url + "assign/", {"assignee": "charlie"},
                        format="json").status_code == 404
    mine = alice.get("/api/0/issues/?assigned=me").data["results"]
    assert [i["id"] for i in mine] == [issue.id]
    assert bob.get("/api/0/issues/?assigned=me").data["results"] == []
    assert bob.post(url + "comments/", {"text": "on it"}, format="json").status_code == 201
    assert bob.post(url + "comments/", {"text": "  "}, format="json").status_code == 400
    assert [c["user"] for c in alice.get(url + "comments/").data] == ["bob"]
    ignored = bob.post(url + "ignore/", {"events": 10, "minutes": 60}, format="json").data
    assert ignored["status"] == "ignored" and ignored["ignore_until_events"] == 11
    assert bob.post(url + "ignore/", {"events": -1}, format="json").status_code == 400
    resolved = alice.post(url + "resolve/", {"in_next_release": True}, format="json").data
    assert resolved["status"] == "resolved" and resolved["resolved_in_release"] == "shop@1"
    kinds = [a["kind"] for a in alice.get(url + "activity/").data["results"]]
    assert kinds[:4] == ["resolved_next", "ignored", "commented", "assigned"]
    alice.patch(url, {"status": "unresolved"}, format="json")
    entry = Activity.objects.filter(issue=issue).order_by("-id").first()
    assert entry.kind == "reopened" and entry.user.username == "alice"


def test_preferences_api(project, people):
    bob = people["bob"]
    assert bob.put("/api/0/notification-preferences/", {"project": project.id, "email": False},
                   format="json").data == [{"project": project.id, "email": False}]
    other = Project.objects.create(organization=Organization.objects.get(slug="other"),
                                   name="O", slug="o")
    # another organisation's project is answered as an id nobody has
    assert bob.put("/api/0/notification-preferences/", {"project": other.id, "email": False},
                   format="json").status_code == 400


def test_settings_page_owner_edits_member_reads(project, people):
    alice, bob = web_client("alice"), web_client("bob")
    settings_url = f"/{project.organization.slug}/{project.slug}/settings/"
    action = settings_url + "alerts/"
    alice.post(action, {"action": "create_destination", "name": "ops", "kind": "email",
                        "target": "ops@example.com"})
    dest = AlertDestination.objects.get()
    assert dest.config == {"addresses": ["ops@example.com"], "to_members": False}
    alice.post(action, {"action": "create_rule", "name": "new", "trigger": "new_issue",
                        "threshold": 100, "window_minutes": 60, "digest_minutes": 0,
                        "destinations": [dest.id]})
    assert list(AlertRule.objects.get().destinations.all()) == [dest]
    page = alice.get(settings_url).content.decode()
    assert 'id="alerts"' in page and "Send test" in page and 'id="add-rule"' in page
    member_page = bob.get(settings_url).content.decode()
    assert "ops@example.com" in member_page and "Send test" not in member_page
    assert "Only owners and admins can change alerts." in member_page
    assert bob.post(action, {"action": "delete_rule", "rule": 1}).status_code == 403
    alice.post(action, {"action": "test_destination", "destination": dest.id})
    assert AlertDelivery.objects.filter(destination=dest, notification__test=True).count() == 1
    attempts = bob.get(action + f"destinations/{dest.id}/")
    assert attempts.status_code == 200 and 'id="attempts"' in attempts.content.decode()


def test_issue_page_triage(project, people):
    send(project, "a")
    issue = Issue.objects.get()
    bob = web_client("bob")
    page_url = f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/"
    bob.post(page_url + "triage/", {"action": "assign", "assignee": "bob"})
    bob.post(page_url + "triage/", {"action": "comment", "text": "<b>escaped</b>"})
    bob.post(page_url + "triage/", {"action": "ignore_until", "users": "5"})
    issue.refresh_from_db()
    assert issue.assignee.username == "bob" and issue.ignore_until_users == 6
    page = bob.get(page_url).content.decode()
    assert 'id="triage"' in page and "&lt;b&gt;escaped&lt;/b&gt;" in page
    assert 'id="ignore-condition"' in page and "6 users" in page
    stream = f"/{project.organization.slug}/{project.slug}/issues/?status=all&assigned=me"
    assert f"/issues/{issue.id}/" in bob.get(stream).content.decode()
    assert f"/issues/{issue.id}/" not in web_client("alice").get(stream).content.decode()
    account = bob.get("/account/").content.decode()
    assert 'id="notifications"' in account
    bob.post("/account/notifications/", {"email": "on", f"project-{project.id}": "off"})
    from alerts.recipients import member_addresses

    assert member_addresses(project) == ["alice@example.com"]


@pytest.fixture
def staff_client(project):
    sam = get_user_model().objects.create_user("sam", is_staff=True)
    Membership.objects.create(user=sam, organization=project.organization, role="owner")
    client = APIClient()
    client.force_authenticate(sam)
    return client


def test_only_staff_may_add_apprise_schemas_off_the_allow_list(project, people, staff_client):
    url = base(project) + "alert-destinations/"
    nostr = "nostr://" + "1" * 64 + "?relay=ws://127.0.0.1:9"
    acs = "acs://user@example.com/" + "a" * 40 + "/example.communication.azure.com/o@example.com"
    for target in (nostr, acs):
        body = {"name": "x", "kind": "apprise", "config": {"url": target}}
        refused = people["alice"].post(url, body, format="json")
        assert refused.status_code == 400 and "only staff" in str(refused.data["url"]), target
        assert staff_client.post(url, body, format="json").status_code == 201, target
    allowed = {"name": "n", "kind": "apprise", "config": {"url": "ntfys://ntfy.sh/topic"}}
    assert people["alice"].post(url, allowed, format="json").status_code == 201
    page = web_client("alice")
    action = f"/{project.organization.slug}/{project.slug}/settings/alerts/"
    page.post(action, {"action": "create_destination", "name": "web", "kind": "apprise",
                       "target": nostr})
    assert not AlertDestination.objects.filter(name="web").exists()
    answer = page.post(action, {"action": "create_destination", "name": "bad", "kind": "apprise",
                                "target": "nonsense://x"}, follow=True)
    assert answer.status_code == 200 and "not an Apprise URL" in answer.content.decode()


def test_an_admin_repointing_a_private_destination_drops_the_approval(project, people,
                                                                     staff_client):
    receiver = HTTPReceiver().start()
    try:
        created = staff_client.post(base(project) + "alert-destinations/", {
            "name": "internal", "kind": "webhook", "config": {"url": receiver.url + "/ok"},
            "allow_private": True}, format="json")
        assert created.status_code == 201 and created.data["allow_private"] is True
        dest_url = base(project) + f"alert-destinations/{created.data['id']}/"
        alice = people["alice"]
        renamed = alice.patch(dest_url, {"name": "still internal"}, format="json")
        assert renamed.data["allow_private"] is True  # other fields keep the approval
        assert attempt(alice.post(dest_url + "test/").data["delivery"]).status == "sent"
        moved = alice.patch(dest_url, {"config": {"url": receiver.url + "/elsewhere"}},
                            format="json")
        assert moved.status_code == 200 and moved.data["allow_private"] is False
        assert attempt(alice.post(dest_url + "test/").data["delivery"]).status == "failed"
        assert [hit.path for hit in receiver.hits] == ["/ok"]
        again = staff_client.patch(dest_url, {"allow_private": True}, format="json")
        assert again.data["allow_private"] is True  # staff approve the new target
        assert attempt(alice.post(dest_url + "test/").data["delivery"]).status == "sent"
    finally:
        receiver.stop()
    assert [hit.path for hit in receiver.hits] == ["/ok", "/elsewhere"]


def test_members_see_neither_webhook_tokens_nor_response_bodies(project, people):
    server = RawHTTPServer(huge_error(2000)).start()
    try:
        dest = AlertDestination.objects.create(
            project=project, name="h", kind="webhook", allow_private=True,
            config={"url": server.url + "/hooks/tok3n-5ecret?key=k3y-5ecret"},
        )
        attempt(people["alice"].post(base(project) + f"alert-destinations/{dest.id}/test/")
                .data["delivery"])
    finally:
        server.stop()
    bob_sees = [
        people["bob"].get(base(project) + "alert-destinations/").content.decode(),
        people["bob"].get(base(project) + f"alert-destinations/{dest.id}/attempts/")
        .content.decode(),
        web_client("bob").get(f"/{project.organization.slug}/{project.slug}/settings/")
        .content.decode(),
        web_client("bob").get(f"/{project.organization.slug}/{project.slug}/settings/alerts/"
                              f"destinations/{dest.id}/").content.decode(),
    ]
    for shown in bob_sees:
        assert "5ecret" not in shown and "internal-secret" not in shown
    assert server.url in bob_sees[0]  # scheme and host are shown
    attempts = people["alice"].get(base(project) + f"alert-destinations/{dest.id}/attempts/")
    (tried,) = attempts.data["results"]
    assert tried["error"] == "HTTP 500" and tried["detail"].startswith("internal-secret")
