"""The severity training examples of consenting organisations, and consent enforced on them.

An organisation contributes only when `consent.policy.allowed` says yes to training on its
usage data (the triage that labels) and its stack traces (the text); error messages stay in the
text only where it consents to their use too. Texts are cleaned and PII-scrubbed exactly as the
grouping training's are (training.sets.text_for).
"""

from __future__ import annotations

from django.db import transaction

from consent import policy
from consent.models import Category, Purpose
from monitor.models import Event, Project
from priority import triage
from priority.models import SeverityExample
from training.sets import text_for

NEEDED = (Category.USAGE_DATA, Category.STACK_TRACES)


def consents(organization_id: int, hold: bool = False) -> bool:
    """May this organisation's triage and stack traces train the severity head now?"""
    return all(policy.allowed(organization_id, Purpose.TRAINING, category, hold=hold)
               for category in NEEDED)


def consenting_organizations() -> list[int]:
    return [org for org in policy.consenting_organizations(Purpose.TRAINING, NEEDED[0])
            if consents(org)]


def examples_for(organization_id: int, batch: str, with_messages: bool) -> list[SeverityExample]:
    """One example per labelled issue of the organisation: its first event's text."""
    out = []
    for project_id in (Project.objects.filter(organization_id=organization_id).order_by("id")
                       .values_list("id", flat=True)):
        labelled = triage.labels(project_id)
        first_events = (Event.objects.filter(issue_id__in=list(labelled))
                        .order_by("issue_id", "id").distinct("issue_id"))
        for event in first_events:
            text = text_for(event, with_messages)
            severe, signal = labelled[event.issue_id]
            if text:
                out.append(SeverityExample(batch=batch, organization_id=organization_id,
                                           event=event, text=text, severe=severe,
                                           signal=signal, with_messages=with_messages))
    return out


def build(batch: str) -> int:
    """Write the examples of every consenting organisation under `batch`; returns how many."""
    total = 0
    for organization_id in consenting_organizations():
        with_messages = policy.allowed(organization_id, Purpose.TRAINING, Category.ERROR_MESSAGES)
        rows = examples_for(organization_id, batch, with_messages)
        if not rows:
            continue
        with transaction.atomic():
            # asked again holding the consent rows: a withdrawal since the start waits for
            # this commit, and its clean-up (enforce_consent) then sees these rows
            if not consents(organization_id, hold=True):
                continue
            if with_messages and not policy.allowed(organization_id, Purpose.TRAINING,
                                                    Category.ERROR_MESSAGES, hold=True):
                continue
            SeverityExample.objects.bulk_create(rows)
        total += len(rows)
    return total


def enforce_consent(organization_id: int | None = None) -> int:
    """Delete the examples whose organisation no longer consents (to its triage and stack
    traces, or to the messages they include). Returns how many went."""
    examples = SeverityExample.objects.all()
    if organization_id is not None:
        examples = examples.filter(organization_id=organization_id)
    removed = 0
    for org in sorted(set(examples.values_list("organization_id", flat=True))):
        rows = SeverityExample.objects.filter(organization_id=org)
        if not consents(org):
            removed += rows.delete()[0]
        elif not policy.allowed(org, Purpose.TRAINING, Category.ERROR_MESSAGES):
            removed += rows.filter(with_messages=True).delete()[0]
    return removed
