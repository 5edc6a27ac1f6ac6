"""Merging issues and unmerging a fingerprint, keeping every counter right.

Both run inside the caller's transaction and take locks in the ingest pipeline's order (issue rows
by id through monitor.locks, then fingerprint and tag rows) before they read anything, so they
neither deadlock with concurrent event processing nor lose the counts it adds meanwhile.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Max, Min

from grouping import corrections
from grouping.assign import IssueSeed, create_issue, follow_newest_event
from grouping.models import GroupingFeedback, MergedIssue
from monitor import roundtrips
from monitor.locks import lock_issues
from monitor.models import Event, GroupHash, Issue, IssueTag
from monitor.signals import Change, announce
from priority import assess as priority_hooks
from priority import counts as hourly_counts

MERGE_TAGS_SQL = """
INSERT INTO monitor_issuetag (issue_id, key, value, times_seen, first_seen, last_seen)
SELECT %s, key, value, SUM(times_seen), MIN(first_seen), MAX(last_seen)
FROM monitor_issuetag WHERE issue_id = ANY(%s)
GROUP BY key, value ORDER BY key, value
ON CONFLICT (issue_id, key, value) DO UPDATE
SET times_seen = monitor_issuetag.times_seen + EXCLUDED.times_seen,
    first_seen = LEAST(monitor_issuetag.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(monitor_issuetag.last_seen, EXCLUDED.last_seen)
"""

RECOUNT_TAGS_SQL = """
INSERT INTO monitor_issuetag (issue_id, key, value, times_seen, first_seen, last_seen)
SELECT %s, tag->>0, tag->>1, COUNT(*), MIN(e.timestamp), MAX(e.timestamp)
FROM monitor_event e, jsonb_array_elements(e.tags) AS tag
WHERE e.issue_id = %s
GROUP BY tag->>0, tag->>1
"""


class MergeRefused(Exception):
    """The merge changes nothing: an issue of it is gone since the caller read it (merged into
    another one meanwhile, as when A is merged into B while B is merged into A, or the same
    merge is submitted twice)."""


def _lock_for_merge(target_id: int, sources: list[int]) -> None:
    """Lock the target and the sources (monitor.locks order) and check, under the locks, that
    each still exists; raises MergeRefused before anything is written otherwise."""
    present = lock_issues([target_id, *sources], with_fingerprints=True)
    if target_id not in present:
        raise MergeRefused(f"Issue #{target_id} was merged into another one meanwhile.")
    if gone := [s for s in sources if s not in present]:
        raise MergeRefused(
            f"Issue #{gone[0]} was merged into another one meanwhile; nothing was merged."
        )


USERS_SEEN_SQL = """
UPDATE monitor_issue SET times_seen = %s, first_seen = %s, last_seen = %s,
    users_seen = (SELECT COUNT(*) FROM monitor_issuetag WHERE issue_id = %s AND key = 'user')
WHERE id = %s
"""


def merge_issues(target_id: int, source_ids: list[int], locked: bool = False) -> Issue:
    """Move the sources' fingerprints, events and tag counts into the target; delete sources.
    Raises MergeRefused when the target or a source no longer exists. `locked`: the caller
    holds the issues' and their fingerprints' locks and has checked that all still exist (an
    ML decision).

    The writes go to PostgreSQL together (monitor.roundtrips), a few round trips in all
    whatever the number of tables that refer to an issue: the deletion of the emptied sources
    reads only what refers to them."""
    sources = sorted({s for s in source_ids if s != target_id})
    if not locked:
        _lock_for_merge(target_id, sources)
    if not sources:
        return Issue.objects.get(pk=target_id)
    issues = Issue.objects.in_bulk([target_id, *sources])
    target = issues[target_id]
    merged = [issues[s] for s in sources]
    target.times_seen += sum(i.times_seen for i in merged)
    target.first_seen = min([target.first_seen, *(i.first_seen for i in merged)])
    target.last_seen = max([target.last_seen, *(i.last_seen for i in merged)])
    with roundtrips.together(), connection.cursor() as cursor:
        cursor.execute(MERGE_TAGS_SQL, [target_id, sources])
        IssueTag.objects.filter(issue_id__in=sources).delete()
        GroupHash.objects.filter(issue_id__in=sources).update(issue_id=target_id)
        Event.objects.filter(issue_id__in=sources).update(issue_id=target_id)
        hourly_counts.move(target_id, sources)
        cursor.execute(USERS_SEEN_SQL, [target.times_seen, target.first_seen, target.last_seen,
                                        target_id, target_id])
        follow_newest_event([target_id])  # a source's newer event now leads the target
        MergedIssue.objects.filter(issue_id__in=sources).update(issue_id=target_id)  # flat
        MergedIssue.objects.bulk_create(
            [MergedIssue(project_id=target.project_id, previous_id=i.id, issue_id=target_id)
             for i in merged], ignore_conflicts=True)
        Issue.objects.filter(id__in=sources).delete()  # cascades to their embeddings
    target.refresh_from_db(fields=["title", "users_seen"])
    return target


def merge_by_user(target_id: int, source_ids: list[int], by=None, labelled: bool = True) -> Issue:
    """A merge asked for by a person: the moved fingerprints remember it. The issues are locked
    and read again first, so a merge whose target or source is gone meanwhile (a second submit of
    the same merge, or the reverse merge at the same moment) raises MergeRefused before the
    fingerprints are marked or the feedback and the activity log hear of it. The project
    learns from it (grouping.corrections; `labelled=False`: the caller labels the pair)."""
    sources = sorted({s for s in source_ids if s != target_id})
    _lock_for_merge(target_id, sources)
    if sources:
        corrections.merged(Issue.objects.get(pk=target_id), sources, by, labelled)
    GroupHash.objects.filter(issue_id__in=sources).update(decided_by=GroupHash.DecidedBy.MERGE)
    for source in sources:
        record_feedback(GroupingFeedback.Kind.MERGE, target_id, source)
    target = merge_issues(target_id, sources)
    if sources:
        announce([target_id], Change.MERGED, by, issues=sources)
    return target


def _first_event(issue_id: int) -> Event | None:
    return Event.objects.filter(issue_id=issue_id).order_by("timestamp", "id").first()


def record_feedback(kind: str, issue_a: int, issue_b: int) -> None:
    """A person's merge (same bug) or unmerge (different bugs) as a pair of representative
    events, which training sets read with the organisation's consent."""
    a, b = _first_event(issue_a), _first_event(issue_b)
    if a is not None and b is not None:
        GroupingFeedback.objects.create(project_id=a.project_id, kind=kind, event_a=a, event_b=b)


def recount(issue: Issue) -> None:
    """Rebuild an issue's counters, tag counts and title from its stored events."""
    IssueTag.objects.filter(issue=issue).delete()
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT_TAGS_SQL, [issue.id, issue.id])
    stats = Event.objects.filter(issue=issue).aggregate(
        n=Count("id"), first=Min("timestamp"), last=Max("timestamp")
    )
    issue.times_seen = stats["n"]
    if stats["n"]:
        issue.first_seen, issue.last_seen = stats["first"], stats["last"]
    issue.users_seen = IssueTag.objects.filter(issue=issue, key="user").count()
    issue.save(update_fields=["times_seen", "first_seen", "last_seen", "users_seen"])
    follow_newest_event([issue.id])
    issue.refresh_from_db(fields=["title"])


class NothingToUnmerge(Exception):
    """The unmerge changes nothing: the fingerprint has left the issue since the caller read it
    (a concurrent unmerge or merge moved it), or it is the issue's only one."""


def unmerge_hash(group_hash: GroupHash, by=None) -> Issue:
    """Give one fingerprint (and its events) an issue of its own again.

    `group_hash` is the fingerprint as the caller read it, on the issue a person acted on. That
    issue's row is locked first, then the fingerprint's (monitor.locks), and the fingerprint read
    again under the locks, since everything that moves a fingerprint holds its issue's lock: a
    second submit of the same unmerge then finds it gone instead of moving it off the first one's
    new issue. Raises NothingToUnmerge before writing anything when there is nothing to split.
    """
    if group_hash.issue_id not in lock_issues([group_hash.issue_id], with_fingerprints=True):
        raise NothingToUnmerge("The issue was merged into another one meanwhile.")
    old_issue = Issue.objects.get(pk=group_hash.issue_id)
    if not GroupHash.objects.filter(pk=group_hash.pk, issue_id=old_issue.id).exists():
        raise NothingToUnmerge("The fingerprint has already left this issue.")
    if old_issue.hashes.count() <= 1:
        raise NothingToUnmerge("The issue has no other fingerprint to keep.")
    first = (
        Event.objects.filter(project_id=group_hash.project_id, grouping_hash=group_hash.hash)
        .order_by("timestamp")
        .first()
    )
    seed = IssueSeed(
        title=first.title if first else old_issue.title,
        culprit=first.data.get("culprit", "") if first else old_issue.culprit,
        level=first.level if first else old_issue.level,
        type=first.data.get("type", old_issue.type) if first else old_issue.type,
        platform=first.platform if first else old_issue.platform,
        timestamp=first.timestamp if first else old_issue.first_seen,
    )
    corrections.unmerged(group_hash, old_issue, by)
    new_issue_id = create_issue(group_hash.project_id, seed)
    if first is not None:
        priority_hooks.at_creation(group_hash.project_id, {new_issue_id: first})
    new_issue = Issue.objects.get(pk=new_issue_id)
    GroupHash.objects.filter(pk=group_hash.pk).update(
        issue_id=new_issue_id, decided_by=GroupHash.DecidedBy.UNMERGE
    )
    Event.objects.filter(
        project_id=group_hash.project_id, grouping_hash=group_hash.hash, issue=old_issue
    ).update(issue_id=new_issue_id)
    recount(old_issue)
    recount(new_issue)
    hourly_counts.recount([old_issue.id, new_issue_id])
    record_feedback(GroupingFeedback.Kind.UNMERGE, new_issue_id, old_issue.id)
    announce([old_issue.id], Change.UNMERGED, by, new_issue=new_issue_id, hash=group_hash.hash)
    announce([new_issue_id], Change.UNMERGED, by, from_issue=old_issue.id, hash=group_hash.hash)
    return new_issue
