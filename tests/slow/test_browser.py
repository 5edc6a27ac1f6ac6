"""The triage UI in a real browser: Playwright driving Debian's Chromium against granian, with
issues produced by the official sentry-sdk. Screenshots land in tests/artifacts/."""


import pytest
import sentry_sdk
from django.contrib.auth import get_user_model

from monitor.models import Event, Membership, Organization, Project, ProjectKey
from tests.conftest import wait_for
from tests.helpers import buggy_app
from tests.helpers.browser import ARTIFACTS
from tests.helpers.browserpage import sign_in
from tests.helpers.sdk import capture

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_sign_in_read_resolve_filter_and_merge(web, worker, browser):
    org = Organization.objects.create(name="Browser Co", slug="browser")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    key = ProjectKey.objects.create(project=project)
    user = get_user_model().objects.create_user("tester", password="pw-tester-123")
    Membership.objects.create(user=user, organization=org)
    dsn = f"http://{key.public_key}@{web.split('://', 1)[1]}/{project.id}"
    client = sentry_sdk.Client(dsn=dsn, default_integrations=False,
                               auto_enabling_integrations=False)
    capture(client, buggy_app.checkout, buggy_app.Cart([]))
    capture(client, buggy_app.plan_of, "grace")
    capture(client, buggy_app.load_config, "/nonexistent/app.toml")
    client.flush(timeout=30)
    client.close()
    wait_for(lambda: Event.objects.filter(project=project).count() == 3, timeout=90,
             message="three events processed")
    ARTIFACTS.mkdir(exist_ok=True)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, web, "tester", "pw-tester-123")
    page.wait_for_selector("#issues")
    assert page.locator("#issues tbody tr").count() == 3
    page.screenshot(path=ARTIFACTS / "stream.png", full_page=True)

    page.click("text=ZeroDivisionError: division by zero")
    page.wait_for_selector("#issue-title")
    assert "return sum(self.items) / len(self.items)" in page.inner_text(".frames")
    assert "average_price" in page.inner_text(".frames")
    page.screenshot(path=ARTIFACTS / "issue.png", full_page=True)
    page.click("button[value=resolve]")
    page.wait_for_selector("#issue-status")
    assert page.inner_text("#issue-status") == "resolved"

    page.goto(f"{web}/browser/shop/issues/?status=resolved")
    assert page.locator("#issues tbody tr").count() == 1
    page.goto(f"{web}/browser/shop/issues/?query=KeyError")
    assert page.locator("#issues tbody tr").count() == 1

    page.goto(f"{web}/browser/shop/issues/")
    for checkbox in page.locator("#issues input[type=checkbox]").all():
        checkbox.check()
    page.click("button[value=merge]")
    page.wait_for_selector("#merge-form")  # confirmation, with a choice of target
    page.click("button[value=yes]")
    page.wait_for_selector(".messages")
    assert "Merged 2 issues" in page.inner_text(".messages")
    page.goto(f"{web}/browser/shop/issues/")
    assert page.locator("#issues tbody tr").count() == 1
    page.screenshot(path=ARTIFACTS / "merged.png", full_page=True)

    page.click("text=Project settings")
    page.wait_for_selector("#keys")
    assert key.public_key in page.inner_text("#keys")
    page.screenshot(path=ARTIFACTS / "project-settings.png", full_page=True)
    page.click("text=Organisation")
    page.wait_for_selector("#members")
    assert "tester" in page.inner_text("#members")
    assert page.locator("#consent").count() == 0  # the consent summary is for owners
    page.screenshot(path=ARTIFACTS / "organization-settings.png", full_page=True)
    page.close()


def test_minified_bundle_frames_show_original_names_and_code(web, worker, browser, tmp_path):
    """tests/js/app/names bundled and minified by esbuild, debug IDs injected and the map
    uploaded by the real sentry-cli, errors reported by @sentry/browser in Chromium: the issue
    page shows the original function names, class names and code around each line."""
    from sourcemaps.tokens import create_org_token
    from tests.helpers import jsbuild
    from tests.helpers.browserpage import serving

    org = Organization.objects.create(name="Names Web", slug="namesweb")
    project = Project.objects.create(organization=org, name="Front", slug="front",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    dsn = f"http://{project.keys.get().public_key}@{web.split('://', 1)[1]}/{project.id}"
    _, token = create_org_token(org, "ci", url=web)
    dist = jsbuild.build_names_bundle(tmp_path, "browser.js", "names-web@1", dsn)
    for args in (("inject", str(dist)),
                 ("upload", "--wait", "--org", org.slug, "--project", project.slug, str(dist))):
        done = jsbuild.run_cli(token, "sourcemaps", *args)
        assert done.returncode == 0, done.stdout + done.stderr
    with serving(dist) as url:
        page = browser.new_page()
        page.goto(url)
        assert page.evaluate("window.runScenarios()") is True
        page.close()
    events = Event.objects.filter(project=project)
    wait_for(lambda: events.count() == 3, timeout=90, message="three browser events processed")
    marked = []
    for event in events:
        for frame in event.data["exception"][-1]["stacktrace"]["frames"]:
            mark = jsbuild.frame_mark(frame)
            if mark:
                marked.append((mark[1], frame["function"]))
                assert frame["pre_context"] and frame["post_context"], frame
    assert len(marked) == 17 and [m for m in marked if m[0] != m[1]] == [], marked
    missing = events.get(title__startswith="NotFoundError")
    assert missing.data["exception"][-1]["minified_type"] != "NotFoundError"

    user = get_user_model().objects.create_user("namesweb", password="pw-namesweb-123")
    Membership.objects.create(user=user, organization=org)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, web, "namesweb", "pw-namesweb-123")
    page.goto(f"{web}/{org.slug}/{project.slug}/issues/{missing.issue_id}/")
    frames = page.inner_text(".frames")
    assert "Inventory.find" in frames and "handlers.stock" in frames
    assert 'throw new NotFoundError("no such sku: " + sku);' in frames
    assert page.inner_text("#issue-title").startswith("NotFoundError: no such sku")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "js-names-issue.png", full_page=True)
    page.close()
