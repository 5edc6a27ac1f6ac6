"""In a real browser: Debian's Chromium (Playwright) against the web server and a Celery
worker, with events from the official sentry-sdk, at 1400 px and 390 px. The site is reached
as http://faultline.test (a plain-HTTP hostname, so no navigator.clipboard) to exercise the copy
fallback. Screenshots land in tests/artifacts/triage-*.png."""

import re
import sys
from pathlib import Path

import pytest
import sentry_sdk
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from monitor.models import Event, Issue, Membership, Organization, Project
from releases import users
from tests.conftest import wait_for
from tests.helpers import buggy_app, triage_app
from tests.helpers.browser import ARTIFACTS, HOST, no_horizontal_overflow
from tests.helpers.browserpage import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def capture(client, func, *args, user=None, tags=None, crumbs=0):
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        if user:
            scope.set_user(user)
        for key, value in (tags or {}).items():
            scope.set_tag(key, value)
        for i in range(crumbs):
            kind = i % 4
            if kind == 0:
                scope.add_breadcrumb(category="httplib", type="http", data={
                    "url": f"https://api.example/items/{i}", "http.method": "GET",
                    "status_code": 200 if i < crumbs - 2 else 502, "http.query": f"page={i}"})
            elif kind == 1:
                scope.add_breadcrumb(category="query", message=f"SELECT * FROM items -- {i}")
            elif kind == 2:
                scope.add_breadcrumb(category="navigation", data={"from": "/", "to": f"/p/{i}"})
            else:
                scope.add_breadcrumb(category="log", level="warning", message=f"slow step {i}")
        try:
            func(*args)
        except Exception as exc:
            return scope.capture_exception(exc)
    raise AssertionError(f"{func.__name__} did not raise")


def send_events(dsn: str, tmp_path: Path) -> int:
    step_0 = triage_app.call_chain(ARTIFACTS)  # under the project root: in-app frames
    sent = 0
    limit = sys.getrecursionlimit()
    for release, environment in (("shop@1.9", "production"), ("shop@1.10", "staging")):
        client = sentry_sdk.Client(dsn=dsn, release=release, environment=environment,
                                   default_integrations=False, auto_enabling_integrations=False,
                                   max_breadcrumbs=100, max_stack_frames=300)
        for i in range(3):
            capture(client, buggy_app.checkout, buggy_app.Cart([]), crumbs=25,
                    user={"id": f"u{i}", "email": f"user{i}@example.com"},
                    tags={"browser": "Chrome 120" if i else "Firefox 128"})
        capture(client, buggy_app.plan_of, "grace", user={"email": "alice@example.com"})
        capture(client, triage_app.walk, {}, 200)
        capture(client, triage_app.long_message)
        capture(client, triage_app.render_invoice, 42)
        capture(client, step_0, 0)
        sent += 8
        client.flush(timeout=30)
        client.close()
    assert sys.getrecursionlimit() == limit
    return sent


def test_triage_at_desktop_and_mobile_widths(web, worker, browser, tmp_path):
    org = Organization.objects.create(name="Triage Co", slug="triage")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    key = project.keys.get()  # the default key every project gets
    user = get_user_model().objects.create_user("triager", password="pw-triager-123")
    Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
    port = web.rsplit(":", 1)[1]
    dsn = f"http://{key.public_key}@127.0.0.1:{port}/{project.id}"
    base = f"http://{HOST}:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = lambda page, name: page.screenshot(path=ARTIFACTS / f"triage-{name}.png",  # noqa: E731
                                              full_page=True)

    # Onboarding: per-SDK steps with the real DSN, a copy button per block, and a card that
    # changes by itself when the first event arrives.
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, base, "triager", "pw-triager-123")
    page.wait_for_selector("#empty-state")
    assert key.public_key in page.inner_text("#code-python")
    page.click("button[aria-controls=snippet-go]")
    assert "sentry.Init" in page.inner_text("#code-go")
    page.click("#snippet-go button[data-copy='#code-go-install']")
    page.wait_for_selector("#snippet-go .copied:text('copied')")
    shot(page, "onboarding-1400")
    sent = send_events(dsn, tmp_path)
    expect(page.locator("#first-event-link")).to_be_visible(timeout=60_000)
    wait_for(lambda: Event.objects.filter(project=project).count() == sent, timeout=120,
             message="all SDK events processed")
    page.reload()
    page.wait_for_selector("#issues")
    assert not page.evaluate("window.isSecureContext")  # plain HTTP: the copy fallback runs
    issues = Issue.objects.filter(project=project).count()
    assert page.locator("#issues tbody tr").count() == issues == 6
    shot(page, "stream-1400")

    # Filters apply on change; the counts follow them and say so.
    page.select_option("select[name=environment]", "staging")
    page.wait_for_url("**environment=staging**")
    assert "Events (staging)" in page.text_content("#issues thead")
    checkout = page.locator("#issues tbody tr", has_text="average_price")
    assert checkout.locator("td").nth(3).inner_text() == "3"  # 6 in total, 3 on staging
    releases = page.locator("select[name=release] option").all_inner_texts()
    assert releases.index("shop@1.10") < releases.index("shop@1.9")

    # "/" focuses the search; the syntax narrows the stream.
    page.goto(f"{base}/triage/shop/issues/")
    page.keyboard.press("/")
    page.keyboard.type("user:alice@example.com is:unresolved")
    page.keyboard.press("Enter")
    page.wait_for_url("**query=**")
    expect(page.locator("#issues tbody tr")).to_have_count(1)
    assert "KeyError" in page.inner_text("#issues tbody")
    # Typing completes the last token from the project's data; a misspelt key says so.
    page.fill("#search", "")
    page.keyboard.type("is:unresolved rel")
    expect(page.locator("#search-suggestions option").first).to_have_attribute(
        "value", "is:unresolved release:")
    page.keyboard.type("ease:shop@1.1")
    expect(page.locator("#search-suggestions option").first).to_have_attribute(
        "value", "is:unresolved release:shop@1.10")
    page.goto(f"{base}/triage/shop/issues/?query=relase%3Ashop%401.10")
    expect(page.locator("#search-error")).to_contain_text("relase")
    shot(page, "search-error-1400")
    page.go_back()
    page.wait_for_url("**query=user**")
    page.fill("input[name=name]", "Alice's errors")
    page.click("text=Save this search")
    page.wait_for_selector("#saved-searches >> text=Alice's errors")
    some_event = Event.objects.filter(project=project).order_by("id").first()
    page.fill("#search", some_event.event_id.hex)
    page.keyboard.press("Enter")
    page.wait_for_selector("#issue-title")
    assert f"?event={some_event.id}" in page.url

    # j/k move in the stream, o opens.
    page.goto(f"{base}/triage/shop/issues/?sort=events")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("#issues tbody tr.current")).to_have_count(1)
    first_title = page.locator("#issues tbody tr").first.locator("a").inner_text()
    page.keyboard.press("Escape")
    page.locator("body").press("o")
    page.wait_for_selector("#issue-title")
    assert page.inner_text("#issue-title") == first_title

    # Recursion: one collapsed frame, crash frame open, locals, bounded page.
    recursion = Issue.objects.get(project=project, title__startswith="KeyError: 'missing'")
    recursion_event = recursion.events.values_list("id", flat=True).first()
    page.goto(f"{base}/triage/shop/issues/{recursion.id}/")
    assert page.locator("text=/frame repeated 20\\d times/").count() >= 1
    crash = page.locator("details.frame.crash")
    assert crash.count() == 1 and crash.get_attribute("open") is not None
    assert "depth" in crash.inner_text() and "node" in crash.inner_text()  # local variables
    assert page.evaluate("document.body.scrollHeight") < 6000
    page.click("#raw-trace summary")
    expect(page.locator("#raw-trace-text")).to_contain_text("[Previous line repeated")
    page.click("#raw-trace button[data-copy]")
    page.wait_for_selector("#raw-trace .copied:text('copied')")
    shot(page, "recursion-1400")

    # Breadcrumbs: newest first, ten shown, data and relative times.
    checkout_issue = Issue.objects.get(project=project, culprit__contains="average_price")
    checkout_event = checkout_issue.events.values_list("id", flat=True).first()
    page.goto(f"{base}/triage/shop/issues/{checkout_issue.id}/")
    rows = page.locator("#breadcrumbs > table tr")
    assert rows.count() == 10
    assert "502" in rows.first.inner_text() and "page=24" in rows.first.inner_text()
    assert "show 15 older breadcrumbs" in page.inner_text("#breadcrumbs")
    assert page.locator("#breadcrumbs time").first.get_attribute("title").endswith("UTC")
    assert page.locator("h1 time, p.muted time").first.get_attribute("title")
    shot(page, "checkout-1400")
    page.keyboard.press("r")  # resolve
    page.wait_for_selector("#issue-status:text('resolved')")

    # A 200-frame chain folds into "show N more"; chained exceptions fold per exception.
    chain = Issue.objects.get(project=project, culprit__contains="step_200")
    page.goto(f"{base}/triage/shop/issues/{chain.id}/")
    assert page.locator("details.more > summary", has_text="show").count() >= 1
    assert page.evaluate("document.body.scrollHeight") < 6000
    invoice = Issue.objects.get(project=project, title__startswith="LookupError")
    page.goto(f"{base}/triage/shop/issues/{invoice.id}/")
    exceptions = page.locator("details.exception")
    assert exceptions.count() == 3
    assert exceptions.nth(0).get_attribute("open") is not None
    assert exceptions.nth(2).get_attribute("open") is None
    shot(page, "chain-1400")
    long = Issue.objects.get(project=project, title__startswith="ValueError")
    page.goto(f"{base}/triage/shop/issues/{long.id}/")
    assert page.locator("#issue-title").bounding_box()["height"] < 120
    page.keyboard.press("e")  # ignore
    page.wait_for_selector("#issue-status:text('ignored')")

    # Merge asks for confirmation and lets the user choose the target.
    page.goto(f"{base}/triage/shop/issues/?sort=events")
    boxes = page.locator("#issues input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("button[value=merge]")
    page.wait_for_selector("#merge-form")
    assert Issue.objects.filter(project=project).count() == issues
    page.locator("input[name=target]").nth(1).check()
    target = page.locator("input[name=target]").nth(1).get_attribute("value")
    shot(page, "merge-1400")
    page.click("button[value=yes]")
    page.wait_for_selector("#issue-title")
    assert page.url.rstrip("/").endswith(f"/issues/{target}")
    assert Issue.objects.filter(project=project).count() == issues - 1

    # Settings: snippets with the real DSN, copy fallback, validated threshold, consent link.
    page.goto(f"{base}/triage/shop/settings/")
    assert key.public_key in page.inner_text("#code-python")
    page.click("button[aria-controls=snippet-node]")
    assert "@sentry/node" in page.inner_text("#snippet-node")
    page.click("#setup button[data-copy='#dsn-value']")
    page.wait_for_selector("#setup .copied:text('copied')")
    page.fill("#id_grouping_threshold", "5")
    page.click("#project-form button[type=submit]")
    expect(page.locator("#project-form")).to_contain_text("less than or equal to 1")
    fetching = page.get_by_label("Fetch source maps from allowed origins")
    expect(fetching).to_be_visible()  # off until the project turns it on
    expect(fetching).not_to_be_checked()
    shot(page, "settings-1400")
    page.goto(f"{base}/triage/settings/")
    expect(page.locator("#consent-admin")).to_have_attribute(
        "href", re.compile(r"/admin/consent/organizationconsent/add/\?organization=\d+$"))
    page.keyboard.press("?")
    expect(page.locator("#help")).to_have_class(re.compile(r"\bopen\b"))
    page.goto(f"{base}/triage/nothing-here/issues/")
    expect(page.locator("#error-404")).to_have_count(1)
    shot(page, "404")
    # Releases: what each release brought, and one release's new and regressed issues.
    users.collect(settle_seconds=0)
    page.goto(f"{base}/triage/shop/releases/")
    expect(page.locator("#releases tbody tr")).to_have_count(2)
    assert page.locator("#releases tbody tr").first.inner_text().startswith("shop@1.10")
    shot(page, "releases-1400")
    page.click("text=shop@1.10")
    page.wait_for_selector("#introduced")
    shot(page, "release-1400")

    context.close()

    # 390 px: nothing off screen, sidebar below the main column, skip link first.
    mobile = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = mobile.new_page()
    sign_in(page, base, "triager", "pw-triager-123")
    page.wait_for_selector("#issues")
    page.goto(f"{base}/triage/shop/issues/?status=all")
    assert no_horizontal_overflow(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    shot(page, "stream-390")
    # the merge above may have folded these issues into another: follow their events
    page.goto(f"{base}/triage/shop/issues/{issue_of(recursion_event)}/")
    assert no_horizontal_overflow(page)
    main_box = page.locator(".main-column").bounding_box()
    side_box = page.locator("aside.sidebar").bounding_box()
    assert side_box["y"] >= main_box["y"] + main_box["height"] - 1
    shot(page, "recursion-390")
    page.goto(f"{base}/triage/shop/issues/{issue_of(checkout_event)}/")
    assert no_horizontal_overflow(page)
    shot(page, "checkout-390")
    page.goto(f"{base}/triage/shop/settings/")
    assert no_horizontal_overflow(page)
    shot(page, "settings-390")
    page.goto(f"{base}/triage/shop/releases/")
    assert no_horizontal_overflow(page)
    shot(page, "releases-390")
    mobile.close()

    # Dark mode follows the system: the palette changes, the layout does not.
    for width, height in ((1400, 900), (390, 844)):
        dark = browser.new_context(viewport={"width": width, "height": height},
                                   color_scheme="dark")
        page = dark.new_page()
        sign_in(page, base, "triager", "pw-triager-123")
        page.goto(f"{base}/triage/shop/issues/{issue_of(checkout_event)}/")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        card = page.evaluate("getComputedStyle(document.querySelector('.card')).backgroundColor")
        assert background == "rgb(15, 18, 24)" and card == "rgb(23, 27, 35)", (background, card)
        assert no_horizontal_overflow(page)
        shot(page, f"dark-issue-{width}")
        page.goto(f"{base}/triage/shop/issues/?status=all")
        shot(page, f"dark-stream-{width}")
        dark.close()


def issue_of(event_id: int) -> int:
    """The issue an event belongs to now (a merge moves events to the surviving issue)."""
    return Event.objects.values_list("issue_id", flat=True).get(pk=event_id)
