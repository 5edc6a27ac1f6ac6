"""In a real browser (Debian's Chromium through Playwright, against the web server), at 1400 px and
390 px: a "likely the same — merge?" suggestion is answered from the issue page, *not the same*
is shown and undone there, and *merge* merges. Screenshots: tests/artifacts/grouping-*.png."""

import pytest
from django.contrib.auth import get_user_model

from grouping import ml
from grouping.models import KeptApart, MergeSuggestion
from monitor.models import Issue, Membership, Organization, Project
from tests.helpers.browser import ARTIFACTS, no_horizontal_overflow
from tests.helpers.browserpage import sign_in
from tests.helpers.events import NEAR, event, ingest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def stock_model(settings):
    """These variants' distances and the suggestion bands were chosen for the stock model (the
    shipped model's bands are not chosen yet); what is tested is the mechanism, not the model."""
    settings.EMBEDDING_MODEL = "stock"


def suggested_project(org, slug: str) -> tuple[Project, MergeSuggestion]:
    """A project whose second fingerprint is suggested for the first one's issue."""
    project = Project.objects.create(organization=org, name=slug, slug=slug, platform="python")
    ingest(project, event())
    ml.drain(wait_ms=0)
    ingest(project, event(**NEAR, user="2"))
    ml.drain(wait_ms=0)
    return project, MergeSuggestion.objects.get(project=project)


def test_a_suggestion_is_answered_from_the_issue_page_at_both_widths(web, browser,  # noqa: F811
                                                                      redis_client):
    redis_client.delete(ml.BREAKER_KEY)
    org = Organization.objects.create(name="Feedback Co", slug="fb")
    user = get_user_model().objects.create_user("triager", password="pw-triager-123")
    Membership.objects.create(user=user, organization=org)
    wide, wide_suggestion = suggested_project(org, "wide")
    narrow, narrow_suggestion = suggested_project(org, "narrow")
    ARTIFACTS.mkdir(exist_ok=True)

    def shot(page, name):
        page.screenshot(path=ARTIFACTS / f"grouping-{name}.png", full_page=True)

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, web, "triager", "pw-triager-123")
    page.goto(f"{web}/fb/wide/issues/")
    assert page.locator("#issues .pill.suggested").count() == 2
    shot(page, "stream-1400")
    new_issue = wide_suggestion.group_hash.issue_id
    page.goto(f"{web}/fb/wide/issues/{new_issue}/")
    card = page.locator("#suggestions")
    assert "average" in card.text_content() and "matching frame" in card.text_content()
    shot(page, "suggestion-1400")
    card.get_by_role("button", name="Not the same").click()
    page.wait_for_selector("#kept-apart")
    assert page.locator("#suggestions").count() == 0
    assert "by triager" in page.text_content("#kept-apart")
    assert KeptApart.objects.filter(project=wide, lifted_at=None).count() == 1
    assert Issue.objects.filter(project=wide).count() == 2
    shot(page, "kept-apart-1400")
    page.locator("#kept-apart").get_by_role("button", name="Undo").click()
    page.wait_for_selector("#kept-apart", state="detached")
    assert not KeptApart.objects.filter(project=wide, lifted_at=None).exists()
    context.close()

    mobile = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = mobile.new_page()
    sign_in(page, web, "triager", "pw-triager-123")
    page.goto(f"{web}/fb/narrow/issues/{narrow_suggestion.candidate_id}/")
    assert no_horizontal_overflow(page)
    shot(page, "suggestion-390")
    page.locator("#suggestions").get_by_role("button", name="Merge").click()
    page.wait_for_url(f"**/fb/narrow/issues/{narrow_suggestion.candidate_id}/")
    assert Issue.objects.filter(project=narrow).count() == 1
    assert page.locator("#suggestions").count() == 0
    assert no_horizontal_overflow(page)
    shot(page, "merged-390")
    mobile.close()
