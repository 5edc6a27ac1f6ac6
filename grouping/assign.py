"""Issue assignment and issue counters in the database, safe under concurrent workers.

Callers run these inside one transaction. Locks are always taken in the same order (hash advisory
locks sorted, then issue rows sorted by id and fingerprint rows (monitor.locks), then tag rows
sorted), by ingest and by merges and unmerges alike, so they never deadlock; and every counter is
an in-database increment made while its issue row is locked, so none is lost to a concurrent
merge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection

from grouping.fingerprint import DEFAULT_CONFIG
from monitor import roundtrips
from monitor.locks import lock_and_read
from monitor.models import GroupHash, Issue
from monitor.state import REGRESSION_SQL


@dataclass(frozen=True)
class IssueSeed:
    """What a new issue is created from: the first event seen with its hash."""

    title: str
    culprit: str
    level: str
    type: str
    platform: str
    timestamp: dt.datetime
    fingerprint_config: str = DEFAULT_CONFIG  # the configuration that made its hash
    previous_hash: str | None = None  # its hash under the configuration that one replaced
    older_hashes: tuple[str, ...] = ()  # under the ones before, newest first (where they differ)
    site_function: str = ""  # where its first event crashed (grouping.rename.site_of)
    site_file: str = ""  # and in which file (grouping.rename.file_of)


@dataclass
class IssueDelta:
    """What a batch of events adds to one issue."""

    count: int = 0
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    last_received: dt.datetime | None = None
    tags: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, timestamp: dt.datetime, received: dt.datetime, tags: Iterable[Iterable[str]]):
        self.count += 1
        self.first_seen = min(filter(None, (self.first_seen, timestamp)))
        self.last_seen = max(filter(None, (self.last_seen, timestamp)))
        self.last_received = max(filter(None, (self.last_received, received)))
        for key, value in tags:
            self.tags[(key, value)] = self.tags.get((key, value), 0) + 1


def _lock_key(project_id: int, hash_: str) -> int:
    digest = hashlib.blake2b(f"{project_id}:{hash_}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_hashes(project_id: int, hashes: Iterable[str]) -> None:
    keys = sorted({_lock_key(project_id, h) for h in hashes})
    if keys:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys]
            )


HASH_ISSUES_SQL = """
SELECT hash, issue_id FROM monitor_grouphash WHERE project_id = %s AND hash = ANY(%s)
"""


def existing_issues(project_id: int, hashes: Iterable[str]) -> dict[str, int]:
    hashes = list(hashes)
    if not hashes:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(HASH_ISSUES_SQL, [project_id, hashes])
        return dict(cursor.fetchall())


def _issue(project_id: int, seed: IssueSeed) -> Issue:
    return Issue(project_id=project_id, title=seed.title, culprit=seed.culprit, level=seed.level,
                 type=seed.type, platform=seed.platform, first_seen=seed.timestamp,
                 last_seen=seed.timestamp)


def create_issue(project_id: int, seed: IssueSeed) -> int:
    """A new issue without a fingerprint (an unmerge's: grouping.merge)."""
    return Issue.objects.bulk_create([_issue(project_id, seed)])[0].id


def _create(project_id: int, seeds: dict[str, IssueSeed], fresh: list[str],
            pointed: dict[str, int], ml_candidates: frozenset[str]) -> dict[str, int]:
    """New issues for the `fresh` hashes, and fingerprint rows for them and for the `pointed`
    ones (hash → the issue the previous configuration made), in two statements however many:
    a burst of new fingerprints (a release's new errors) is one batch whose commit each of
    their ML decisions waits for. Returns hash → issue id for the fresh hashes."""
    issues = Issue.objects.bulk_create([_issue(project_id, seeds[h]) for h in fresh])
    made = {hash_: issue.id for hash_, issue in zip(fresh, issues, strict=True)}
    GroupHash.objects.bulk_create([
        GroupHash(project_id=project_id, hash=hash_, issue_id=issue_id,
                  ml_state=(GroupHash.MLState.PENDING if hash_ in made and hash_ in ml_candidates
                            else GroupHash.MLState.NONE),
                  fingerprint_config=seeds[hash_].fingerprint_config,
                  site_function=seeds[hash_].site_function,
                  site_file=seeds[hash_].site_file)
        for hash_, issue_id in sorted({**pointed, **made}.items())])
    return made


def _earlier(seed: IssueSeed) -> tuple[str, ...]:
    """The seed's hashes under earlier configurations, newest first: the issue of the newest
    one that has an issue is joined."""
    return (seed.previous_hash, *seed.older_hashes) if seed.previous_hash else ()


def resolve_hashes(
    project_id: int, seeds: dict[str, IssueSeed], ml_candidates: frozenset[str] = frozenset()
) -> tuple[dict[str, int], set[str]]:
    """hash → issue id, and the hashes this call created. A hash seen for the first time gets a
    new issue (exactly once); when it is in `ml_candidates` it waits for the embedder. A new hash
    whose seed's previous-configuration hash has an issue joins that issue instead."""
    found = existing_issues(project_id, seeds)
    missing = [h for h in seeds if h not in found]
    created: set[str] = set()
    if missing:
        lock_hashes(project_id, missing)
        found.update(existing_issues(project_id, missing))  # another worker may have won
        earlier = existing_issues(
            project_id, {e for h in missing for e in _earlier(seeds[h])})
        new = sorted(h for h in missing if h not in found)
        pointed = {h: issue for h in new
                   if (issue := next((earlier[e] for e in _earlier(seeds[h])
                                      if earlier.get(e)), None))}
        made = _create(project_id, seeds, [h for h in new if h not in pointed], pointed,
                       ml_candidates)
        found.update(pointed)
        found.update(made)
        created.update(made)
    # Lock the issues before events point at them: a merge that committed since the lookup
    # has moved its fingerprints, so look again (at most a few times) under the locks. A
    # fingerprint deleted meanwhile with its issue (an erasure, a deletion) is made anew.
    for _ in range(3):
        present, now = lock_and_read(found.values(),
                                     then=(HASH_ISSUES_SQL, [project_id, list(found)]))
        rows = dict(now)
        moved = {h: i for h, i in rows.items() if found[h] != i}
        # deleted with its issue; or this batch's own row (`pointed`) whose issue was deleted
        gone = sorted(h for h in found
                      if h not in rows or (rows[h] == found[h] and found[h] not in present))
        if gone:  # the issues made here are this batch's own: nobody else can lock them
            others, made = _create_again(project_id, seeds, gone, ml_candidates)
            found.update(made)
            created.update(made)
            moved.update(others)
        if not moved:
            break
        found.update(moved)
    else:  # the last pass's moves point at issues it has not locked
        raise FingerprintRace("fingerprints kept moving while the batch locked their issues")
    return found, created


# Each (fingerprint, release) once: the rename path's evidence (grouping.rename). A pair already
# there costs one index probe and writes nothing.
RECORD_RELEASES_SQL = """
INSERT INTO grouping_fingerprintrelease (group_hash_id, release)
SELECT gh.id, t.release FROM unnest(%s::text[], %s::text[]) AS t(hash, release)
JOIN monitor_grouphash gh ON gh.project_id = %s AND gh.hash = t.hash
ORDER BY gh.id, t.release
ON CONFLICT (group_hash_id, release) DO NOTHING
"""


def fingerprint_releases(project_id: int, pairs: Iterable[tuple[str, str]]
                         ) -> tuple[str, list] | None:
    """The statement that records the releases a batch's fingerprints came in, (hash, release)
    pairs, or None; run in the batch's transaction after resolve_hashes (every hash has its
    row), sent with the batch's events (monitor.eventstore.insert_events)."""
    pairs = sorted(set(pairs))
    if not pairs:
        return None
    return RECORD_RELEASES_SQL, [[h for h, _ in pairs], [r for _, r in pairs], project_id]


class FingerprintRace(DatabaseError):
    """The batch's fingerprints kept moving (merges, erasures) while it locked their issues, or
    one deleted during the batch is being made again by another worker, whose hash lock it
    cannot wait for while it holds issue locks: the batch is redone (a failed batch's events go
    again one at a time: ingest.processing)."""


def _create_again(project_id: int, seeds: dict[str, IssueSeed], gone: list[str],
                  ml_candidates: frozenset[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Fingerprints whose issue was deleted after this batch looked them up: (those another
    worker made again and committed meanwhile → their issue, those made here → a new issue).
    Their hash locks come after issue locks here, out of the order every writer keeps, so they
    are only tried: one that another worker holds fails the batch instead of waiting."""
    keys = sorted({_lock_key(project_id, h) for h in gone})
    with connection.cursor() as cursor:
        cursor.execute("SELECT bool_and(pg_try_advisory_xact_lock(k)) "
                       "FROM unnest(%s::bigint[]) AS k", [keys])
        if not cursor.fetchone()[0]:
            raise FingerprintRace(f"{len(gone)} fingerprints are being made again")
        cursor.execute(DANGLING_SQL, [project_id, gone])  # this batch's, pointing at nothing
    others = existing_issues(project_id, gone)
    return others, _create(project_id, seeds, [h for h in gone if h not in others], {},
                           ml_candidates)


DANGLING_SQL = """
DELETE FROM monitor_grouphash gh WHERE project_id = %s AND hash = ANY(%s)
AND NOT EXISTS (SELECT 1 FROM monitor_issue i WHERE i.id = gh.issue_id)
"""


TAG_UPSERT = """
INSERT INTO monitor_issuetag (issue_id, key, value, times_seen, first_seen, last_seen)
SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[],
                     %s::timestamptz[], %s::timestamptz[])
ON CONFLICT (issue_id, key, value) DO UPDATE
SET times_seen = monitor_issuetag.times_seen + EXCLUDED.times_seen,
    last_seen = GREATEST(monitor_issuetag.last_seen, EXCLUDED.last_seen)
RETURNING issue_id, key, (xmax = 0) AS inserted
"""

# The bump locks the row in a CTE and reads its latest committed state as `old`, so the caller
# learns what this batch changed (regressions, ignored issues that got events); the regression
# rule is monitor.state's. The title follows the newest event's message while the issue's
# exception type stays: "T: old" becomes "T: <newest message>" even when a merged-in fingerprint
# raised another type.
LATEST_TITLE = """COALESCE((
    SELECT CASE WHEN monitor_issue.type = 'error' AND strpos(monitor_issue.title, ': ') > 0
            AND strpos(e.title, ': ') > 0
        THEN left(split_part(monitor_issue.title, ': ', 1) || ': '
                  || substr(e.title, strpos(e.title, ': ') + 2), 255)
        ELSE e.title END
    FROM monitor_event e WHERE e.issue_id = monitor_issue.id
    ORDER BY e.timestamp DESC, e.id DESC LIMIT 1), title)"""

ISSUE_BUMP_SQL = f"""
WITH old AS (SELECT id, status, resolved_at, resolved_in_release FROM monitor_issue
             WHERE id = %(id)s FOR UPDATE)
UPDATE monitor_issue SET
    times_seen = times_seen + %(count)s,
    users_seen = users_seen + %(new_users)s,
    first_seen = LEAST(first_seen, %(first_seen)s),
    last_seen = GREATEST(last_seen, %(last_seen)s),
    {REGRESSION_SQL},
    title = CASE WHEN %(last_seen)s >= last_seen THEN {LATEST_TITLE} ELSE title END
FROM old WHERE monitor_issue.id = old.id
RETURNING old.status, monitor_issue.status
"""


TITLE_FROM_NEWEST_SQL = f"UPDATE monitor_issue SET title = {LATEST_TITLE} WHERE id = ANY(%s)"


def follow_newest_event(issue_ids: Iterable[int]) -> None:
    """Give issues the title of their newest event (LATEST_TITLE), as a bump does: for when
    events change issue without a bump (an ML or manual merge, an unmerge, an erasure)."""
    ids = sorted(set(issue_ids))
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(TITLE_FROM_NEWEST_SQL, [ids])


def record_tags(
    deltas: dict[int, IssueDelta], new_releases: set[int] | None = None
) -> dict[int, int]:
    """Upsert tag value counts; returns issue id → number of users seen for the first time.
    `new_releases`, when given, receives the issues that got a release never seen on them."""
    rows = sorted(
        (issue_id, key, value, n, delta.first_seen, delta.last_seen)
        for issue_id, delta in deltas.items()
        for (key, value), n in delta.tags.items()
    )
    new_users: dict[int, int] = {}
    if not rows:
        return new_users
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(TAG_UPSERT, columns)
        for issue_id, key, inserted in cursor.fetchall():
            if key == "user" and inserted:
                new_users[issue_id] = new_users.get(issue_id, 0) + 1
            elif key == "release" and inserted and new_releases is not None:
                new_releases.add(issue_id)
    return new_users


def bump_issues(deltas: dict[int, IssueDelta]) -> dict[int, tuple[str, str]]:
    """Add a batch's counts to its issues, and reopen those it regresses (monitor.state).
    Returns issue id → (status before, status after) for issues not unresolved before.
    The caller holds the issues' row locks already (resolve_hashes takes them in id order)."""
    new_releases: set[int] = set()
    new_users = record_tags(deltas, new_releases)
    bumped = []  # each issue's statement on a cursor of its own: their answers come together
    with roundtrips.together():
        for issue_id in sorted(deltas):
            delta = deltas[issue_id]
            cursor = connection.cursor()
            cursor.execute(
                ISSUE_BUMP_SQL,
                {
                    "id": issue_id,
                    "count": delta.count,
                    "new_users": new_users.get(issue_id, 0),
                    "first_seen": delta.first_seen,
                    "last_seen": delta.last_seen,
                    "last_received": delta.last_received,
                    "new_release": issue_id in new_releases,
                },
            )
            bumped.append((issue_id, cursor))
    changes: dict[int, tuple[str, str]] = {}
    for issue_id, cursor in bumped:
        with cursor:
            row = cursor.fetchone()
        if row and row[0] != "unresolved":
            changes[issue_id] = (row[0], row[1])
    return changes
