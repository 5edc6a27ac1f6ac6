"""The issue page in a real browser (Debian's Chromium through Playwright, against granian) at
1400 px and 390 px: the header's numbers, triage on the first screen, the chart's period tabs
and hover values, tags that filter the stream and a way back that keeps the stream's query,
event navigation, no word split mid-word. Screenshots land in tests/artifacts/issue-*.png."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from monitor.models import Issue, Membership, Organization, Project
from tests.helpers.browser import ARTIFACTS, HOST, no_horizontal_overflow
from tests.helpers.browserpage import sign_in
from tests.helpers.events import event, ingest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Ordinary words (not ids, hashes or paths) that a line break splits in two; [] when none is.
SPLIT_WORDS = """() => {
  const split = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.offsetParent || node.parentElement.closest('pre, code, svg')) continue;
    for (const match of node.textContent.matchAll(/[A-Za-z]{2,20}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                           .map(r => Math.round(r.top)));
      if (tops.size > 1) split.push(match[0]);
    }
  }
  return split;
}"""


def seed(project) -> Issue:
    now = timezone.now().timestamp()
    frames = [{"module": "shop.tree", "function": "walk", "lineno": 7, "in_app": True,
               "context_line": "return walk(node.children, depth + 1)",
               "vars": {"depth": str(depth), "node": {"name": "'leaf'", "children": []}}}
              for depth in range(30)]
    for i, (release, browser_name, user) in enumerate([
            ("shop@1.9", "Chrome 120", "u1"), ("shop@1.10", "Chrome 120", "u2"),
            ("shop@1.10", "Firefox 128", "u3"), ("shop@1.10", "Chrome 120", "u2")]):
        ingest(project, {**event(user=user), "fingerprint": ["tree"], "release": release,
                         "environment": "production", "timestamp": now - 3600 * (3 - i),
                         "tags": {"browser": browser_name, "customer.tier": "enterprise plus"},
                         "exception": {"values": [{"type": "RecursionError",
                                                   "value": "maximum recursion depth exceeded",
                                                   "stacktrace": {"frames": frames}}]}})
    return Issue.objects.get(project=project)


def test_issue_page_at_desktop_and_mobile_widths(web, browser):  # noqa: F811
    org = Organization.objects.create(name="Issue Co", slug="issueco")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    user = get_user_model().objects.create_user("reader", password="pw-reader-123")
    Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
    issue = seed(project)
    ids = list(issue.events.order_by("id").values_list("id", flat=True))
    base = f"http://{HOST}:{web.rsplit(':', 1)[1]}"
    issue_url = f"{base}/issueco/shop/issues/{issue.id}/"
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((1400, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      is_mobile=width < 500)
        page = context.new_page()
        sign_in(page, base, "reader", "pw-reader-123")
        page.goto(issue_url)
        assert page.inner_text("#issue-events") == str(issue.times_seen) == "4"
        assert page.inner_text("#issue-users") == str(issue.users_seen) == "3"
        for part in ("#triage-bar button[value=resolve]", "#assignee-form select",
                     "#priority-form select"):  # triage on the first screen at every width
            box = page.locator(part).bounding_box()
            assert box["y"] + box["height"] <= height, (width, part, box)
        assert no_horizontal_overflow(page)
        assert page.evaluate(SPLIT_WORDS) == [], width
        crash = page.locator("details.frame.crash")
        assert "29" in crash.locator("table.vars").inner_text()  # the innermost call's depth
        assert "{name: 'leaf', children: []}" in crash.locator("table.vars").inner_text()
        page.screenshot(path=ARTIFACTS / f"issue-{width}.png", full_page=True)

        # the chart: 24 h shown, 30 d one tap away; a bar's value on hover
        expect(page.locator("#chart-24h")).to_be_visible()
        expect(page.locator("#chart-30d")).to_be_hidden()
        page.click("#chart-tab-30d")
        expect(page.locator("#chart-30d")).to_be_visible()
        assert page.locator("#chart-30d").get_attribute("data-total") == "4"
        page.locator("#chart-30d .bar-slot").last.hover()
        expect(page.locator("#chart-30d .chart-hover")).to_contain_text("4 events")

        # event navigation by id
        assert page.locator("#event-latest").get_attribute("aria-disabled") == "true"
        page.click("#event-oldest")
        assert page.url.endswith(f"?event={ids[0]}")
        page.click("#event-newer")
        assert page.url.endswith(f"?event={ids[1]}")
        context.close()

    # a tag value filters the stream; the issue opened from there leads back to that query
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, base, "reader", "pw-reader-123")
    page.goto(issue_url)
    share = page.locator('#tags .tag-key[data-key="browser"] .tag-value').first
    assert share.get_attribute("data-percent") == "75"
    share.locator("a").click()
    page.wait_for_url(re.compile(r"/issues/\?query=browser%3A%22Chrome\+120%22"))
    stream_url = page.url
    page.locator(f'a[href$="/issues/{issue.id}/"]').first.click()
    page.wait_for_selector("#issue-title")
    page.click("#event-oldest")
    page.click("#back-to-stream")
    assert page.url == stream_url
    page.goto(issue_url + "?tab=grouping")
    expect(page.locator("#why-grouped")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "issue-grouping-1400.png", full_page=True)
    context.close()
