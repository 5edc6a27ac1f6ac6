"""ML grouping: a new fingerprint with a stack trace joins the nearest issue of its project when
the embedding of its cleaned stack trace is within the project's threshold.

Ingest assigns every event an issue by fingerprint first; a new hash that is eligible is marked
`pending` and the embeddings worker decides it later, in batches. If the embedder is slow, down
or failing, the fingerprint decision simply stands: pending hashes time out to `skipped`, and a
circuit breaker stops sending work to an embedder that just failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import numpy as np
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from embeddings import store
from embeddings.encoder import encoder_for
from grouping import shadow
from grouping.conflict import first_match
from grouping.fingerprint import Grouping
from grouping.merge import merge_issues
from grouping.policy import GroupingPolicy, event_text, policy_for
from monitor import wakeup
from monitor.models import Event, GroupHash, Project
from monitor.redis import client

log = logging.getLogger(__name__)
QUEUE = "embeddings"
SLOT = 0  # one drain at a time: full batches, and decisions that see each other
publish_breaker = wakeup.Breaker()
BREAKER_KEY = "faultline:ml:embedder-down"
MATCH_CANDIDATES = 5  # nearest issues of the key read per decision (grouping.conflict)


def eligible(grouping: Grouping) -> bool:
    """Stack-trace groupings only: no custom fingerprint, no message-only events."""
    return grouping.variant in ("in-app", "system")


def nearest_match(project: Project, platform: str | None, policy: GroupingPolicy,
                  vector: np.ndarray, text: str, key: str,
                  exclude: tuple[int, ...]) -> tuple[store.Neighbour | None, bool]:  # fmt: skip
    """(the matched issue, True), or (the nearest issue of the candidate key or None, False):
    a match is within the policy's threshold, or within its conflict threshold where the texts
    conflict; the nearest candidate that does not conflict may be a little further than one
    that does."""
    found = store.nearest(project.id, policy.model, vector, k=MATCH_CANDIDATES, exclude=exclude,
                          match_key=key)  # fmt: skip
    family = policy.family(platform)
    match = first_match(text, found, policy.threshold(family), policy.conflict_threshold(family))
    return (match, True) if match else (found[0] if found else None, False)


def embedder_available() -> bool:
    try:
        return not client().exists(BREAKER_KEY)
    except redis.RedisError:
        return True


def trip_breaker() -> None:
    try:
        client().set(BREAKER_KEY, 1, ex=settings.ML_BREAKER_SECONDS)
    except redis.RedisError as exc:
        log.warning("could not trip the embedder breaker: %s", exc)


def wake() -> None:
    from grouping.tasks import ml_drain

    wakeup.wake(QUEUE, ml_drain, SLOT, publish_breaker)


def first_event(group_hash: GroupHash) -> Event | None:
    return (
        Event.objects.filter(project_id=group_hash.project_id, grouping_hash=group_hash.hash)
        .order_by("timestamp", "id")
        .first()
    )


def decide(group_hash: GroupHash, event: Event, vector: np.ndarray, text: str, key: str,
           policy: GroupingPolicy) -> None:  # fmt: skip
    """Join the nearest issue of the same candidate key (grouping.rules: exception type and
    crash function, never the code line) within the threshold, or the conflict threshold where
    the texts conflict (ML mode), or only record it (shadow mode); otherwise the fingerprint's
    issue stays and its vector becomes a neighbour for later fingerprints."""
    project = group_hash.project
    model = policy.model
    issue_id = group_hash.issue_id
    nearest, within = nearest_match(project, event.platform, policy, vector, text, key,
                                    (issue_id,))  # fmt: skip
    group_hash.ml_distance = nearest.distance if nearest else None
    group_hash.ml_matched_issue_id = nearest.issue_id if within else None
    group_hash.ml_model = model.label
    group_hash.ml_decided_at = timezone.now()
    group_hash.ml_state = GroupHash.MLState.DONE
    if within and project.grouping_mode == Project.GroupingMode.ML:
        merge_issues(nearest.issue_id, [issue_id])
        group_hash.issue_id = nearest.issue_id
        group_hash.decided_by = GroupHash.DecidedBy.ML
    else:
        store.save(issue_id, project.id, model, vector, text, key, event.id)
    group_hash.save(
        update_fields=[
            "issue",
            "decided_by",
            "ml_state",
            "ml_matched_issue",
            "ml_distance",
            "ml_model",
            "ml_decided_at",
        ]
    )


def _mark(rows: list[GroupHash], state: str) -> None:
    GroupHash.objects.filter(id__in=[r.id for r in rows]).update(
        ml_state=state, ml_decided_at=timezone.now()
    )


# Pending fingerprints in turns per organisation: one tenant's flood of new fingerprints must not
# make everyone else's wait past ML_PENDING_TIMEOUT_SECONDS (the partial index on pending rows
# keeps the scan to what is waiting).
FAIR_PENDING_SQL = """
SELECT id FROM (
    SELECT gh.id, row_number() OVER (PARTITION BY p.organization_id ORDER BY gh.id) AS turn
    FROM monitor_grouphash gh JOIN monitor_project p ON p.id = gh.project_id
    WHERE gh.ml_state = 'pending'
) ranked ORDER BY turn, id LIMIT %s
"""


def fair_pending_ids(limit: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(FAIR_PENDING_SQL, [limit])
        return [row[0] for row in cursor.fetchall()]


def decide_batch(limit: int) -> int:
    """Claim up to `limit` pending fingerprints and decide them; returns how many were claimed."""
    with transaction.atomic():
        rows = list(
            GroupHash.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(ml_state=GroupHash.MLState.PENDING, id__in=fair_pending_ids(limit))
            .select_related("project")
            .order_by("id")
        )
        if not rows:
            return 0
        if not embedder_available():
            _mark(rows, GroupHash.MLState.SKIPPED)
            return len(rows)
        events = [first_event(row) for row in rows]
        cleaned = [(row, ev, event_text(ev.data))
                   for row, ev in zip(rows, events, strict=True) if ev]  # fmt: skip
        cleaned = [item for item in cleaned if item[2]]
        _mark([row for row in rows if row not in {c[0] for c in cleaned}], GroupHash.MLState.NONE)
        if not cleaned:
            return len(rows)
        try:
            served = policy_for(None)  # the served model's; each project adjusts it below
            work = [(row, ev, text, served.key(ev.data)) for row, ev, text in cleaned]
            vectors = encoder_for(served.model).encode([item[2] for item in work])
        except Exception:
            log.exception("embedder failed; fingerprint decisions stand for %d hashes",
                          len(cleaned))
            trip_breaker()
            _mark([item[0] for item in cleaned], GroupHash.MLState.FAILED)
            return len(rows)
        shadow.decide_all(work)  # before the served decisions: the same neighbours they see
        for (row, event, text, key), vector in zip(work, vectors, strict=True):
            try:
                with transaction.atomic():  # one bad decision must not undo the others
                    decide(row, event, vector, text, key, served.for_project(row.project))
            except Exception:
                log.exception("ML decision failed for fingerprint %s; it keeps its issue", row.id)
                _mark([row], GroupHash.MLState.FAILED)
        shadow.note_served(work)
    return len(rows)


def drain(limit: int | None = None, wait_ms: int | None = None) -> int:
    """Decide pending fingerprints until none is left. A batch takes what is waiting, up to
    `limit`, after waiting up to `wait_ms` for it to fill."""
    limit = limit or settings.ML_BATCH_SIZE
    wait_ms = settings.ML_BATCH_WAIT_MS if wait_ms is None else wait_ms
    total = 0
    while True:
        wakeup.clear(QUEUE, SLOT)
        if wait_ms and GroupHash.objects.filter(ml_state="pending").count() < limit:
            time.sleep(wait_ms / 1000)
        claimed = decide_batch(limit)
        total += claimed
        if claimed < limit:
            return total


def sweep_pending() -> dict[str, int]:
    """Pending fingerprints that waited past the timeout keep their fingerprint issue; the rest
    are woken (in case the wake-up was lost)."""
    now = timezone.now()
    pending = GroupHash.objects.filter(ml_state=GroupHash.MLState.PENDING)
    expired = pending.filter(
        created_at__lt=now - dt.timedelta(seconds=settings.ML_PENDING_TIMEOUT_SECONDS)
    ).update(ml_state=GroupHash.MLState.SKIPPED, ml_decided_at=now)
    waiting = pending.count()
    if waiting:
        wake()
    return {"expired": expired, "waiting": waiting}
