"""Issue titles come from SDKs, so from anyone holding a project's public DSN, and go into chat
messages through Apprise as they are. Chat services read mentions in that text: `@channel`,
`@here` and `@all` in Mattermost and Rocket.Chat, `@everyone` in Discord, Slack's `<!channel>`,
Zulip's `@**all**`, and any member's `@name`: one event titled `@channel …` paged everyone in
the alert channel with the sender's words and link. The text keeps its look (a zero-width space
follows the `@` or `<`) and pings no one. The receiver is a real HTTP server that Apprise's
Mattermost plugin posts to."""

import json
import re

import pytest
from django.utils import timezone

from alerts.destinations.apprise.transport import AppriseDestination
from alerts.destinations.base import IssueRef, Notification
from tests.helpers.alert_receivers import HTTPReceiver

TITLE = ("Error: @channel @ALL @here @everyone @ann <!channel> <!here> <@U024BE7LH> "
         "@**all** mail ops@example.com")
MENTION = re.compile(r"(?<![\w.+-])@[\w*]|<[!@#]")


@pytest.fixture
def receiver():
    server = HTTPReceiver().start()
    yield server
    server.stop()


def notification(title: str) -> Notification:
    now = timezone.now()
    issue = IssueRef(id=1, title=title, culprit="", level="error", status="unresolved",
                     times_seen=1, users_seen=1, first_seen=now, last_seen=now,
                     url="http://faultline.test/i/1/", project="backend")
    return Notification(project="backend", rule="r", trigger="new_issue", issues=[issue],
                        total=1)


def test_a_title_full_of_mentions_pings_no_one_in_chat(receiver):
    url = receiver.url.replace("http://", "mmost://") + "/hooktoken"
    result = AppriseDestination({"url": url}, allow_private=True).send(notification(TITLE))
    assert result.ok, result.detail
    (hit,) = receiver.hits
    text = hit.json()["text"]
    assert "channel" in text and "ops@example.com" in text  # the words are all there
    assert MENTION.findall(text) == [], text
    assert text.replace("\u200b", "").count(TITLE) == 2  # subject and body, as sent otherwise


def test_an_ordinary_title_reaches_chat_unchanged(receiver):
    url = receiver.url.replace("http://", "json://") + "/apprise"
    title = "KeyError: 'user' in checkout (ann@example.com, 3 < 4)"
    assert AppriseDestination({"url": url}, allow_private=True).send(notification(title)).ok
    (hit,) = receiver.hits
    assert title in json.loads(hit.body)["message"]
