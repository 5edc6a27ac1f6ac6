"""Requesting, running and forgetting generations. Web views, the API and beat call these;
the model itself only ever runs in `run`, inside the `assist` Celery queue."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assist import brief, gate, grounding, prompt, ratelimit, retrieval
from assist.backends import BackendError, get_backend
from assist.models import Generation, GenerationLog, ProjectAssist
from assist.parse import JunkAnswer, parse
from monitor.models import Event, Issue

log = logging.getLogger(__name__)
NEW_ISSUE_WINDOW = dt.timedelta(days=1)
NEW_ISSUE_SETTLE = dt.timedelta(seconds=60)  # let ML grouping decide first
NEW_ISSUES_PER_RUN = 50
REQUEUE_AFTER = dt.timedelta(minutes=5)


class Refused(Exception):
    """A request that cannot be served; `code` maps to an HTTP status, the message is shown."""

    STATUS = {"hidden": 404, "not_enabled": 403, "not_configured": 503, "rate_limited": 429}

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message, self.status = code, message, self.STATUS[code]


def model_configured() -> bool:
    """Generation needs a backend chosen by the operator (ASSIST_BACKEND); without one the card
    shows the brief alone (docs/assist.md: no bundled model beats it)."""
    return settings.ASSIST_BACKEND in ("local", "openai")


def latest(issue: Issue) -> Generation | None:
    return Generation.objects.filter(issue=issue).order_by("-created_at", "-id").first()


def request(issue: Issue, user=None, trigger: str = Generation.Trigger.USER) -> Generation:
    """Queue a summary of the issue (or return the one already under way)."""
    organization_id = issue.project.organization_id
    if not gate.visible(organization_id):
        raise Refused("hidden", "Not found.")
    if not gate.enabled(gate.allowed_categories(organization_id)):
        raise Refused("not_enabled", "AI summaries need the organisation's consent to use "
                      "stack traces or error messages for generative features.")
    if not model_configured():
        raise Refused("not_configured", "No model is configured for AI summaries; the brief "
                      "shows what the issue's data says (set ASSIST_OPENAI_URL).")
    under_way = Generation.objects.filter(
        issue=issue, status__in=[Generation.Status.PENDING, Generation.Status.RUNNING]
    ).first()
    if under_way:
        return under_way
    if not ratelimit.take(organization_id):
        raise Refused("rate_limited", "Your organisation has reached its limit of AI summaries "
                      "for now; try again later.")
    generation = Generation.objects.create(
        organization_id=organization_id, issue=issue, trigger=trigger,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    transaction.on_commit(lambda: enqueue(generation.id))
    return generation


def enqueue(generation_id: int) -> None:
    from assist.tasks import generate

    try:
        generate.delay(generation_id)
    except Exception:  # broker down: upkeep re-enqueues pending generations
        log.warning("could not enqueue generation %s; upkeep will retry", generation_id)


@dataclass
class Outcome:
    status: str
    error: str = ""


def _fail(generation: Generation, error: str) -> Outcome:
    Generation.objects.filter(pk=generation.pk, status=Generation.Status.RUNNING).update(
        status=Generation.Status.FAILED, error=error[:300], finished_at=timezone.now()
    )
    return Outcome("failed", error)


def _scrubbed(messages: list[dict]) -> list[dict]:
    from consent.pii import scrub_text

    return [{**m, "content": scrub_text(m["content"])} for m in messages]


def run(generation_id: int) -> Outcome:
    """Generate one summary. Claims the row, asks consent, builds and scrubs the prompt, calls
    the backend, and writes summary, cause and fix together, or only a failure message."""
    claimed = Generation.objects.filter(pk=generation_id, status=Generation.Status.PENDING).update(
        status=Generation.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return Outcome("skipped")
    generation = Generation.objects.select_related("issue").get(pk=generation_id)
    issue, organization_id = generation.issue, generation.organization_id
    categories = gate.allowed_categories(organization_id)
    if not gate.enabled(categories):
        generation.delete()
        return Outcome("refused")
    parts = gate.allowed_parts(categories)
    event = Event.objects.filter(issue=issue).order_by("-timestamp", "-id").first()
    if event is None:
        return _fail(generation, "No event of this issue is stored any more.")
    try:
        examples = retrieval.similar_resolved(issue, parts)
        built = prompt.build(event.data, issue.title, event.tags, parts, examples)
        messages = _scrubbed(built.messages)
    except Exception as exc:  # never leave the row running
        log.exception("generation %s: prompt failed", generation_id)
        return _fail(generation, f"The prompt could not be built ({type(exc).__name__}).")
    used = prompt.categories_of(built.parts)
    digest = prompt.Prompt(messages=messages, parts=built.parts).sha256
    if not gate.still_allowed(organization_id, used):
        generation.delete()
        return Outcome("refused")
    started = time.monotonic()
    completion, error, answer, backend_name, model_name = None, "", None, "", ""
    refused = ""
    try:
        backend = get_backend()
        backend_name, model_name = backend.name, backend.model_name
        completion = backend.complete(
            messages, settings.ASSIST_MAX_NEW_TOKENS, float(settings.ASSIST_TIMEOUT_SECONDS),
            answer_start=prompt.answer_start(event.data, parts) if backend.name == "local"
            else "",
        )
        model_name = completion.model
        answer = parse(completion.text)
        reasons = grounding.check(answer, grounding_corpus(messages, issue, event),
                                  event.data.get("contexts"))
        if reasons:
            refused, answer = "; ".join(reasons), None
            error = f"{Generation.REFUSED}: {refused}."
            log.info("generation %s refused: %s", generation_id, refused)
    except (BackendError, JunkAnswer) as exc:
        error = str(exc)
    except Exception as exc:  # a model crash must not leave the row running
        log.exception("generation %s failed", generation_id)
        error = f"The model failed ({type(exc).__name__})."
    latency_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        GenerationLog.objects.create(
            organization_id=organization_id, issue=issue, requested_by=generation.requested_by,
            trigger=generation.trigger, backend=backend_name or settings.ASSIST_BACKEND,
            model=model_name[:200], prompt_sha256=digest, categories=used,
            examples=len(built.examples),
            prompt_tokens=completion.prompt_tokens if completion else 0,
            completion_tokens=completion.completion_tokens if completion else 0,
            latency_ms=latency_ms,
            outcome="done" if answer else "refused" if refused else "failed", error=error[:300],
        )
        if answer is None:
            return _fail(generation, error)
        if not gate.still_allowed(organization_id, used):  # withdrawn while generating
            Generation.objects.filter(pk=generation.pk).delete()
            return Outcome("refused")
        Generation.objects.filter(pk=generation.pk, status=Generation.Status.RUNNING).update(
            status=Generation.Status.DONE, summary=answer.summary, cause=answer.cause,
            fix=answer.fix, model=model_name[:200], examples=built.examples, categories=used,
            finished_at=timezone.now(),
        )
    return Outcome("done")


def grounding_corpus(messages: list[dict], issue: Issue, event: Event) -> str:
    """What a generated answer may name: the issue as the model saw it (the last user message:
    the event's consented parts and the same organisation's examples) and the brief."""
    return messages[-1]["content"] + "\n" + brief.gather(issue, event).text


def enforce_consent(organization_id: int) -> int:
    """Delete stored generations that used a category the organisation no longer allows
    (all of them when the feature is off or hidden). Returns how many were deleted."""
    allowed = gate.allowed_categories(organization_id)
    generations = Generation.objects.filter(organization_id=organization_id)
    if not gate.enabled(allowed):
        return generations.delete()[0]
    doomed = [g.id for g in generations.only("id", "categories")
              if not set(g.categories) <= allowed]
    return Generation.objects.filter(id__in=doomed).delete()[0] if doomed else 0


def upkeep(now: dt.datetime | None = None) -> dict[str, int]:
    """Beat, every ASSIST_UPKEEP_INTERVAL: fail generations a dead worker left running,
    re-enqueue ones a lost broker message left pending, summarise new issues where enabled."""
    now = now or timezone.now()
    stuck = dt.timedelta(seconds=settings.ASSIST_TIMEOUT_SECONDS * 3 + 120)
    failed = Generation.objects.filter(
        status=Generation.Status.RUNNING, started_at__lt=now - stuck
    ).update(status=Generation.Status.FAILED, finished_at=now,
             error="The assist worker stopped before the model answered.")
    waiting = list(Generation.objects.filter(
        status=Generation.Status.PENDING, created_at__lt=now - REQUEUE_AFTER
    ).values_list("id", flat=True)[:100])
    for generation_id in waiting:
        enqueue(generation_id)
    return {"failed": failed, "requeued": len(waiting), "new_issues": summarize_new_issues(now)}


def summarize_new_issues(now: dt.datetime) -> int:
    projects = ProjectAssist.objects.filter(summarize_new_issues=True).values_list(
        "project_id", flat=True
    )
    issues = (
        Issue.objects.filter(project_id__in=list(projects),
                             first_seen__gte=now - NEW_ISSUE_WINDOW,
                             first_seen__lt=now - NEW_ISSUE_SETTLE)
        .exclude(id__in=Generation.objects.values("issue_id"))
        .select_related("project").order_by("first_seen")[:NEW_ISSUES_PER_RUN]
    )
    queued = 0
    for issue in issues:
        try:
            with transaction.atomic():
                request(issue, trigger=Generation.Trigger.NEW_ISSUE)
            queued += 1
        except Refused:
            continue
    return queued
