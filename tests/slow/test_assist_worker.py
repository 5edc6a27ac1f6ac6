"""AI summaries through the real `assist` Celery worker: the web request only queues, the worker
calls the model (an OpenAI-compatible server on 127.0.0.1), the page's card shows the answer."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from assist.models import Generation
from monitor.models import Membership
from tests.conftest import start_worker, wait_for
from tests.helpers.assist import FakeOpenAI, consent, ingest, payload
from tests.helpers.browserpage import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


def test_the_worker_generates_and_the_page_shows_it(live_env, org, project, settings):
    settings.ASSIST_BACKEND = "openai"  # the web side only checks that a model is configured
    fake = FakeOpenAI()
    fake.mode = "slow"  # the model takes 3 s: the web request must not wait for it
    env = dict(live_env, ASSIST_BACKEND="openai", ASSIST_OPENAI_URL=fake.url,
               ASSIST_OPENAI_MODEL="team-llm", ASSIST_TIMEOUT_SECONDS="20")
    worker = start_worker(env, "assister", concurrency=1, queues="assist")
    try:
        consent(org)
        issue = ingest(project, payload())
        user = get_user_model().objects.create_user("wendy", password="pw-wendy-123")
        Membership.objects.create(user=user, organization=org)
        client = Client()
        client.force_login(user)
        page = f"/{org.slug}/{project.slug}/issues/{issue.id}/"
        started = time.monotonic()
        response = client.post(page + "assist/summarize/")
        assert response.status_code == 302 and time.monotonic() - started < 2.5
        assert Generation.objects.get().status in ("pending", "running")
        assert 'data-pending="1"' in client.get(page).content.decode()
        done = wait_for(lambda: Generation.objects.filter(status="done").first(), timeout=90,
                        message="the assist worker to finish")
        assert done.model == "team-llm" and fake.requests
        card = client.get(page + "assist/").content.decode()
        assert "The cart has no items" in card and 'data-pending="0"' in card
        html = client.get(page).content.decode()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "assist_issue.html").write_text(html)
    finally:
        worker.stop()
        fake.close()


def test_the_issue_page_shows_the_brief_first_in_a_browser(web, org, project,
                                                          browser):  # noqa: F811
    """The default card (no model configured): the brief, then how to configure a model; at a
    desktop and a phone width, without horizontal overflow. Screenshots in tests/artifacts/."""
    from tests.helpers.assist import KIWI

    user = get_user_model().objects.create_user("brenda", password="pw-brenda-123")
    Membership.objects.create(user=user, organization=org, role="owner")
    consent(org)
    issue = ingest(project, KIWI)
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, web, "brenda", "pw-brenda-123")
    page.goto(f"{web}/{org.slug}/{project.slug}/issues/{issue.id}/")
    brief = page.locator("#brief")
    assert brief.is_visible() and "sku-kiwi" in page.locator("#brief-what").inner_text()
    assert "price_of" in page.locator("#brief-where").inner_text()
    assert page.locator("#assist-no-model").is_visible()
    assert brief.bounding_box()["y"] < page.locator("#assist").bounding_box()["y"]
    page.screenshot(path=ARTIFACTS / "assist-brief.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=ARTIFACTS / "assist-brief-mobile.png", full_page=True)
    page.close()
