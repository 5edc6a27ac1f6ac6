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

from embeddings import registry, store
from embeddings.encoder import encoder_for
from grouping import constraints, rename, shadow, suggestions
from grouping.conflict import first_match
from grouping.fingerprint import Grouping
from grouping.merge import merge_issues
from grouping.policy import GroupingPolicy, event_text, policy_for, thresholds_of
from monitor import eventstore, roundtrips, wakeup
from monitor.locks import lock_and_read, lock_issues
from monitor.models import Event, GroupHash, Project
from monitor.redis import client
from priority import assess as priority_hooks

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
                  vector: np.ndarray, text: str, key: str, exclude: tuple[int, ...],
                  hash_: str, event: dict, renamed: store.RenameQuery | None,
                  constrained: bool = True) -> tuple[store.Neighbour | None, bool]:
    """(the matched issue, True), or (the nearest admissible issue of the candidate key or None,
    False): a match is within the policy's threshold, or within its conflict threshold where the
    texts conflict; the nearest candidate that does not conflict may be a little further than
    one that does. Where the key's candidates give none, the rename path's nearest (grouping
    .rename: what `renamed`, the decision's `rename_query`, looks for; in the same round trip)
    is the match. The one choice every automatic
    decision makes (served and shadow models), so the one place "not the same" constraints
    refuse candidates (grouping.constraints).
    `constrained`: the project had constraints in force when the batch read them; decide() looks
    again under its locks and checks a project that has one by then."""
    found, others = store.lookup(project.id, policy.model, vector, k=MATCH_CANDIDATES,
                                 exclude=exclude, match_key=key, renamed=renamed)
    if constrained:
        found = constraints.admissible(project.id, hash_, vector, found, policy.model)
    family = policy.family(platform)
    match = first_match(text, found, policy.event_threshold(event, family),
                        policy.event_conflict_threshold(event, family))
    if match is None and others and constrained:
        others = constraints.admissible(project.id, hash_, vector, others, policy.model)
    match = match or (others[0] if others else None)
    return (match, True) if match else (found[0] if found else None, False)


def rename_query(policy: GroupingPolicy, event: dict) -> store.RenameQuery | None:
    """What the policy's rename path looks for with this event, or None: no path, or a crash
    site without a statement; computed once a decision (the lookup, the stored vector and the
    decision record read it). An admin's threshold for the project is the furthest any
    fingerprint joins (0: nothing joins), the path's too."""
    said, site = policy.statement_of(event)
    if not said:
        return None
    path = policy.rename
    tight = path.tight if policy.project_threshold is None \
        else min(path.tight, policy.project_threshold)
    return store.RenameQuery(said, site, rename.release_of(event), path.evidence, tight)


def kept_statement(query: store.RenameQuery | None) -> tuple[str, str]:
    """(statement digest, site function) an issue vector keeps (embeddings.store.save): the
    policy's statement_of, read from the decision's query instead of computed again."""
    return (query.statement, query.site_function) if query is not None else ("", "")


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


def decide(group_hash: GroupHash, event: Event, vector: np.ndarray, text: str, key: str,
           policy: GroupingPolicy, constrained: bool = True) -> None:
    """Join the nearest issue of the same candidate key (grouping.rules: exception type and
    crash function, never the code line) within the threshold, or the conflict threshold where
    the texts conflict (ML mode), or only record it (shadow mode); otherwise the fingerprint's
    issue stays and its vector becomes a neighbour for later fingerprints.

    Each try locks the fingerprint's issue and the matched one, then their fingerprints, as
    merges do (monitor.locks), and reads the fingerprint again under the locks: one decided by
    another drain meanwhile is left alone, one a person merged or unmerged meanwhile stays where
    they put it (the decision is only recorded), and a match merged away is looked for again.
    """
    project = group_hash.project
    placed = False  # a person moved the fingerprint after it was read: their placement stands
    query = rename_query(policy, event.data)
    for _ in range(3):
        issue_id = group_hash.issue_id
        with transaction.atomic():  # the lookup in the locking transaction: fewer round trips
            nearest, within = nearest_match(project, event.platform, policy, vector, text, key,
                                            (issue_id,), group_hash.hash, event.data, query,
                                            constrained)
            neighbour = _referred(nearest, within, policy, event.platform)
            holders = [issue_id, *(neighbour if within else [])]
            present, now = lock_and_read([issue_id, *neighbour], with_fingerprints=holders,
                                         then=(FINGERPRINT_NOW_SQL, [group_hash.pk]))
            if not now or now[0][1] != GroupHash.MLState.PENDING:
                return  # decided by another drain, or deleted with its project
            if not constrained and now[0][2]:
                constrained = True  # a person kept fingerprints apart since the batch began
                continue
            if now[0][0] != issue_id:
                group_hash.issue_id, placed = now[0][0], True
                continue
            if neighbour and nearest.issue_id not in present:
                continue  # merged away or deleted since the lookup: look again
            _apply(group_hash, event, vector, text, key, policy, nearest, within, placed, query)
            return
    raise LookupError("the fingerprint or its match kept moving; it keeps its issue")


FINGERPRINT_NOW_SQL = """
SELECT issue_id, ml_state, EXISTS (SELECT 1 FROM grouping_keptapart k
                                   WHERE k.project_id = gh.project_id AND k.lifted_at IS NULL)
FROM monitor_grouphash gh WHERE id = %s
"""


def _referred(nearest: store.Neighbour | None, within: bool, policy: GroupingPolicy,
              platform: str | None) -> list[int]:
    """The nearest issue where the decision will refer to it: joined, or only a suggestion's
    candidate. It is locked with the fingerprint's own, in id order: the suggestion's reference
    would otherwise take its row lock at commit, out of order, while the decision holds the
    fingerprint's issue."""
    if nearest is None:
        return []
    if within or policy.suggests(policy.family(platform), nearest.distance):
        return [nearest.issue_id]
    return []


def _apply(group_hash: GroupHash, event: Event, vector: np.ndarray, text: str, key: str,
           policy: GroupingPolicy, nearest: store.Neighbour | None, within: bool,
           placed: bool, query: store.RenameQuery | None) -> None:
    """The decision, with the issues and fingerprints locked (decide); `query`: its rename
    path's (rename_query)."""
    project, issue_id = group_hash.project, group_hash.issue_id
    family = policy.family(event.platform)
    decided = {
        "ml_state": GroupHash.MLState.DONE,
        "ml_matched_issue_id": nearest.issue_id if within else None,
        "ml_distance": nearest.distance if nearest else None,
        "ml_model": policy.model.label,
        "ml_rule": _rule(policy, event.data, nearest if within else None),
    }
    joins = not placed and within and project.grouping_mode == Project.GroupingMode.ML
    if joins:
        merge_issues(nearest.issue_id, [issue_id], locked=True)  # decide() holds the locks
        decided |= {"issue_id": nearest.issue_id, "decided_by": GroupHash.DecidedBy.ML}
    elif not placed and nearest is not None and not within and policy.suggests(
            family, nearest.distance):
        suggestions.offer(group_hash, nearest, policy, family)
    decided["ml_decided_at"] = timezone.now()  # after the merge: when the decision is whole
    for attname, value in decided.items():
        setattr(group_hash, attname, value)
    with roundtrips.together():  # writes that read nothing back: one round trip
        if not placed and not joins:  # the fingerprint's own issue: its vector a neighbour
            store.save(issue_id, project.id, policy.model, vector, text, key, event.id,
                       *kept_statement(query))
        GroupHash.objects.filter(pk=group_hash.pk).update(
            **{name.removesuffix("_id"): value for name, value in decided.items()})
        record_decision(group_hash.pk, policy, family,
                        _threshold(policy, event.data, family, nearest if within else None,
                                   query))


def _by_rename(policy: GroupingPolicy, match: store.Neighbour | None) -> bool:
    return match is not None and match.path == "rename" and policy.rename is not None


def _rule(policy: GroupingPolicy, event: dict, match: store.Neighbour | None) -> str:
    """Which rule decided, as the fingerprint records it: the rename path's, or the family's
    threshold rule (GroupingPolicy.rule_for_event)."""
    if _by_rename(policy, match):
        return policy.rename.source[:300]
    return policy.rule_for_event(event).source[:300]


def _threshold(policy: GroupingPolicy, event: dict, family: str,
               match: store.Neighbour | None, query: store.RenameQuery | None) -> float:
    """The threshold applied, as the decision record keeps it (the issue page reads "distance
    ≤ threshold" from it): the rename path's distance for its match, else the family's."""
    if query is not None and _by_rename(policy, match):
        return query.tight
    return policy.event_threshold(event, family)


def record_decision(group_hash_id: int, policy: GroupingPolicy, family: str,
                    threshold: float) -> None:
    """The threshold applied (the family's, the minified gate's JOIN for an event joined by its
    key alone, or the rename path's distance) and the project adjustment behind it
    (DecisionRecord), in one upsert that reads nothing back."""
    with connection.cursor() as cursor:
        cursor.execute(RECORD_DECISION_SQL, [group_hash_id, threshold,
                                             policy.base_threshold(family),
                                             policy.adjustment(family)])


RECORD_DECISION_SQL = """
INSERT INTO grouping_decisionrecord (group_hash_id, threshold, base_threshold, adjustment)
VALUES (%s, %s, %s, %s)
ON CONFLICT (group_hash_id) DO UPDATE SET threshold = EXCLUDED.threshold,
    base_threshold = EXCLUDED.base_threshold, adjustment = EXCLUDED.adjustment
"""


def _mark(rows: list[GroupHash], state: str) -> None:
    """Settle fingerprints still pending (another drain may have decided one meanwhile)."""
    ids = [r.id for r in rows]
    if not ids:
        return
    with transaction.atomic():
        lock_issues((), ids)
        GroupHash.objects.filter(id__in=ids, ml_state=GroupHash.MLState.PENDING).update(
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

# A drain claims the fingerprints it decides with session advisory locks (this class, the row id
# folded into an int), not row locks: a decision must lock issues before fingerprints
# (monitor.locks), so no fingerprint row may be held across the batch.
CLAIM_LOCK_CLASS = 0x6D6C
RELEASE_SQL = "SELECT pg_advisory_unlock(%s, mod(k, 2147483647)::int) FROM unnest(%s::bigint[]) k"
# The fair choice and the claim in one statement (one round trip); the CTE is materialized, so
# locks are tried only on the chosen ids.
CLAIM_SQL = f"""
WITH chosen AS MATERIALIZED ({FAIR_PENDING_SQL})
SELECT id FROM chosen WHERE pg_try_advisory_lock(%s, mod(id, 2147483647)::int)
"""


def fair_pending_ids(limit: int) -> list[int]:
    """The pending fingerprints a batch of `limit` takes, in turns per organisation."""
    with connection.cursor() as cursor:
        cursor.execute(FAIR_PENDING_SQL, [limit])
        return [row[0] for row in cursor.fetchall()]


def decide_batch(limit: int) -> int:
    """Claim up to `limit` pending fingerprints and decide them; returns how many were claimed.
    Each decision is its own transaction (decide): holding one's locks while taking the next's
    would take issues out of id order."""
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, [limit, CLAIM_LOCK_CLASS])
        claimed = [row[0] for row in cursor.fetchall()]
    try:
        rows = list(
            GroupHash.objects.filter(ml_state=GroupHash.MLState.PENDING, id__in=claimed)
            .select_related("project__grouping_adaptation")  # the policy's (for_project)
            .order_by("id")
        )
        if rows:
            _decide_claimed(rows)
        return len(rows)
    finally:
        if claimed:
            with connection.cursor() as cursor:
                cursor.execute(RELEASE_SQL, [CLAIM_LOCK_CLASS, claimed])


def _decide_claimed(rows: list[GroupHash]) -> None:
    if not embedder_available():
        _mark(rows, GroupHash.MLState.SKIPPED)
        return
    firsts = eventstore.first_events((row.project_id, row.hash) for row in rows)
    events = [firsts.get((row.project_id, row.hash)) for row in rows]
    cleaned = [(row, ev, event_text(ev.data))
               for row, ev in zip(rows, events, strict=True) if ev]
    cleaned = [item for item in cleaned if item[2]]
    _mark([row for row in rows if row not in {c[0] for c in cleaned}], GroupHash.MLState.NONE)
    if not cleaned:
        return
    try:
        model, shadows = registry.served_and_shadows()
        served = policy_for(None, model)  # the served model's; each project adjusts it below
        # the text in the served model's shape (its manifest's frames, lines and messages), as
        # its thresholds were chosen and its backfilled vectors embedded
        work = [(row, ev, served.text(ev.data), served.key(ev.data)) for row, ev, _ in cleaned]
        vectors = encoder_for(served.model).encode([item[2] for item in work])
    except Exception:
        log.exception("embedder failed; fingerprint decisions stand for %d hashes", len(cleaned))
        trip_breaker()
        _mark([item[0] for item in cleaned], GroupHash.MLState.FAILED)
        return
    pairs = constraints.live_pairs({row.project_id for row, *_ in work})
    embed_partners(served.model, pairs)
    # before the served decisions: the same neighbours they see
    shadow.decide_all(work, pairs, shadows)
    created = [row.issue_id for row, *_ in work]
    decided = 0
    policies: dict[int, GroupingPolicy] = {}  # per project, read once a batch
    try:
        for (row, event, text, key), vector in zip(work, vectors, strict=True):
            try:  # one bad decision must not undo the others
                policy = policies.get(row.project_id)
                if policy is None:
                    adapted = thresholds_of(getattr(row.project, "grouping_adaptation", None))
                    policy = policies[row.project_id] = served.for_project(row.project, adapted)
                decide(row, event, vector, text, key, policy, row.project_id in pairs)
            except Exception:
                log.exception("ML decision failed for fingerprint %s; it keeps its issue", row.id)
                _mark([row], GroupHash.MLState.FAILED)
            decided += 1
    finally:  # after the batch's decisions (a later one does not wait for them), and for those
        # decided when the loop broke off
        _score_severity([(issue_id, event, vector) for (row, event, *_), vector, issue_id
                         in list(zip(work, vectors, created, strict=True))[:decided]
                         if row.issue_id == issue_id], served.model)
    shadow.note_served(work)


def _score_severity(new: list[tuple[int, Event, np.ndarray]], model) -> None:
    """The new issues' severity from the vectors just computed (priority.assess), all in one
    transaction; a fingerprint that joined another issue is not among them (that issue keeps
    its own priority)."""
    if not new or model is None:
        return
    try:
        priority_hooks.with_vectors(new, model.version)
    except Exception:
        log.exception("severity scoring failed for issues %s; their rule-based priority stands",
                      [issue_id for issue_id, *_ in new])


def embed_partners(model, pairs: dict[int, set[str]]) -> None:
    """Issues holding kept-apart fingerprints (`pairs`: grouping.constraints.live_pairs) get a
    vector before decisions compare with them (a split issue has none until then, nor any
    after a promotion)."""
    from grouping.backfill import backfill

    try:
        missing = constraints.partners_without_vectors(pairs, model)
        if missing:
            backfill(model, issue_ids=missing)
    except Exception:  # the constraint then refuses the issues it cannot compare with
        log.exception("could not embed the issues of kept-apart fingerprints")


def drain(limit: int | None = None, wait_ms: int | None = None) -> int:
    """Decide pending fingerprints until none is left. A batch takes what is waiting, up to
    `limit`. The first batch goes at once (a lone new fingerprint, the usual case, is decided
    without delay); when a full batch shows a flood, the next waits up to `wait_ms` to fill."""
    limit = limit or settings.ML_BATCH_SIZE
    wait_ms = settings.ML_BATCH_WAIT_MS if wait_ms is None else wait_ms
    total = 0
    while True:
        wakeup.clear(QUEUE, SLOT)
        if (total and wait_ms
                and GroupHash.objects.filter(ml_state="pending").count() < limit):
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
