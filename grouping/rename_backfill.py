"""The rename path's records (grouping.rename) for data stored before they were written: an
installation upgraded from before the path has no site function on its older fingerprints, no
(fingerprint, release) rows for them and no statement on its older issue vectors, so the path
never finds its older issues and its release evidence is blind to them.

Each record is computed by the function that writes it live, from the stored event it was
written from: a fingerprint's site function and file (grouping.rename.crash_site) from its
first event (monitor.eventstore.first_events, as the ML decision reads it); an issue vector's
record (GroupingPolicy.statement_of, of the vector's model) from the event the vector was
computed from (its issue's first event for a vector that never recorded one); the releases from
every stored event's `release` column, which ingest fills from the payload's field the live
record reads (grouping.rename.release_of; ingest.processing.prepare).

Safe beside ingest, merges and deletions: each batch is its own short transaction. Rows being
written by someone else are skipped (SKIP LOCKED), not waited for; a release row is written only
for a fingerprint whose issue the batch holds (FOR KEY SHARE, in id order, as monitor.locks
orders issues), so a deletion or a merge of that issue waits for the batch and then sees its
rows, never a row it did not delete. Idempotent: only empty records are written, releases
`ON CONFLICT DO NOTHING`; a second run writes nothing. Rows deleted between batches are simply
no longer read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from embeddings.models import EmbeddingModel, IssueEmbedding
from grouping.policy import GroupingPolicy, policy_for
from grouping.rename import crash_site
from monitor import eventstore
from monitor.models import Event, GroupHash, Project


@dataclass
class Progress:
    """One pass's counts so far: rows (events, for releases) read and records written."""

    what: str
    read: int = 0
    written: int = 0
    at: str = "starting"  # where the pass is: the last id read, or the project and event

    def __str__(self) -> str:
        return f"{self.what}: {self.read:,} read, {self.written:,} written ({self.at})"


FILL_SITES_SQL = """
WITH free AS (SELECT id FROM monitor_grouphash WHERE id = ANY(%(ids)s)
              AND (site_function = '' OR site_file = '')
              ORDER BY id FOR NO KEY UPDATE SKIP LOCKED)
UPDATE monitor_grouphash gh
SET site_function = CASE WHEN gh.site_function = '' THEN t.site ELSE gh.site_function END,
    site_file = CASE WHEN gh.site_file = '' THEN t.file ELSE gh.site_file END
FROM free JOIN unnest(%(ids)s::bigint[], %(sites)s::text[], %(files)s::text[])
    AS t(id, site, file) ON t.id = free.id
WHERE gh.id = free.id AND ((gh.site_function = '' AND t.site <> '')
                           OR (gh.site_file = '' AND t.file <> ''))
"""


def fingerprints(project_id: int | None = None, batch: int = 1000) -> Iterator[Progress]:
    """Each fingerprint without a site function gets its first event's, and that site's file
    (none where that event has no application crash site, or is gone). Each pass yields its
    progress as it starts and after each batch."""
    progress, after = Progress("site functions"), 0
    yield progress
    # a fingerprint recorded before its file was kept has a site function and no file
    todo = GroupHash.objects.filter(Q(site_function="") | Q(site_file="")).order_by("id")
    if project_id is not None:
        todo = todo.filter(project_id=project_id)
    while rows := list(todo.filter(id__gt=after).values_list("id", "project_id", "hash")[:batch]):
        after = rows[-1][0]
        firsts = eventstore.first_events((project, hash_) for _, project, hash_ in rows)
        found = [(pk, *where) for pk, project, hash_ in rows
                 if (first := firsts.get((project, hash_)))
                 and (where := crash_site(first.data))[0]]
        progress.read += len(rows)
        progress.written += _fill(FILL_SITES_SQL, {"ids": [f[0] for f in found],
                                                   "sites": [f[1] for f in found],
                                                   "files": [f[2] for f in found]})
        progress.at = f"fingerprint {after}"
        yield progress


FILL_STATEMENTS_SQL = """
WITH free AS (SELECT id FROM embeddings_issueembedding WHERE id = ANY(%(ids)s)
              AND (statement = '' OR line_statement = '')
              ORDER BY id FOR NO KEY UPDATE SKIP LOCKED)
UPDATE embeddings_issueembedding ie SET statement = t.statement, line_statement = t.line,
    site_function = t.site, site_file = t.file
FROM free JOIN unnest(%(ids)s::bigint[], %(statements)s::text[], %(lines)s::text[],
                      %(sites)s::text[], %(files)s::text[])
    AS t(id, statement, line, site, file) ON t.id = free.id
WHERE ie.id = free.id
  AND (ie.statement, ie.line_statement, ie.site_function, ie.site_file)
      IS DISTINCT FROM (t.statement, t.line, t.site, t.file)
"""


def vectors(project_id: int | None = None, batch: int = 1000) -> Iterator[Progress]:
    """Each issue vector without a statement gets its event's (none where the crash site has
    no statement, or the event is gone), in the shape of its model's policy."""
    progress, after = Progress("statements"), 0
    yield progress
    policies: dict[int, GroupingPolicy | None] = {}
    # a vector stored before the line's digest was kept has a statement and no line digest
    todo = IssueEmbedding.objects.filter(Q(statement="") | Q(line_statement="")).order_by("id")
    if project_id is not None:
        todo = todo.filter(project_id=project_id)
    while rows := list(todo.filter(id__gt=after)
                       .values_list("id", "model_id", "issue_id", "event_id")[:batch]):
        after = rows[-1][0]
        events = _vector_events(rows)
        found = []
        for pk, model_id, issue_id, event_id in rows:
            event = events.get(event_id) if event_id else _first_of(issue_id)
            if event is None:
                continue
            policy = _policy(policies, model_id)
            record = policy.statement_of(event.data) if policy else None
            if record and record.statement:
                found.append((pk, record))
        progress.read += len(rows)
        progress.written += _fill(FILL_STATEMENTS_SQL, {
            "ids": [pk for pk, _ in found],
            "statements": [r.statement for _, r in found],
            "lines": [r.line_statement for _, r in found],
            "sites": [r.site_function for _, r in found],
            "files": [r.site_file for _, r in found]})
        progress.at = f"vector {after}"
        yield progress


def _policy(policies: dict[int, GroupingPolicy | None], model_id: int) -> GroupingPolicy | None:
    """The model's policy (its statement shape), read once a run; None for a model deleted
    meanwhile (its vectors went with it)."""
    if model_id not in policies:
        model = EmbeddingModel.objects.filter(pk=model_id).first()
        policies[model_id] = policy_for(None, model) if model else None
    return policies[model_id]


def _vector_events(rows: list[tuple]) -> dict[int, Event]:
    """The events the vectors were computed from, payloads attached, by id."""
    ids = [event_id for *_, event_id in rows if event_id]
    events = list(Event.objects.filter(id__in=ids)) if ids else []
    return {event.id: event for event in eventstore.attach_payloads(events)}


def _first_of(issue_id: int) -> Event | None:
    """An issue's first event: what a vector stored without its event's id was computed from
    (grouping.backfill embeds it)."""
    return Event.objects.filter(issue_id=issue_id).order_by("timestamp", "id").first()


def _fill(sql: str, params: dict) -> int:
    """One batch's write in its own transaction; how many rows it wrote."""
    if not params["ids"]:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# The issues of a batch's fingerprints, held until it commits: a merge, unmerge or deletion of
# one (each locks its issues FOR UPDATE first) waits for the batch, and then sees its rows.
HOLD_ISSUES_SQL = """
SELECT id FROM monitor_issue WHERE id IN (
    SELECT issue_id FROM monitor_grouphash WHERE project_id = %s AND hash = ANY(%s))
ORDER BY id FOR KEY SHARE
"""

# ingest's statement (grouping.assign.RECORD_RELEASES_SQL), for fingerprints of the issues held
RECORD_HELD_RELEASES_SQL = """
INSERT INTO grouping_fingerprintrelease (group_hash_id, release)
SELECT gh.id, t.release FROM unnest(%s::text[], %s::text[]) AS t(hash, release)
JOIN monitor_grouphash gh ON gh.project_id = %s AND gh.hash = t.hash
WHERE gh.issue_id = ANY(%s)
ORDER BY gh.id, t.release
ON CONFLICT (group_hash_id, release) DO NOTHING
"""


def releases(project_id: int | None = None, batch: int = 1000) -> Iterator[Progress]:
    """Each (fingerprint, release) pair of the stored events gets its row; a project at a time,
    its events in (received, id) order by the (project, received) index."""
    progress = Progress("releases")
    yield progress
    projects = Project.objects.order_by("id").values_list("id", flat=True)
    if project_id is not None:
        projects = projects.filter(id=project_id)
    for project in projects:
        after: tuple[dt.datetime, int] | None = None
        while rows := _events_after(project, after, batch):
            after = rows[-1][:2]
            pairs = sorted({(hash_, release) for _, _, hash_, release in rows})
            progress.read += len(rows)
            progress.written += _record(project, pairs)
            progress.at = f"project {project}, event {after[1]}"
            yield progress


def _events_after(project_id: int, after: tuple[dt.datetime, int] | None,
                  batch: int) -> list[tuple]:
    events = Event.objects.filter(project_id=project_id)
    if after is not None:
        received, pk = after
        events = events.filter(Q(received__gt=received) | Q(received=received, id__gt=pk),
                               received__gte=received)
    return list(events.order_by("received", "id")
                .values_list("received", "id", "grouping_hash", "release")[:batch])


def _record(project_id: int, pairs: list[tuple[str, str]]) -> int:
    hashes = sorted({hash_ for hash_, _ in pairs})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(HOLD_ISSUES_SQL, [project_id, hashes])
        held = [row[0] for row in cursor.fetchall()]
        if not held:
            return 0
        cursor.execute(RECORD_HELD_RELEASES_SQL, [[h for h, _ in pairs], [r for _, r in pairs],
                                                  project_id, held])
        return cursor.rowcount
