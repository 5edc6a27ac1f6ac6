"""The priority in a real browser (Debian's Chromium through Playwright, against the web server) at
1400 px and 390 px: the stream's priority column and default order, the issue page's priority
with its reasons, a person's change. Screenshots land in tests/artifacts/priority-*.png."""

import pytest
from django.contrib.auth import get_user_model

from monitor.models import Issue, Membership, Organization, Priority, Project
from tests.helpers.browser import ARTIFACTS, HOST, no_horizontal_overflow
from tests.helpers.browserpage import sign_in
from tests.helpers.events import ingest
from tests.helpers.priority import crash

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_priority_on_the_stream_and_the_issue_page(web, browser):  # noqa: F811
    org = Organization.objects.create(name="Prio Co", slug="prio")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    get_user_model().objects.create_user("prio", password="pw-prio-12345")
    Membership.objects.create(user=get_user_model().objects.get(username="prio"),
                              organization=org, role=Membership.Role.OWNER)
    ingest(project, crash(fingerprint="handled", handled=True, level="warning"))
    ingest(project, crash(fingerprint="plain"))
    ingest(project, crash(fingerprint="crash", handled=False, release="2.4.0"))
    high = Issue.objects.get(priority=Priority.HIGH)
    port = web.rsplit(":", 1)[1]
    base = f"http://{HOST}:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((1400, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      is_mobile=width < 500)
        page = context.new_page()
        sign_in(page, base, "prio", "pw-prio-12345")
        page.goto(f"{base}/prio/shop/issues/")
        cells = page.locator("#issues tbody td.priority")
        assert cells.all_inner_texts() == ["high", "medium", "low"]
        assert no_horizontal_overflow(page)
        page.screenshot(path=ARTIFACTS / f"priority-stream-{width}.png", full_page=True)
        page.goto(f"{base}/prio/shop/issues/{high.id}/")
        factors = page.locator("#priority-factors").inner_text()
        assert factors == "error, unhandled, new in 2.4.0, 1 user"
        assert no_horizontal_overflow(page)
        page.screenshot(path=ARTIFACTS / f"priority-issue-{width}.png", full_page=True)
        context.close()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, base, "prio", "pw-prio-12345")
    page.goto(f"{base}/prio/shop/issues/{high.id}/")
    page.select_option("select[name=priority]", "low")
    page.click("button[value=priority]")
    page.wait_for_selector("text=set by a person")
    assert "from high to low" in page.locator("#activity").inner_text()
    context.close()
    high.refresh_from_db()
    assert high.priority == Priority.LOW and high.priority_locked
