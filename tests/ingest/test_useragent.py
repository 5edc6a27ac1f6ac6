"""Browser, OS and device from the User-Agent when the SDK sent no contexts."""

import json

import pytest
from django.test import Client

from ingest.normalize import normalize_event
from ingest.processing import process_pending
from ingest.useragent import parse_contexts
from monitor.issues import filter_issues
from monitor.models import Event, Issue, IssueTag

CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/140.0.0.0 Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
BROWSER_EVENT = {"platform": "javascript", "exception": {"values": [{"type": "Error",
                 "value": "boom"}]}}


def tags_of(data: dict) -> dict:
    return dict(data["tags"])


def test_transport_user_agent_fills_browser_os_device_and_tags():
    data = normalize_event(BROWSER_EVENT, 1.7e9, "0" * 32, user_agent=IPHONE)
    assert data["contexts"]["browser"] == {"name": "Mobile Safari", "version": "17.4",
                                           "type": "browser"}
    assert data["contexts"]["os"]["name"] == "iOS"
    assert data["contexts"]["device"]["brand"] == "Apple"
    tags = tags_of(data)
    assert tags["browser"] == "Mobile Safari 17.4" and tags["browser.name"] == "Mobile Safari"
    assert tags["os"] == "iOS 17.4" and tags["os.name"] == "iOS" and tags["device"] == "iPhone"


def test_event_request_header_wins_and_sdk_contexts_are_kept():
    event = {**BROWSER_EVENT, "request": {"headers": {"User-Agent": CHROME}},
             "contexts": {"os": {"name": "Windows", "version": "11"}}}
    data = normalize_event(event, 1.7e9, "0" * 32, user_agent=IPHONE)
    assert data["contexts"]["browser"]["name"] == "Chrome"
    assert data["contexts"]["os"] == {"name": "Windows", "version": "11"}
    assert "device" not in data["contexts"]  # a desktop Chrome names no device


@pytest.mark.parametrize("agent", ["sentry.python/2.75.0", "node", "python-urllib3/2.2.1", "",
                                   "\x00" * 5000, "Mozilla/5.0 (" * 2000])
def test_sdk_transports_and_junk_add_nothing(agent):
    data = normalize_event({"message": "hi"}, 1.7e9, "0" * 32, user_agent=agent)
    assert "contexts" not in data
    assert not {"browser", "os", "device"} & set(tags_of(data))


def test_parse_is_bounded():
    assert parse_contexts(CHROME + " x" * 100_000)["browser"]["name"] == "Chrome"


@pytest.mark.django_db
def test_the_http_user_agent_reaches_the_stored_event_tags_and_filters(project):
    key = project.keys.order_by("id").first()
    body = json.dumps(BROWSER_EVENT).encode()
    response = Client().post(
        f"/api/{project.id}/store/", body, content_type="application/json",
        HTTP_USER_AGENT=IPHONE, HTTP_X_SENTRY_AUTH=f"Sentry sentry_key={key.public_key}",
    )
    assert response.status_code == 200, response.content
    while process_pending(100):
        pass
    event = Event.objects.get(project=project)
    assert event.data["contexts"]["browser"]["name"] == "Mobile Safari"
    assert IssueTag.objects.filter(key="os.name", value="iOS").count() == 1
    issues = Issue.objects.filter(project=project)
    assert filter_issues(issues, {"browser.name": "Mobile Safari"}).count() == 1
    assert filter_issues(issues, {"browser.name": "Firefox"}).count() == 0
