"""Building training sets from consenting organisations, and enforcing consent on sets already
built: an organisation that withdrew loses its rows everywhere, and every model trained on a set
it was in is marked stale.

Every text is a cleaned stack trace (grouping.clean) passed through the PII scrubber
(consent.pii); error messages are kept only where the organisation consented to their use.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from consent import policy
from consent.models import Category, Purpose
from consent.pii import scrub_text
from grouping.clean import clean_event
from grouping.models import GroupingFeedback
from monitor.models import Event, Issue, Project
from training.models import Contribution, TrainedModel, TrainingPair, TrainingSet

log = logging.getLogger(__name__)


def text_for(event: Event, with_messages: bool) -> str:
    return scrub_text(clean_event(event.data, include_message=with_messages))


def sample_events(issue_id: int) -> list[Event]:
    """Up to two events of an issue, from different fingerprints when it has several."""
    by_hash = Event.objects.filter(issue_id=issue_id).order_by("grouping_hash", "timestamp")
    events = list(by_hash.distinct("grouping_hash")[:2])
    if len(events) < 2:
        events = list(Event.objects.filter(issue_id=issue_id).order_by("timestamp")[:2])
    return events


def pairs_for_project(project: Project, with_messages: bool, limit: int,
                      rng: random.Random, with_decisions: bool = False) -> list[TrainingPair]:
    """Pairs of one project: members' merges and unmerges first (only `with_decisions`: they
    are usage data, a consent category of their own), then pairs drawn from its issues."""
    issue_ids = Issue.objects.filter(project=project).order_by("id").values_list("id", flat=True)
    samples = [s for s in (sample_events(i) for i in issue_ids[:1000]) if s]
    candidates = [(s[0], s[1], True) for s in samples if len(s) == 2]
    shuffled = samples[:]
    rng.shuffle(shuffled)
    candidates += [(a[0], b[0], False) for a, b in zip(shuffled, shuffled[1:], strict=False)]
    rng.shuffle(candidates)
    candidates = [(a, b, same, "issue") for a, b, same in candidates[:limit]]
    if with_decisions:
        candidates = feedback_candidates(project)[:limit] + candidates
    pairs = []
    for a, b, same, source in candidates[:limit]:
        text_a, text_b = text_for(a, with_messages), text_for(b, with_messages)
        if text_a and text_b:
            pairs.append(TrainingPair(organization_id=project.organization_id, event_a=a,
                                      event_b=b, text_a=text_a, text_b=text_b, same_issue=same,
                                      with_messages=with_messages, source=source))
    return pairs


def feedback_candidates(project: Project) -> list[tuple[Event, Event, bool, str]]:
    """User merges (same bug) and unmerges (different bugs), newest first."""
    rows = GroupingFeedback.objects.filter(project=project).select_related("event_a", "event_b")
    return [(f.event_a, f.event_b, f.kind == GroupingFeedback.Kind.MERGE, f.kind)
            for f in rows.order_by("-id")]


def write_file(training_set: TrainingSet) -> int:
    path = Path(training_set.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w") as handle:
        for pair in training_set.pairs.order_by("id").iterator():
            handle.write(json.dumps({"a": pair.text_a, "b": pair.text_b,
                                     "same": pair.same_issue}) + "\n")
            count += 1
    return count


def build(name: str, directory: Path, max_pairs_per_project: int = 200, seed: int = 0,
          progress: bool = True) -> TrainingSet:
    enforce_consent()
    organizations = policy.consenting_organizations(Purpose.TRAINING, Category.STACK_TRACES)
    rng = random.Random(seed)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    training_set = TrainingSet.objects.create(
        name=name, path=str(directory / f"{name}-{stamp}-{uuid.uuid4().hex[:8]}.jsonl")
    )
    for organization_id in tqdm(organizations, unit="org", disable=not progress):
        with_messages = policy.allowed(organization_id, Purpose.TRAINING, Category.ERROR_MESSAGES)
        with_decisions = policy.allowed(organization_id, Purpose.TRAINING, Category.USAGE_DATA)
        pairs = []
        for project in Project.objects.filter(organization_id=organization_id).order_by("id"):
            pairs += pairs_for_project(project, with_messages, max_pairs_per_project, rng,
                                       with_decisions)
        if pairs:
            for pair in pairs:
                pair.training_set = training_set
            with transaction.atomic():
                # Asked again, holding the consent row: the build is long and the answer
                # given at its start may have been withdrawn since.
                if not policy.allowed(organization_id, Purpose.TRAINING, Category.STACK_TRACES,
                                      hold=True):
                    continue
                if with_messages and not policy.allowed(
                    organization_id, Purpose.TRAINING, Category.ERROR_MESSAGES, hold=True
                ):
                    continue
                TrainingPair.objects.bulk_create(pairs)
                Contribution.objects.create(training_set=training_set,
                                            organization_id=organization_id)
    write_file(training_set)
    return training_set


def enforce_consent(organization_id: int | None = None) -> dict[str, int]:
    """Remove rows whose organisation no longer consents (to stack traces, to the messages
    they include, or to usage data for its members' merges and unmerges), rewrite the affected
    files and mark models trained on them stale."""
    contributions = Contribution.objects.select_related("training_set")
    if organization_id is not None:
        contributions = contributions.filter(organization_id=organization_id)
    removed = stale = failed_files = 0
    for contribution in contributions:
        org = contribution.organization_id
        pairs = TrainingPair.objects.filter(training_set=contribution.training_set,
                                            organization_id=org)
        if not policy.allowed(org, Purpose.TRAINING, Category.STACK_TRACES):
            gone = pairs
        else:
            gone = pairs.none()
            if not policy.allowed(org, Purpose.TRAINING, Category.ERROR_MESSAGES):
                gone = gone | pairs.filter(with_messages=True)
            if not policy.allowed(org, Purpose.TRAINING, Category.USAGE_DATA):
                gone = gone | pairs.exclude(source="issue")  # members' merges and unmerges
            if not gone.exists():
                continue
        with transaction.atomic():
            count = gone.count()
            gone.delete()
            if not pairs.exists():
                contribution.delete()
            if count:
                removed += count
                reason = (
                    f"organisation {org} withdrew consent on {timezone.now():%Y-%m-%d %H:%M} UTC"
                )
                stale += TrainedModel.objects.filter(
                    training_set=contribution.training_set, stale=False
                ).update(stale=True, stale_reason=reason)
        if count:
            try:
                write_file(contribution.training_set)
            except OSError:  # never leave withdrawn rows on disk; go on with the other sets
                log.exception("could not rewrite %s; removing it", contribution.training_set.path)
                Path(contribution.training_set.path).unlink(missing_ok=True)
                failed_files += 1
    return {"rows_removed": removed, "models_marked_stale": stale, "files_failed": failed_files}


def sync_files() -> int:
    """Rewrite every exported file that holds rows no longer in the database (events erased,
    expired or deleted: their TrainingPairs cascaded). Returns how many files were rewritten."""
    rewritten = 0
    for training_set in TrainingSet.objects.all():
        path = Path(training_set.path)
        if not path.exists():
            continue
        with open(path, "rb") as handle:
            lines = sum(1 for _ in handle)
        if lines != training_set.pairs.count():
            try:
                write_file(training_set)
            except OSError:
                log.exception("could not rewrite %s; removing it", path)
                path.unlink(missing_ok=True)
            rewritten += 1
    return rewritten
