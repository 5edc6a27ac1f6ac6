"""The issue stream and the alert rule form in a real browser (Playwright, Debian's Chromium,
the web server) at 1400×900 and 390×844: lines per screen, the query box and the selects, select-all
and bulk assign, the rule form's trigger fields. Screenshots in tests/artifacts/stream-*.png."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from alerts.models import AlertDestination, AlertRule
from monitor import state
from monitor.models import Issue, Membership, Organization, Project
from monitor.short_ids import short_id
from tests.helpers.browser import ARTIFACTS, no_horizontal_overflow
from tests.helpers.browserpage import sign_in
from tests.helpers.events import event, ingest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ISSUES = 30


def lines_in_view(page) -> int:
    """Stream lines wholly inside the viewport as first shown."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('#issues tbody tr'))
        .filter(r => { const b = r.getBoundingClientRect();
                       return b.top >= 0 && b.bottom <= window.innerHeight; }).length""")


def test_stream_lines_bulk_assign_and_the_rule_form(web, browser):  # noqa: F811
    org = Organization.objects.create(name="Stream Co", slug="streamco")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    users = get_user_model().objects
    owner = users.create_user("olivia", password="pw-olivia-123")
    ada = users.create_user("ada", password="pw-ada-12345")
    Membership.objects.create(user=owner, organization=org, role="owner")
    Membership.objects.create(user=ada, organization=org)
    for n in range(ISSUES):
        ingest(project, {**event(value=f"failure number {n} while pricing the basket of a very "
                                       f"long-winded customer record", caller=f"step_{n}"),
                         "fingerprint": [f"bug-{n}"], "level": "error" if n % 4 else "warning"})
    issues = list(Issue.objects.filter(project=project).order_by("id"))
    state.assign(issues[-1], ada, owner)
    Issue.objects.filter(pk=issues[-2].pk).update(regressed=True,
                                                 first_seen=timezone.now() - dt.timedelta(days=20))
    Issue.objects.filter(pk=issues[-3].pk).update(escalating_since=timezone.now())
    AlertDestination.objects.create(project=project, name="team mail", kind="email",
                                    config={"addresses": ["team@example.com"]})
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, web, "olivia", "pw-olivia-123")
    page.goto(f"{web}/streamco/shop/issues/")
    page.wait_for_selector("#issues")

    # The default query is in the box, the selects say the same; one line per issue.
    assert page.input_value("#search") == "is:unresolved"
    assert page.input_value("select[name=status]") == "unresolved"
    assert page.input_value("select[name=level]") == ""
    rows = page.locator("#issues tbody tr")
    heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
    assert max(heights) < 40, heights  # one line each, however long the title
    shown = lines_in_view(page)
    assert shown >= 12, shown
    assert no_horizontal_overflow(page)
    page.screenshot(path=ARTIFACTS / "stream-lines-1400.png")  # the first screen, as seen
    first = page.locator(f"#issues tr[data-issue='{issues[-1].id}']")
    assert first.locator("td.assignee").inner_text() == "ada"
    assert first.locator(".short-id").inner_text() == short_id("shop", issues[-1].id)
    assert page.locator(f"tr[data-issue='{issues[-2].id}'] [data-marker]").inner_text() == \
        "regressed"
    assert page.locator(f"tr[data-issue='{issues[-3].id}'] [data-marker]").inner_text() == \
        "escalating"

    # A select writes its term into the box; the box's own edit wins over the selects.
    page.select_option("select[name=level]", "warning")
    page.wait_for_url("**level=warning**")
    assert page.input_value("#search") == "is:unresolved level:warning"
    assert page.input_value("select[name=level]") == "warning"
    expect(rows).to_have_count(ISSUES // 4 + 1)
    page.fill("#search", "is:unresolved")
    page.press("#search", "Enter")
    page.wait_for_url(lambda url: "query=is%3Aunresolved&" in url and "level" not in url)
    assert page.input_value("select[name=level]") == ""
    expect(rows).to_have_count(25)  # a page

    # Select all, then bulk assign to ada: exactly the page's issues change.
    page.check("#select-all")
    expect(page.locator("#selected-count")).to_have_text("25 selected")
    page.locator(f"#issues tr[data-issue='{issues[-1].id}'] input[name=issue]").uncheck()
    page.select_option("select[name=assignee]", "ada")
    page.click("button[value=assign]")
    page.wait_for_selector(".messages")
    assert "24 issues assigned to ada" in page.inner_text(".messages")
    on_page = set(rows.evaluate_all("rs => rs.map(r => Number(r.dataset.issue))"))
    assigned = set(Issue.objects.filter(assignee=ada).values_list("id", flat=True))
    assert assigned == on_page  # 24 chosen + the one assigned before, nothing off the page
    page.screenshot(path=ARTIFACTS / "stream-assigned-1400.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{web}/streamco/shop/issues/")
    page.screenshot(path=ARTIFACTS / "stream-lines-390.png", full_page=True)
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('main *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
    assert no_horizontal_overflow(page), wide

    # The rule form: only the trigger's fields; edit and delete.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{web}/streamco/shop/settings/alerts/rules/new/")
    form = page.locator("#add-rule")
    expect(form.locator("input[name=threshold]")).to_be_hidden()
    form.locator("input[name=name]").fill("bursts")
    form.locator("select[name=trigger]").select_option("frequency")
    expect(form.locator("input[name=threshold]")).to_be_visible()
    form.locator("input[name=threshold]").fill("")
    form.locator("button[value=create_rule]").click()
    page.wait_for_selector("text=Needed for this trigger.")
    page.screenshot(path=ARTIFACTS / "stream-rule-errors-1400.png", full_page=True)
    form = page.locator("#add-rule")
    form.locator("input[name=threshold]").fill("20")
    form.locator("input[name=window_minutes]").fill("5")
    form.locator("label", has_text="team mail").check()
    form.locator("button[value=create_rule]").click()
    page.wait_for_selector("text=Alert rule created.")
    rule = AlertRule.objects.get(project=project, name="bursts")
    assert (rule.threshold, rule.window_minutes) == (20, 5)
    page.locator(f"#rule-{rule.id} a", has_text="Edit").click()
    page.locator("#edit-rule select[name=trigger]").select_option("new_issue")
    expect(page.locator("#edit-rule input[name=threshold]")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "stream-rule-edit-1400.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=ARTIFACTS / "stream-rule-edit-390.png", full_page=True)
    assert no_horizontal_overflow(page)
    page.locator("#edit-rule button[value=save_rule]").click()
    page.wait_for_selector("text=Alert rule saved.")
    rule.refresh_from_db()
    assert rule.trigger == "new_issue"
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f"#rule-{rule.id} button[value=delete_rule]").click()
    page.wait_for_load_state()
    expect(page.locator(f"#rule-{rule.id}")).to_have_count(0)
    assert not AlertRule.objects.filter(pk=rule.pk).exists()
