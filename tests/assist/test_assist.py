"""AI issue summaries (assist/): consent as the only door, the prompt's contents, the real local
model, an OpenAI-compatible endpoint (a tiny local HTTP server), failures that leave nothing
half-written, same-organisation retrieval, withdrawal, rate limits, API, page and log."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from assist import backends, gate, parse, prompt, retrieval, service
from assist.models import Generation, GenerationLog, ProjectAssist, ResolutionNote
from grouping import ml
from monitor import limits
from monitor.models import Issue, Organization, Project
from tests.helpers.assist import FakeOpenAI, consent, generate, ingest, payload
from tests.helpers.cast import join

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_backend(settings, redis_client):
    settings.ASSIST_BACKEND = "local"  # the default is none (the brief alone)
    settings.ASSIST_MAX_NEW_TOKENS = 80
    settings.ASSIST_TIMEOUT_SECONDS = 120
    for key in redis_client.scan_iter("assist:rate:*"):
        redis_client.delete(key)
    previous = backends._backend
    yield
    backends._backend = previous if settings.ASSIST_BACKEND == "local" else None


@pytest.fixture
def hosted(settings):
    fake = FakeOpenAI()
    settings.ASSIST_BACKEND = "openai"
    settings.ASSIST_OPENAI_URL = fake.url
    settings.ASSIST_OPENAI_MODEL = "team-llm"
    settings.ASSIST_OPENAI_KEY = "sk-test-key"
    settings.ASSIST_TIMEOUT_SECONDS = 1
    backends._backend = None
    yield fake
    backends._backend = None
    fake.close()


# --- the prompt: only consented parts, bounded, scrubbed -------------------------------------


EVENT = {
    "exception": [{"type": "ZeroDivisionError", "value": "division by zero for ada@example.com",
                   "stacktrace": {"frames": [{"module": "shop.cart", "function": "average_price",
                                              "in_app": True, "context_line": "return s / n",
                                              "vars": {"secret": "v4rs"}}]}}],
    "breadcrumbs": [{"category": "http", "message": "GET /cart"}] * 8,
}
TAGS = [["environment", "prod"], ["user", "email:ada@example.com"], ["url", "https://x/cart"]]


def test_the_prompt_carries_only_the_consented_parts():
    only_traces = prompt.build(EVENT, "", TAGS, gate.allowed_parts(frozenset({"stack_traces"})))
    text = only_traces.text
    assert "average_price in shop.cart" in text and only_traces.parts == ["stack_trace"]
    for absent in ("division by zero", "return s / n", "GET /cart", "environment=prod", "v4rs"):
        assert absent not in text
    everything = prompt.build(EVENT, "", TAGS, gate.allowed_parts(frozenset(
        {"stack_traces", "error_messages", "dom_interactions", "repository_code"})))
    text = everything.text
    assert "division by zero" in text and "return s / n" in text and "environment=prod" in text
    assert text.count("http GET /cart") == limits.ASSIST_PROMPT_BREADCRUMBS
    assert "email:" not in text and "https://x/cart" not in text and "v4rs" not in text
    assert prompt.categories_of(everything.parts) == [
        "dom_interactions", "error_messages", "repository_code", "stack_traces"]
    assert gate.allowed_parts(frozenset({"repository_code"})) == frozenset()  # code needs traces


def test_answers_are_parsed_whole_or_refused():
    answer = parse.parse("**Summary:** It broke in f.\nCause: x is None here.\nFix: check x "
                         "first.\n```python\nnoise\n```")
    assert answer == parse.Answer("It broke in f.", "x is None here.", "check x first.")
    for junk in ("", "   ", "I cannot help with that.", "Summary: fine fine fine fine fine fine"
                 " fine fine fine fine fine fine fine fine\nCause: a b c d", "\x00\x01" * 50,
                 "Summary: only a summary line here"):
        with pytest.raises(parse.JunkAnswer):
            parse.parse(junk)


# --- consent is the only door ----------------------------------------------------------------


def test_without_consent_nothing_is_generated_and_hidden_means_no_trace(org, project, owner):
    issue = ingest(project, payload())
    client = Client()
    client.force_login(owner)
    page = f"/{org.slug}/{project.slug}/issues/{issue.id}/"
    with pytest.raises(service.Refused) as refused:
        service.request(issue, owner)
    assert refused.value.status == 403
    assert client.post(f"/api/0/issues/{issue.id}/summary/").status_code == 403
    assert "AI summary" in client.get(page).content.decode()  # off, and says why
    consent(org, hide_ai_features=True)
    html = client.get(page).content.decode()
    assert 'id="assist"' not in html and "AI summary" not in html and "assist" not in html
    for url in (f"/api/0/issues/{issue.id}/summary/", f"/api/0/issues/{issue.id}/resolution-notes/",
                f"/api/0/organizations/{org.slug}/assist-log/", f"/{org.slug}/assist/log/",
                page + "assist/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/0/issues/{issue.id}/summary/").status_code == 404
    assert not Generation.objects.exists()


# --- the real local model --------------------------------------------------------------------


class Recording:
    """Wraps a real backend and keeps the messages it was given (the model still runs)."""

    def __init__(self, inner):
        self.inner, self.messages = inner, []
        self.name, self.model_name = inner.name, inner.model_name

    def complete(self, messages, *args, **kwargs):
        self.messages.append(messages)
        return self.inner.complete(messages, *args, **kwargs)


@pytest.fixture(scope="module")
def local_model():
    return backends.LocalBackend()


def test_the_local_model_summarises_with_scrubbed_prompt_and_audit(org, project, owner,
                                                                   local_model):
    consent(org)
    issue = ingest(project, payload(message="division by zero for ada@example.com"))
    backends._backend = spy = Recording(local_model)
    generation = generate(issue, owner)
    sent = "\n".join(m["content"] for m in spy.messages[0])
    assert "ada@example.com" not in sent and "<EMAIL_ADDRESS>" in sent
    assert "average_price in shop.cart" in sent
    assert generation.status == "done", generation.error
    assert generation.summary and (generation.cause or generation.fix)
    assert generation.model == "SmolLM2-135M-Instruct.Q4_1"
    entry = GenerationLog.objects.get()
    assert entry.requested_by == owner and entry.outcome == "done" and entry.backend == "local"
    assert entry.prompt_sha256 == prompt.Prompt(spy.messages[0], []).sha256
    assert entry.categories == ["error_messages", "repository_code", "stack_traces"]
    assert 0 < entry.completion_tokens <= 80 and entry.prompt_tokens > 50 and entry.latency_ms > 0


def test_a_local_model_that_runs_out_of_time_leaves_nothing(org, project, local_model, settings):
    consent(org)
    issue = ingest(project, payload())
    settings.ASSIST_TIMEOUT_SECONDS = 0.01
    backends._backend = local_model
    generation = generate(issue)
    assert generation.status == "failed" and "did not answer within" in generation.error
    assert generation.summary == generation.cause == generation.fix == ""
    assert GenerationLog.objects.get().outcome == "failed"


# --- an OpenAI-compatible endpoint (a tiny local server) -------------------------------------


def test_a_hosted_endpoint_is_called_with_model_key_and_scrubbed_messages(org, project, owner,
                                                                          hosted):
    consent(org)
    issue = ingest(project, payload(message="token=hunter2secret for ada@example.com"))
    generation = generate(issue, owner)
    assert generation.status == "done" and generation.cause.startswith("The cart has no items")
    request = hosted.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test-key"
    assert request["body"]["model"] == "team-llm"
    sent = json.dumps(request["body"])
    assert "hunter2secret" not in sent and "ada@example.com" not in sent
    entry = GenerationLog.objects.get()
    assert (entry.backend, entry.model, entry.prompt_tokens, entry.completion_tokens) == (
        "openai", "team-llm", 100, 30)


@pytest.mark.parametrize("mode, message", [
    ("error", "answered HTTP 500"),
    ("slow", "did not answer within 1 seconds"),
    ("junk", "did not have a summary"),
    ("garbage", "not a chat completion"),
])
def test_a_failing_model_leaves_a_clear_message_and_nothing_half_written(
    org, project, hosted, mode, message
):
    consent(org)
    issue = ingest(project, payload())
    hosted.mode = mode
    generation = generate(issue)
    assert generation.status == "failed" and message in generation.error
    assert generation.summary == generation.cause == generation.fix == ""
    assert GenerationLog.objects.get().outcome == "failed"


def test_an_unreachable_endpoint_fails_cleanly(org, project, settings):
    consent(org)
    settings.ASSIST_BACKEND, settings.ASSIST_OPENAI_MODEL = "openai", "m"
    settings.ASSIST_OPENAI_URL = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    backends._backend = None
    generation = generate(ingest(project, payload()))
    assert generation.status == "failed" and "could not be reached" in generation.error
    backends._backend = None


# --- same organisation only ------------------------------------------------------------------


def test_no_other_organisations_text_reaches_a_prompt_or_an_output(org, project, hosted,
                                                                   redis_client):
    redis_client.delete(ml.BREAKER_KEY)
    other_org = Organization.objects.create(name="Globex", slug="globex")
    other = Project.objects.create(organization=other_org, name="Shop", slug="shop",
                                   platform="python", grouping_mode="shadow")
    Project.objects.filter(pk=project.pk).update(grouping_mode="shadow")
    consent(org)
    consent(other_org)
    mine = ingest(project, payload(caller="nightly_report"))
    theirs = ingest(other, payload(caller="nightly_report"))
    ml.drain(wait_ms=0)
    for resolved, marker in ((mine, "ACME-FIX-guard-empty-carts"),
                             (theirs, "GLOBEX-SECRET-fix-never-leaks")):
        Issue.objects.filter(pk=resolved.pk).update(status=Issue.Status.RESOLVED)
        ResolutionNote.objects.create(issue=resolved, text=marker)
    issue = ingest(project, payload(caller="checkout_view", crash="return total / len(items)"))
    ml.drain(wait_ms=0)
    assert issue.id not in (mine.id, theirs.id)
    assert retrieval.same_organization([theirs.id, mine.id], org.id) == [mine.id]
    hosted.mode = "echo"
    generation = generate(issue)
    sent = json.dumps(hosted.requests[-1]["body"])
    output = " ".join((generation.summary, generation.cause, generation.fix))
    assert "ACME-FIX-guard-empty-carts" in sent and "ACME-FIX-guard-empty-carts" in output
    assert generation.examples == [mine.id]
    for text in (sent, output):
        assert "GLOBEX" not in text and "SECRET-fix" not in text


# --- withdrawal, rate limits, new issues -----------------------------------------------------


def test_withdrawing_consent_deletes_stored_generations(
    org, project, hosted, django_capture_on_commit_callbacks
):
    row = consent(org)
    issue = ingest(project, payload())
    assert generate(issue).status == "done"
    row.generative_dom_interactions = False  # not used by this prompt: the summary stays
    with django_capture_on_commit_callbacks(execute=True):
        row.save()
    assert Generation.objects.count() == 1
    row.generative_repository_code = False  # used (code lines): the summary goes
    with django_capture_on_commit_callbacks(execute=True):
        row.save()
    assert not Generation.objects.exists()
    assert GenerationLog.objects.count() == 1  # the audit trail carries no content and stays


def test_rate_limits_are_per_organisation(org, project, settings, hosted):
    settings.ASSIST_RATE_LIMIT = 2
    other_org = Organization.objects.create(name="Globex", slug="globex")
    other = Project.objects.create(organization=other_org, name="Shop", slug="shop")
    consent(org)
    consent(other_org)
    for n in range(2):
        generate(ingest(project, payload(function=f"f{n}")))
    with pytest.raises(service.Refused) as refused:
        service.request(ingest(project, payload(function="f9")))
    assert refused.value.status == 429
    assert generate(ingest(other, payload())).status == "done"


def test_projects_that_opt_in_get_summaries_of_new_issues(org, project, hosted):
    consent(org)
    issue = ingest(project, payload())
    later = issue.first_seen + service.NEW_ISSUE_SETTLE * 2
    assert service.upkeep(now=later)["new_issues"] == 0
    ProjectAssist.objects.create(project=project, summarize_new_issues=True)
    assert service.upkeep(now=later)["new_issues"] == 1
    assert service.upkeep(now=later)["new_issues"] == 0  # once
    generation = Generation.objects.get()
    assert generation.trigger == "new_issue" and generation.requested_by is None


# --- API, page and the owners' log -----------------------------------------------------------


def test_api_page_notes_and_log(org, project, owner, hosted):
    consent(org)
    issue = ingest(project, payload())
    member = get_user_model().objects.create_user("max", password="pw-max-12345")
    join(member, org)
    stranger = get_user_model().objects.create_user("eve", password="pw-eve-12345")
    client = Client()
    client.force_login(member)
    url = f"/api/0/issues/{issue.id}/summary/"
    assert client.get(url).json() == {"issue": issue.id, "status": "none"}
    queued = client.post(url)
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
    service.run(queued.json()["id"])
    body = client.get(url).json()
    assert body["status"] == "done" and body["fix"].startswith("Return 0")
    notes = client.post(f"/api/0/issues/{issue.id}/resolution-notes/", {"text": "guarded"})
    assert notes.status_code == 201 and notes.json()["author"] == "max"
    html = client.get(f"/{org.slug}/{project.slug}/issues/{issue.id}/").content.decode()
    assert "The cart has no items" in html and "guarded" in html and "AI usage log" not in html
    assert client.get(f"/api/0/organizations/{org.slug}/assist-log/").status_code == 404
    client.force_login(owner)
    log = client.get(f"/api/0/organizations/{org.slug}/assist-log/").json()
    assert log[0]["requested_by"] == "max" and log[0]["model"] == "team-llm"
    assert "team-llm" in client.get(f"/{org.slug}/assist/log/").content.decode()
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(f"/{org.slug}/{project.slug}/issues/{issue.id}/assist/summarize/"
                       ).status_code == 404


def test_the_labelled_set_scores_exception_location_cause_and_fix():
    from collections import Counter

    from assist import evalset

    cases = {case.bug: case for case in evalset.cases()}
    labels = evalset.labels()
    assert set(cases) == set(labels["devset"]) | {b["bug"] for b in labels["bugs"]}
    assert len(cases) >= 60 and all(case.cause and case.fix for case in cases.values())
    assert set(Counter(case.platform for case in cases.values())) == {"py", "js", "java"}
    empty = cases["py.cart.average_of_empty"]
    assert empty.exceptions == ("ZeroDivisionError",) and "average_price" in empty.locations
    assert evalset.score(empty, "ZeroDivisionError in average_price: the cart is empty.").all
    fixed = evalset.score(empty, "the cart is empty", fix_text="Return 0 if not items.")
    assert fixed.fix and not evalset.score(empty, "empty", fix_text="Restart the server.").fix
    kiwi = cases["py.catalog.missing_sku"]
    assert kiwi.event["contexts"]["runtime"]["version"] == "3.11.7"
    assert kiwi.locations[0] == "price_of" and kiwi.exceptions == ("KeyError",)
    wrong = evalset.score(empty, "ZeroDivisionError in average_prices: bad network")
    assert wrong.exception and not wrong.location and not wrong.cause
