"""Erasure requests: find an end user's events in one organisation (by email, user id or IP),
delete them and everything derived from them, rebuild the counters of the issues they were in,
and report what was removed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Q

from embeddings.models import IssueEmbedding
from grouping.merge import recount
from monitor.models import Event, Issue
from privacy.deletion import delete_in_chunks
from training import staleness
from training.models import TrainingPair


@dataclass
class ErasureReport:
    events: int = 0
    issues_deleted: int = 0
    issues_recounted: int = 0
    vectors: int = 0
    training_rows: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def user_events(organization_id: int, email: str | None = None, user_id: str | None = None,
                ip: str | None = None):  # fmt: skip
    match = Q()
    if email:
        match |= Q(user__email__iexact=email)
    if user_id:
        match |= Q(user__id=user_id) | Q(user__id=_as_int(user_id))
    if ip:
        match |= Q(user__ip_address=ip) | Q(data__request__env__REMOTE_ADDR=ip)
    if not match:
        raise ValueError("give an email, a user id or an IP address")
    return Event.objects.filter(project__organization_id=organization_id).filter(match)


def _as_int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def erase_end_user(organization_id: int, **identity) -> ErasureReport:
    events = user_events(organization_id, **identity)
    ids = list(events.values_list("id", flat=True))
    report = ErasureReport()
    if not ids:
        return report
    issue_ids = set(events.values_list("issue_id", flat=True))
    report.vectors = IssueEmbedding.objects.filter(event_id__in=ids).count()
    report.training_rows = TrainingPair.objects.filter(
        Q(event_a_id__in=ids) | Q(event_b_id__in=ids)
    ).count()
    report.events = delete_in_chunks(Event.objects.filter(id__in=ids))
    for issue in Issue.objects.filter(id__in=issue_ids):
        with transaction.atomic():
            if issue.events.exists():
                recount(issue)
                report.issues_recounted += 1
            else:
                issue.delete()
                report.issues_deleted += 1
    staleness.reconcile()  # deletion reaches the trained models
    return report
