"""Alert settings and issue triage in a real browser (Playwright, Debian's Chromium, the web server,
an alerts Celery worker, a signature-checking receiver); screenshots in tests/artifacts/."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from alerts.models import AlertDestination, AlertRule
from monitor.models import Issue, Membership, Organization, Project
from tests.conftest import start_worker, wait_for
from tests.helpers.alert_receivers import HTTPReceiver
from tests.helpers.browser import ARTIFACTS
from tests.helpers.browserpage import sign_in
from tests.helpers.events import event, ingest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def alerts_worker(live_env):
    process = start_worker(live_env, "alerts-browser", concurrency=1, queues="alerts")
    yield process
    process.stop()


def test_owner_sets_up_alerts_and_triages(web, alerts_worker, browser):  # noqa: F811
    org = Organization.objects.create(name="Alerting Co", slug="alerting")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    owner = get_user_model().objects.create_user("olivia", password="pw-olivia-123",
                                                 is_staff=True)
    Membership.objects.create(user=owner, organization=org, role="owner")
    ingest(project, {**event(), "fingerprint": ["a"], "release": "shop@1"})
    issue = Issue.objects.get(project=project)
    receiver = HTTPReceiver().start()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        sign_in(page, web, "olivia", "pw-olivia-123")
        page.goto(f"{web}/alerting/shop/settings/")
        form = page.locator("#add-destination")
        form.locator("input[name=name]").fill("team hook")
        form.locator("select[name=kind]").select_option("webhook")
        form.locator("textarea[name=target]").fill(receiver.url + "/hook")
        form.locator("input[name=allow_private]").check()
        form.locator("button[value=create_destination]").click()
        page.wait_for_selector("text=Destination added.")
        destination = AlertDestination.objects.get(project=project)
        receiver.secret = destination.secret
        rule_form = page.locator("#add-rule")
        rule_form.locator("input[name=name]").fill("new errors")
        rule_form.locator("select[name=trigger]").select_option("new_issue")
        rule_form.locator(f"input[name=destinations][value='{destination.id}']").check()
        rule_form.locator("button[value=create_rule]").click()
        page.wait_for_selector("text=Alert rule created.")
        assert AlertRule.objects.get(project=project).destinations.get() == destination
        page.locator(f"#destination-{destination.id} button[value=test_destination]").click()
        # the form's own navigation first: a reload while it is in flight finds no page (CI)
        page.wait_for_selector("text=Test sent to team hook")
        wait_for(lambda: receiver.hits, timeout=60, message="the test webhook")
        assert receiver.hits[0].signature_ok
        page.reload()
        assert "sent" in page.inner_text(f"#destination-{destination.id}")
        page.screenshot(path=ARTIFACTS / "alerts-settings.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=ARTIFACTS / "alerts-settings-mobile.png", full_page=True)
        page.set_viewport_size({"width": 1400, "height": 900})

        page.goto(f"{web}/alerting/shop/issues/{issue.id}/")
        page.locator("#assignee-form select[name=assignee]").select_option("olivia")
        page.locator("#assignee-form button[value=assign]").click()
        expect(page.locator("#activity")).to_contain_text("assigned by olivia")  # reloaded
        page.fill("#triage textarea[name=text]", "Looking into it after lunch.")
        page.locator("#triage button[value=comment]").click()
        expect(page.locator("#activity")).to_contain_text("commented")
        page.locator("#triage summary").click()
        page.locator("#triage input[name=events]").fill("100")
        page.locator("#triage button[value=ignore_until]").click()
        page.wait_for_selector("#ignore-condition")
        activity = page.inner_text("#activity")
        assert "assigned by olivia" in activity and "commented" in activity
        assert "ignored" in activity
        page.screenshot(path=ARTIFACTS / "issue-triage.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=ARTIFACTS / "issue-triage-mobile.png", full_page=True)
        page.goto(f"{web}/alerting/shop/issues/?status=all&assigned=me")
        assert page.locator("#issues tbody tr").count() == 1
        page.goto(f"{web}/alerting/shop/settings/alerts/destinations/{destination.id}/")
        assert "sent" in page.inner_text("#attempts")
        page.screenshot(path=ARTIFACTS / "alerts-attempts.png", full_page=True)
        page.close()
    finally:
        receiver.stop()
