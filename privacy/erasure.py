"""Erasure requests: find an end user's events in one organisation (by email, user id or IP),
delete them and everything derived from them (attachments and feedback included), rebuild the
counters of the issues they were in, and report what was removed. The erasure is recorded
first (privacy.register), so events still waiting in a spool or arriving as raw events while
it runs are dropped when they are replayed or processed."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import F, Func, GenericIPAddressField, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import Exact
from django.utils import timezone

from assist.forget import forget_issues
from embeddings.models import IssueEmbedding
from feedback.models import UserFeedback
from grouping.merge import recount
from ingest.models import RawEvent
from ingest.payload import loads
from monitor.models import Event, Issue
from monitor.params import as_natural
from privacy import register
from privacy.deletion import CHUNK, delete_in_chunks
from privacy.models import ErasedIdentity
from privacy.register import canonical
from releases import users as release_users
from training import sets, staleness
from training.models import TrainingPair


@dataclass
class ErasureReport:
    events: int = 0
    issues_deleted: int = 0
    issues_recounted: int = 0
    vectors: int = 0
    training_rows: int = 0
    raw_events: int = 0
    attachments: int = 0
    feedback: int = 0
    release_users: int = 0
    summaries: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def user_events(organization_id: int, email: str | None = None, user_id: str | None = None,
                ip: str | None = None):
    match = Q()
    if email:
        match |= Q(user__email__iexact=email)
    if user_id:
        match |= Q(user__id=user_id) | Q(user__id=_as_int(user_id))
    if ip:
        match |= (_same_ip(KeyTextTransform("ip_address", "user"), ip)
                  | _same_ip(F("remote_addr"), ip))
    if not match:
        raise ValueError("give an email, a user id or an IP address")
    return Event.objects.filter(project__organization_id=organization_id).filter(match)


class _AsInet(Func):
    """A text column as PostgreSQL's inet, NULL where it is no address (so one bad value
    fails no query): inet compares addresses, not how they were written."""

    output_field = GenericIPAddressField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(CASE WHEN pg_input_is_valid({sql}, 'inet') THEN ({sql})::inet END)",
                (*params, *params))


def _same_ip(written, ip: str) -> Q:
    """The JSON text `written` is the address `ip`: as written, or as the same address."""
    return Q(Exact(written, Value(ip))) | Q(Exact(_AsInet(written), _AsInet(Value(ip))))


def _user_matches(payload: bytes, email: str | None, user_id: str | None,
                  ip: str | None) -> bool:
    """Whether a raw (unprocessed, unscrubbed) payload belongs to the end user. A payload that
    does not parse (a dead letter) matches on the email or IP appearing anywhere in it."""
    try:
        data = loads(payload)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        text = payload.decode("utf-8", "replace").lower()
        written = (email, ip, ip and canonical(ErasedIdentity.Kind.IP, ip))
        return any(v and v.lower() in text for v in written)
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    request = data.get("request") if isinstance(data.get("request"), dict) else {}
    env = request.get("env") if isinstance(request.get("env"), dict) else {}
    return bool(
        (email and _same(ErasedIdentity.Kind.EMAIL, user.get("email"), email))
        or (user_id and str(user.get("id", "")) == user_id)
        or (ip and any(_same(ErasedIdentity.Kind.IP, v, ip)
                       for v in (user.get("ip_address"), env.get("REMOTE_ADDR"))))
    )


def _same(kind: str, found: object, wanted: str) -> bool:
    return isinstance(found, str) and canonical(kind, found) == canonical(kind, wanted)


def user_raw_events(organization_id: int, email: str | None = None,
                    user_id: str | None = None,
                    ip: str | None = None) -> list[tuple[int, int, uuid.UUID]]:
    """Raw events (pending, retrying or dead letters) of the end user, scanned in chunks:
    (raw id, project id, event id)."""
    rows = RawEvent.objects.filter(project__organization_id=organization_id).values_list(
        "id", "project_id", "event_id", "payload"
    )
    return [
        (raw_id, project_id, event_id)
        for raw_id, project_id, event_id, payload in rows.iterator(chunk_size=500)
        if _user_matches(bytes(payload), email, user_id, ip)
    ]


def _as_int(value: str) -> int | None:
    return as_natural(value)


def erase_end_user(organization_id: int, **identity) -> ErasureReport:
    events = user_events(organization_id, **identity)  # refuses an empty request first
    register.record(organization_id, timezone.now(), **identity)
    report = ErasureReport()
    raw = user_raw_events(organization_id, **identity)
    # Deleting the raw rows waits for a processing batch that claimed one before the erasure
    # was recorded (its check passed then); the events it stores are read after it commits.
    report.raw_events = delete_in_chunks(RawEvent.objects.filter(id__in=[r[0] for r in raw]))
    rows = list(events.values_list("id", "project_id", "event_id", "issue_id"))
    ids = [row[0] for row in rows]
    report.attachments, report.feedback = _erase_side_items(
        organization_id, identity.get("email"),
        [(project_id, event_id) for _, project_id, event_id, _ in rows]
        + [(project_id, event_id) for _, project_id, event_id in raw],
    )
    if not ids:
        return report
    issue_ids = {row[3] for row in rows}
    report.vectors = IssueEmbedding.objects.filter(event_id__in=ids).count()
    report.training_rows = TrainingPair.objects.filter(
        Q(event_a_id__in=ids) | Q(event_b_id__in=ids)
    ).count()
    report.release_users = release_users.forget(
        {row[1] for row in rows}, _user_tag_values(Event.objects.filter(id__in=ids)))
    # a summary of these issues, or given one as an example, may have read the user's events
    report.summaries = forget_issues(organization_id, issue_ids)
    report.events = delete_in_chunks(Event.objects.filter(id__in=ids))
    sets.sync_files()  # the erased rows leave the exported training files too
    for issue_id in sorted(issue_ids):
        with transaction.atomic():
            # Locked as the ingest pipeline locks it, so a concurrent batch's counts survive.
            issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
            if issue is None:
                continue
            if issue.events.exists():
                recount(issue)
                report.issues_recounted += 1
            else:
                issue.delete()
                report.issues_deleted += 1
    staleness.reconcile()  # deletion reaches the trained models
    return report


def _user_tag_values(events) -> set[str]:
    """The `user` tag values of these events: what releases.users hashed for them."""
    return {value for tags in events.values_list("tags", flat=True).iterator()
            for key, value, *_ in (tag for tag in tags or [] if isinstance(tag, list))
            if key == "user" and isinstance(value, str)}


def _erase_side_items(organization_id: int, email: str | None,
                      events: list[tuple[int, uuid.UUID]]) -> tuple[int, int]:
    """The attachments and feedback of the user's events, and the feedback they signed with
    their email (also feedback about no event): (attachments, feedback)."""
    by_project: dict[int, list] = defaultdict(list)
    for project_id, event_id in events:
        by_project[project_id].append(event_id)
    attachments = feedback = 0
    for project_id, event_ids in by_project.items():
        for start in range(0, len(event_ids), CHUNK):
            a, f = register.forget_side_items(project_id, event_ids[start:start + CHUNK])
            attachments, feedback = attachments + a, feedback + f
    if email:
        feedback += delete_in_chunks(UserFeedback.objects.filter(
            project__organization_id=organization_id, email__iexact=email.strip()))
    return attachments, feedback
