"""Turn committed raw events into stored, grouped events, a batch per transaction (two where
its new ML fingerprints are committed ahead of the rest: `_process_rows`).

A batch claims pending raw rows with FOR UPDATE SKIP LOCKED, so concurrent workers never take the
same row, and a worker killed mid-batch rolls back: the rows stay pending for the next task or the
sweeper. Processing is idempotent: an event id already stored is dropped, not counted twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from alerts import outbox as alert_outbox
from grouping import ml, rename
from grouping.assign import (
    IssueDelta,
    IssueSeed,
    bump_issues,
    fingerprint_releases,
    resolve_hashes,
)
from grouping.fingerprint import Grouping, group
from grouping.policy import fingerprint_config_for
from ingest.claims import record_claims
from ingest.fairshare import fair_ids
from ingest.models import RawClaim, RawEvent
from ingest.normalize import normalize_event
from ingest.payload import loads
from ingest.scrub import scrub_event
from monitor import eventstore, limits, roundtrips
from monitor.models import Event, EventKey, GroupHash, Project
from priority import assess as priority_hooks
from priority import counts as hourly_counts
from priority import escalation
from privacy import register
from sourcemaps.store import prefetch, resolve_source_maps

log = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min between attempts; then a dead letter


@dataclass
class Prepared:
    raw_id: int
    project_id: int
    event: Event
    grouping: Grouping
    tags: list[list[str]]
    payload: bytes  # the stored form of event.data (monitor.eventstore.encode)

    def seed(self) -> IssueSeed:
        site_function, site_file = rename.crash_site(self.event.data)
        return IssueSeed(
            title=self.event.title,
            culprit=self.event.data.get("culprit", ""),
            level=self.event.level,
            type=self.event.data.get("type", "error"),
            platform=self.event.platform,
            timestamp=self.event.timestamp,
            fingerprint_config=self.grouping.config,
            previous_hash=self.grouping.previous_hash,
            older_hashes=self.grouping.older_hashes,
            site_function=site_function,
            site_file=site_file,
        )


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def prepare(raw: RawEvent, project: Project) -> Prepared:
    """The pure stages: parse → normalize → scrub → fingerprint, and the payload's stored form
    (compressed here, before the batch locks any issue: see `save`)."""
    payload = loads(bytes(raw.payload))
    data = normalize_event(payload, raw.received_at.timestamp(), raw.event_id.hex, kind=raw.kind,
                           user_agent=raw.user_agent)
    data = resolve_source_maps(data, raw.project_id)
    if project.scrub_data:
        data = scrub_event(data, project.scrub_extra_keys or ())
    grouping = group(data, fingerprint_config_for(project))
    data["grouping"] = {"hash": grouping.hash, "variant": grouping.variant,
                        "config": grouping.config}
    event = Event(
        project_id=raw.project_id,
        event_id=raw.event_id,
        timestamp=_utc(data["timestamp"]),
        received=raw.received_at,
        grouping_hash=grouping.hash,
        level=data["level"],
        platform=data["platform"],
        title=data["title"],
        release=data.get("release", ""),
        environment=data.get("environment", ""),
        user=data.get("user", {}),
        tags=data["tags"],
        data=data,
    )
    return Prepared(raw.id, raw.project_id, event, grouping, data["tags"],
                    eventstore.encode(data))


def save(prepared: list[Prepared], projects: dict[int, Project],
         ml_up: bool | None = None) -> int:
    """Store the events of one batch with their issues and counters; returns how many were new.
    New fingerprints with a stack trace are left pending for ML grouping (grouping.ml).

    A busy issue's row lock, taken by resolve_hashes, is held until the batch commits, and every
    other batch of that issue waits for it: what can be done before, is (`prepare`: the pure
    stages and the payloads' compression)."""
    stored = 0
    ml_pending = False
    by_project: dict[int, list[Prepared]] = defaultdict(list)
    for item in prepared:
        by_project[item.project_id].append(item)
    for project_id, items in sorted(by_project.items()):
        known = set(
            EventKey.objects.filter(
                project_id=project_id, event_id__in=[p.event.event_id for p in items]
            ).values_list("event_id", flat=True)
        )
        fresh = [p for p in items if p.event.event_id not in known]
        if not fresh:
            continue
        seeds: dict[str, IssueSeed] = {}
        for item in fresh:
            if item.grouping.hash not in seeds:
                seeds[item.grouping.hash] = item.seed()
        candidates: frozenset[str] = frozenset()
        if projects[project_id].grouping_mode != Project.GroupingMode.FINGERPRINT:
            if ml_up is None:
                ml_up = ml.embedder_available()
            if ml_up:
                candidates = frozenset(i.grouping.hash for i in fresh if ml.eligible(i.grouping))
        issue_of, created = resolve_hashes(project_id, seeds, candidates)
        ml_pending = ml_pending or bool(created & candidates)
        deltas: dict[int, IssueDelta] = defaultdict(IssueDelta)
        for item in fresh:
            item.event.issue_id = issue_of[item.grouping.hash]
            deltas[item.event.issue_id].add(item.event.timestamp, item.event.received, item.tags)
        eventstore.insert_events(  # with the releases seen: one round trip
            [item.event for item in fresh], [item.payload for item in fresh],
            then=[priority_hooks.release_sightings(project_id, [item.event for item in fresh]),
                  fingerprint_releases(project_id, {
                      (item.grouping.hash, rename.release_of(item.event.data))
                      for item in fresh})])
        firsts: dict[int, Event] = {}
        for item in fresh:
            if item.grouping.hash in created:
                firsts.setdefault(item.event.issue_id, item.event)
        priority_hooks.at_creation(project_id, firsts)
        changes = bump_issues(deltas)
        escalation.on_ingest(hourly_counts.add([item.event for item in fresh]))
        alert_outbox.record(project_id, [item.event for item in fresh],
                            {issue_of[h] for h in created}, changes)
        stored += len(fresh)
    if ml_pending:
        transaction.on_commit(ml.wake)
    return stored


def record_failure(raw_id: int, attempts: int, exc: BaseException) -> None:
    """Count a failed attempt and back off; after limits.PROCESSING_ATTEMPTS the row stays as a
    dead letter."""
    delay = dt.timedelta(seconds=RETRY_BASE_SECONDS * 2**attempts)
    RawEvent.objects.filter(id=raw_id).update(
        attempts=F("attempts") + 1,
        retry_at=timezone.now() + delay,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )


def _claim(limit: int, ids: list[int] | None = None) -> list[RawEvent]:
    """Lock up to `limit` waiting rows: the given `ids`, else a fair share of every tenant's."""
    rows = RawEvent.objects.select_for_update(skip_locked=True).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=timezone.now()),
        attempts__lt=limits.PROCESSING_ATTEMPTS,
    )
    if ids is None:
        ids = fair_ids(limit, limits.PROCESSING_ATTEMPTS)
    rows = rows.filter(id__in=ids)
    return list(rows.order_by("id")[:limit])


def _drop_erased(rows: list[RawEvent], projects: dict[int, Project]) -> list[RawEvent]:
    """Delete the rows of end users erased since they were received (privacy.register), with
    their attachments and feedback; returns the others."""
    erased = register.erased([register.Waiting(projects[row.project_id].organization_id,
                                               row.received_at, row.payload)
                              for row in rows])
    if not erased:
        return rows
    gone = [rows[n] for n in sorted(erased)]
    for row in gone:
        register.forget_side_items(row.project_id, [row.event_id])
    RawEvent.objects.filter(id__in=[row.id for row in gone]).delete()
    RawClaim.objects.filter(raw_event_id__in=[row.id for row in gone]).delete()
    log.info("dropped %d raw events of erased end users", len(gone))
    return [row for n, row in enumerate(rows) if n not in erased]


def split_new(prepared: list[Prepared], new: set[tuple[int, str]]
              ) -> tuple[list[Prepared], list[Prepared]]:
    """(the events of the `new` (project, hash) fingerprints, the others); everything first
    when either part would be empty: a batch then stays one transaction."""
    first = [p for p in prepared if (p.project_id, p.grouping.hash) in new]
    if not first or len(first) == len(prepared):
        return prepared, []
    return first, [p for p in prepared if (p.project_id, p.grouping.hash) not in new]


KNOWN_LIMIT = 50_000  # fingerprints remembered per process; cleared whole when full
_known: set[tuple[int, str]] = set()


def _new_ml_fingerprints(prepared: list[Prepared], projects: dict[int, Project]
                         ) -> tuple[set[tuple[int, str]], bool | None]:
    """The batch's ML-eligible fingerprints that have no row yet, and whether the embedder is
    up (None: not asked, no candidate). Those this process stored or found before are not
    asked for again: a steady load's batches ask nothing, and one deleted since only goes
    unsplit (one transaction, as before)."""
    wanted = {(p.project_id, p.grouping.hash) for p in prepared
              if projects[p.project_id].grouping_mode != Project.GroupingMode.FINGERPRINT
              and ml.eligible(p.grouping)} - _known
    if not wanted:
        return set(), None
    if not ml.embedder_available():
        return set(), False
    known = set(GroupHash.objects.filter(
        project_id__in={project for project, _ in wanted},
        hash__in={hash_ for _, hash_ in wanted},
    ).values_list("project_id", "hash"))
    if len(_known) + len(wanted) > KNOWN_LIMIT:
        _known.clear()
    _known.update(wanted)  # made by this batch, or found: either way they have a row next time
    return wanted - known, True


@dataclass
class Rest:
    """A batch's prepared events left for its second transaction (see `_process_rows`)."""

    prepared: list[Prepared]
    projects: dict[int, Project]
    ml_up: bool | None


def _process_rows(rows: list[RawEvent], split: bool) -> Rest | None:
    """Prepare the rows and store them; when `split` and some are of new ML fingerprints and
    some not, store only the new ones here and return the others, to be stored after this
    transaction commits (`_store_rest`): the new fingerprints' decisions need not wait for the
    whole batch. Their claims are deleted here with the stored rows' so that a worker that
    takes them in the moment between the two transactions does not count them as suspects."""
    projects = Project.objects.in_bulk({row.project_id for row in rows})
    rows = _drop_erased(rows, projects)
    prepared: list[Prepared] = []
    for row in rows:
        try:
            prepared.append(prepare(row, projects[row.project_id]))
        except Exception as exc:  # a bad payload must not block the others
            log.exception("raw event %s failed to process", row.id)
            record_failure(row.id, row.attempts, exc)
    ml_up: bool | None = None
    rest: list[Prepared] = []
    if split and len(prepared) > 1:
        new, ml_up = _new_ml_fingerprints(prepared, projects)
        prepared, rest = split_new(prepared, new)
    save(prepared, projects, ml_up)
    done = [p.raw_id for p in prepared]
    with roundtrips.together(), connection.cursor() as cursor:  # one round trip
        cursor.execute("DELETE FROM ingest_rawevent WHERE id = ANY(%s)", [done])
        cursor.execute("DELETE FROM ingest_rawclaim WHERE raw_event_id = ANY(%s)",
                       [done + [p.raw_id for p in rest]])
    return Rest(rest, projects, ml_up) if rest else None


def _claim_again(rest: Rest) -> list[RawEvent]:
    """The rest's rows, locked again: those another worker took meanwhile are its own now
    (SKIP LOCKED; gone once it committed), so none is stored twice."""
    rows = list(RawEvent.objects.select_for_update(skip_locked=True).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=timezone.now()),
        attempts__lt=limits.PROCESSING_ATTEMPTS,
        id__in=[p.raw_id for p in rest.prepared],
    ).only("id", "attempts").order_by("id"))  # their payloads are prepared already
    record_claims([row.id for row in rows])
    return rows


def _store_rest(rows: list[RawEvent], rest: Rest) -> None:
    """The second transaction of a split batch: store what is still this worker's."""
    mine = {row.id for row in rows}
    save([p for p in rest.prepared if p.raw_id in mine], rest.projects, rest.ml_up)
    with roundtrips.together(), connection.cursor() as cursor:  # one round trip
        cursor.execute("DELETE FROM ingest_rawevent WHERE id = ANY(%s)", [sorted(mine)])
        cursor.execute("DELETE FROM ingest_rawclaim WHERE raw_event_id = ANY(%s)",
                       [sorted(mine)])


def _dead_letter(row: RawEvent, claims: int) -> None:
    log.error("raw event %s: its worker died %d times; kept as a dead letter", row.id, claims - 1)
    RawEvent.objects.filter(id=row.id).update(
        attempts=limits.PROCESSING_ATTEMPTS,
        last_error=f"WorkerDied: the worker processing this event died {claims - 1} times "
        "(killed, out of memory or crashed); it is kept here and not processed again",
    )


def process_pending(limit: int, ids: list[int] | None = None) -> int:
    """Process up to `limit` pending raw events (all of `ids` if given); returns rows claimed.

    Each batch's claim is counted before work starts, on its own committed connection
    (ingest.claims). A row that was claimed before and is still here is a suspect: its last
    batch died or failed. Suspects are processed one per transaction, so a poison event can
    only take itself down; after limits.PROCESSING_ATTEMPTS claims it becomes a dead letter.
    """
    claimed, again = _run_batch(limit, ids)
    while again:
        more, again = _run_batch(limit, ids)
        claimed = max(claimed, more)
    return claimed


def _fetch_first(limit: int, ids: list[int] | None) -> list[int] | None:
    """Where fetching source maps is on, the rows the batch will claim, their files fetched
    before its transaction opens (sourcemaps.store.prefetch): a stalling site then holds no
    row lock. None (and no query) while the installation has it off."""
    if not settings.SOURCEMAPS_FETCH:
        return ids
    ids = ids if ids is not None else fair_ids(limit, limits.PROCESSING_ATTEMPTS)
    prefetch(RawEvent.objects.filter(id__in=ids).order_by("id")[:limit])
    return ids


def _run_batch(limit: int, ids: list[int] | None) -> tuple[int, bool]:
    """One transaction, or two where its new ML fingerprints go first (`_process_rows`): (rows
    claimed, whether to run again at once for suspects)."""
    rows: list[RawEvent] = []
    batch: list[RawEvent] = []
    rest: Rest | None = None
    # Inside a caller's transaction nothing commits early, and the rest's claims, deleted in
    # it, would hold their claim connection's next count (ingest.claims) until it ends.
    split = not connection.in_atomic_block
    ids = _fetch_first(limit, ids)
    try:
        with transaction.atomic():
            rows = _claim(limit, ids)
            if not rows:
                return 0, False
            seen = set(
                RawClaim.objects.filter(raw_event_id__in=[r.id for r in rows]).values_list(
                    "raw_event_id", flat=True
                )
            )
            suspects = [row for row in rows if row.id in seen]
            batch = suspects[:1] if suspects else rows
            counts = record_claims([row.id for row in batch])
            if suspects and counts[batch[0].id] > limits.PROCESSING_ATTEMPTS:
                _dead_letter(batch[0], counts[batch[0].id])
            else:
                rest = _process_rows(batch, split)
        if rest is not None:
            batch = []  # a failure from here on is the rest's alone
            with transaction.atomic():
                batch = _claim_again(rest)
                if batch:
                    _store_rest(batch, rest)
        return len(rows), bool(suspects) and len(rows) > 1
    except DatabaseError as exc:
        if not batch:
            raise
        if len(batch) > 1:
            # Rolled back; its rows are suspects now and go one per transaction.
            log.warning("batch of %d failed (%s); retrying one by one", len(batch), exc)
            return len(rows), True
        record_failure(batch[0].id, batch[0].attempts, exc)  # its own transaction: it backs off
        log.exception("raw event %s failed to store", batch[0].id)
        return len(rows), len(rows) > 1
