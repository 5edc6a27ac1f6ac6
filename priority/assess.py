"""Where an issue gets its priority: at creation, in the ingest transaction, from the rules
(priority.rules) and what the database knows cheaply; again when the grouping worker has
embedded its first stack trace, with the severity score over that same vector (no model is
loaded for it). An issue without a vector keeps the rule-based priority.
"""

from __future__ import annotations

import logging

import numpy as np
from django.db import transaction

from monitor import roundtrips, state
from monitor.locks import locked_issues
from monitor.models import Event, Issue, ProjectRelease
from priority import rules, severity

log = logging.getLogger(__name__)

RELEASES_SQL = """
INSERT INTO monitor_projectrelease (project_id, version, first_seen)
SELECT %s, version, MIN(first_seen)
FROM unnest(%s::text[], %s::timestamptz[]) AS t(version, first_seen)
GROUP BY version ORDER BY version
ON CONFLICT (project_id, version) DO NOTHING
"""


def release_sightings(project_id: int, events: list[Event]) -> tuple[str, list] | None:
    """The statement that remembers when the project first received each release of the batch
    (received time), or None: sent with the batch's events (monitor.eventstore.insert_events)."""
    rows = sorted({(e.release, e.received) for e in events if e.release})
    if not rows:
        return None
    return RELEASES_SQL, [project_id, [r[0] for r in rows], [r[1] for r in rows]]


def latest_release(project_id: int) -> str:
    return (ProjectRelease.objects.filter(project_id=project_id).order_by("-first_seen", "-id")
            .values_list("version", flat=True).first() or "")


def signals_for(event: Event, latest: str, users: int = 0, regressed: bool = False,
                score: float | None = None,
                head: severity.Head | None = None) -> rules.Signals:
    base = rules.signals_of(event.data)
    head = head or severity.load_head()
    return rules.Signals(
        level=base.level, handled=base.handled, crash=base.crash, regressed=regressed,
        new_in_release=event.release if event.release and event.release == latest else "",
        users=users, severity=score, severe_at=head.threshold if head else rules.SEVERE_SCORE,
    )


def at_creation(project_id: int, first_events: dict[int, Event]) -> None:
    """The new issues of a batch (issue id → its first event), locked by the caller."""
    if not first_events:
        return
    latest = latest_release(project_id)
    with roundtrips.together():  # one round trip however many issues the batch created
        for issue_id, event in sorted(first_events.items()):
            users = 1 if event.user else 0
            assessment = rules.assess(signals_for(event, latest, users=users))
            Issue.objects.filter(pk=issue_id).update(priority=assessment.priority,
                                                     priority_factors=assessment.factors)


def with_vector(issue_id: int, event: Event, vector: np.ndarray, model_version: str) -> bool:
    """Score a new issue's first stack trace from the vector the grouping worker made, and
    assess it again with what its counters say now. False when there is no head for the model
    (the rule-based priority stands), the issue is gone, or a person set its priority."""
    return with_vectors([(issue_id, event, vector)], model_version) == 1


def with_vectors(new: list[tuple[int, Event, np.ndarray]], model_version: str) -> int:
    """with_vector for a batch's new issues (issue id, first event, vector), in one transaction
    whatever their number: a burst of new fingerprints' next batch waits for it. Returns how
    many were assessed."""
    head = severity.head_for(model_version)
    scores = {issue_id: (event, score) for issue_id, event, vector in new
              if (score := severity.score(vector, model_version, head)) is not None}
    if not scores:
        return 0
    assessed = 0
    with transaction.atomic():
        issues = locked_issues(scores)
        latest = {project_id: latest_release(project_id)
                  for project_id in sorted({issue.project_id for issue in issues})}
        for issue in issues:
            event, score = scores[issue.id]
            signals = signals_for(event, latest[issue.project_id], users=issue.users_seen,
                                  regressed=issue.regressed, score=score, head=head)
            assessment = rules.assess(signals)
            assessed += state.apply_assessment(issue, assessment.priority, assessment.factors,
                                               score)
    return assessed
