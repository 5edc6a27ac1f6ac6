"""ProjectTagValue holds exactly the release and environment values some tag-count row of the
project still has, once the deletions are checked (monitor.tag_values.prune, beat): a value
leaves with the project's last row of it, whoever deletes the rows (an issue's deletion, a
merge, retention row by row and by dropped partition, a project's purge, raw SQL), and a value
written by another transaction while it is pruned is never left out."""

from __future__ import annotations

import datetime as dt
import threading
import time

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from grouping.merge import merge_issues
from monitor import limits, partitions, tag_values
from monitor.models import (
    Event,
    Issue,
    IssueTag,
    Organization,
    Project,
    ProjectTagValue,
    ProjectTagValueCheck,
)
from monitor.search import EVENT_FILTERS
from privacy import deletion
from tests.helpers.events import event, ingest
from tests.helpers.tags import issue_with_tags

DAY = dt.timedelta(days=1)


def _project(org, slug: str) -> Project:
    return Project.objects.create(organization=org, name=slug, slug=slug, platform="python",
                                  grouping_mode=Project.GroupingMode.FINGERPRINT)


def _kept(project) -> set[tuple[str, str]]:
    """The project's values once the deletions queued so far are checked."""
    _pruned()
    return set(ProjectTagValue.objects.filter(project=project).values_list("key", "value"))


def _table() -> set[tuple[int, str, str]]:
    return set(ProjectTagValue.objects.values_list("project_id", "key", "value"))


def _held() -> set[tuple[int, str, str]]:
    """What the table must hold: the values some tag row of each project has."""
    return set(IssueTag.objects.filter(key__in=EVENT_FILTERS)
               .values_list("issue__project_id", "key", "value").distinct())


def _pruned() -> set[tuple[int, str, str]]:
    """Every project's values once the deletions queued so far are checked."""
    tag_values.prune()
    assert not ProjectTagValueCheck.objects.exists()
    return set(ProjectTagValue.objects.values_list("project_id", "key", "value"))


@pytest.fixture
def shop():
    org = Organization.objects.create(slug="prune", name="prune", retention_days=30)
    return _project(org, "shop")


@pytest.mark.django_db
def test_deleting_the_last_issue_of_a_value_takes_the_value_and_only_that_one(shop):
    other = _project(shop.organization, "other")
    old = issue_with_tags(shop, "old", release="shop@1.0", environment="production")
    issue_with_tags(shop, "new", release="shop@2.0", environment="production")
    issue_with_tags(other, "elsewhere", release="shop@1.0", environment="production")
    assert _kept(shop) == {("release", "shop@1.0"), ("release", "shop@2.0"),
                           ("environment", "production")}

    old.delete()

    assert _kept(shop) == {("release", "shop@2.0"), ("environment", "production")}
    assert _kept(other) == {("release", "shop@1.0"), ("environment", "production")}
    assert _pruned() == _held()


@pytest.mark.django_db
def test_a_queryset_delete_and_raw_sql_prune_too(shop):
    issues = [issue_with_tags(shop, f"i{n}", release=f"shop@{n}", environment=f"env{n % 2}")
              for n in range(6)]
    Issue.objects.filter(id__in=[i.id for i in issues[:2]]).delete()
    assert _kept(shop) == {("release", f"shop@{n}") for n in range(2, 6)} | {
        ("environment", "env0"), ("environment", "env1")}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM monitor_issuetag WHERE issue_id = ANY(%s) AND key = 'release'",
                       [[i.id for i in issues[2:5]]])
    assert _kept(shop) == {("release", "shop@5"), ("environment", "env0"),
                           ("environment", "env1")}
    assert _pruned() == _held()


@pytest.mark.django_db
def test_a_deletion_queues_its_values_once_per_statement_and_the_check_takes_them_in_batches(
        shop, monkeypatch):
    issues = [issue_with_tags(shop, f"i{n}", release=f"shop@{n}", environment="production")
              for n in range(5)]
    Issue.objects.filter(id__in=[i.id for i in issues]).delete()
    queued = list(ProjectTagValueCheck.objects.values_list("project_id", "key", "value"))
    assert sorted(queued) == sorted({(shop.id, "release", f"shop@{n}") for n in range(5)} | {
        (shop.id, "environment", "production")})
    assert _table() == {(shop.id, key, value) for _, key, value in queued}  # until checked
    monkeypatch.setattr(limits, "TAG_VALUE_CHECKS", 2)
    assert tag_values.prune() == 6
    assert _pruned() == set()


@pytest.mark.django_db
def test_other_keys_are_not_kept_and_their_deletion_changes_nothing(shop):
    issue = issue_with_tags(shop, "a", release="shop@1.0", job="nightly", user="id:1")
    IssueTag.objects.filter(issue=issue, key__in=["job", "user"]).delete()
    assert _kept(shop) == {("release", "shop@1.0")}


@pytest.mark.django_db
def test_a_merge_keeps_the_values_the_target_now_holds(shop):
    target = issue_with_tags(shop, "target", release="shop@1.0")
    source = issue_with_tags(shop, "source", release="shop@2.0", environment="staging")
    merge_issues(target.id, [source.id])
    assert not Issue.objects.filter(pk=source.pk).exists()
    assert _kept(shop) == {("release", "shop@1.0"), ("release", "shop@2.0"),
                           ("environment", "staging")}
    assert _pruned() == _held()


@pytest.mark.django_db
def test_purging_a_project_takes_its_values_and_no_others(shop):
    other = _project(shop.organization, "other")
    for n in range(3):
        issue_with_tags(shop, f"s{n}", release=f"r{n}", environment="production")
    issue_with_tags(other, "o", release="r1", environment="production")
    deletion.purge_project(shop.id)
    assert not ProjectTagValue.objects.filter(project_id=shop.id).exists()
    assert _kept(other) == {("release", "r1"), ("environment", "production")}
    assert _pruned() == _held()


def _ingest(project, release: str, fingerprint: str, environment: str = "production") -> None:
    ingest(project, {**event(), "release": release, "environment": environment,
                     "fingerprint": [fingerprint]})


@pytest.mark.django_db
def test_retention_row_by_row_takes_a_release_whose_events_all_expired(shop):
    """A 30-day organisation: the events received before the cutoff (no partition of their
    own: the default one) go row by row, their tag counts with them; the issue with a newer
    event stays with its newer release only, the issue without one goes."""
    _ingest(shop, "shop@1.0", "kept")
    _ingest(shop, "shop@2.0", "kept", environment="staging")
    _ingest(shop, "shop@1.1", "gone")
    old = timezone.now() - 40 * DAY
    Event.objects.filter(release__in=["shop@1.0", "shop@1.1"]).update(received=old)
    assert _kept(shop) == {("release", "shop@1.0"), ("release", "shop@2.0"),
                           ("release", "shop@1.1"), ("environment", "production"),
                           ("environment", "staging")}

    counts = deletion.purge_expired()

    assert counts["events"] == 2 and counts["issues"] == 1
    assert _kept(shop) == {("release", "shop@2.0"), ("environment", "staging")}
    assert _pruned() == _held()


@pytest.mark.django_db(transaction=True)
def test_retention_dropping_a_partition_takes_the_values_of_its_events(shop):
    now = timezone.now()
    old_at = now - 45 * DAY
    partitions.create(partitions.span_of(old_at))
    _ingest(shop, "shop@1.0", "a")
    _ingest(shop, "shop@2.0", "a")
    _ingest(shop, "shop@1.0", "b", environment="staging")
    Event.objects.filter(release="shop@1.0").update(received=old_at)
    assert Event.objects.filter(received=old_at).count() == 2

    deletion.purge_expired(now)

    assert partitions.span_of(old_at) not in partitions.existing("monitor_event")
    assert _kept(shop) == {("release", "shop@2.0"), ("environment", "production")}
    assert _pruned() == _held()


def _other_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    conn = psycopg.connect(**params, autocommit=False)
    conn.execute("SET lock_timeout = '20s'")  # a deadlock fails the test, never hangs it
    conn.commit()
    return conn


def _wait_for_lock_wait(statement: str) -> bool:
    """Until a backend running `statement` waits on a lock (10 s at most): whether one did."""
    deadline = time.monotonic() + 10
    with _other_connection() as probe:
        while time.monotonic() < deadline:
            (waiting,) = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE %s", [f"%{statement}%"]).fetchone()
            probe.rollback()
            if waiting:
                return True
            time.sleep(0.05)
    return False


def _in_thread(work) -> tuple[threading.Thread, list]:
    errors: list = []

    def run():
        try:
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


INSERT_TAG = ("INSERT INTO monitor_issuetag (issue_id, key, value, times_seen, first_seen,"
              " last_seen) VALUES (%s, 'release', %s, 1, now(), now())")


@pytest.fixture
def last_row_gone(shop):
    """A release whose only tag row was deleted (its value queued for the check) and an issue
    of the project without it."""
    last = issue_with_tags(shop, "last", release="shop@1.0")
    newer = issue_with_tags(shop, "newer")
    last.delete()
    assert _table() == {(shop.id, "release", "shop@1.0")}
    return newer


@pytest.mark.django_db(transaction=True)
def test_a_value_inserted_while_it_is_pruned_is_kept(shop, last_row_gone):
    """The insert's transaction found the value listed and has not committed: the check, which
    cannot see its row, finds the value locked and leaves it queued (it never waits); once the
    insert committed, the next check keeps it."""
    with _other_connection() as inserter:
        inserter.execute(INSERT_TAG, [last_row_gone.id, "shop@1.0"])
        thread, errors = _in_thread(tag_values.prune)  # another connection, as beat's
        thread.join(30)
        assert not errors and not thread.is_alive()
        assert _table() == {(shop.id, "release", "shop@1.0")}
        assert ProjectTagValueCheck.objects.count() == 1
        inserter.commit()
    assert _kept(shop) == {("release", "shop@1.0")}
    assert _pruned() == _held()


@pytest.mark.django_db(transaction=True)
def test_a_value_inserted_after_it_was_found_unused_is_listed_again(shop, last_row_gone):
    """The check has found the value unused and locked it (held up, here, by a third
    transaction's row lock on the value): the insert waits for the check to commit, then lists
    the value again."""
    with _other_connection() as blocker, _other_connection() as inserter:
        blocker.execute("SELECT 1 FROM monitor_projecttagvalue WHERE project_id = %s FOR UPDATE",
                        [shop.id])
        thread, errors = _in_thread(tag_values.prune)
        assert _wait_for_lock_wait("DELETE FROM monitor_projecttagvalue")
        inserting, insert_errors = _in_thread(lambda: (
            inserter.execute(INSERT_TAG, [last_row_gone.id, "shop@1.0"]), inserter.commit()))
        waited = _wait_for_lock_wait("INSERT INTO monitor_issuetag")
        blocker.commit()
        thread.join(30)
        inserting.join(30)
    assert not errors and not insert_errors and not thread.is_alive()
    assert _kept(shop) == {("release", "shop@1.0")}
    assert _pruned() == _held()
    assert waited


@pytest.mark.django_db(transaction=True)
def test_deleting_and_inserting_one_value_in_two_transactions_at_once_waits_for_nothing(shop):
    """Each transaction inserts the value on one issue and deletes it from another (a merge):
    neither waits for the other, and the value stays."""
    issues = [issue_with_tags(shop, f"i{n}", release="shop@1.0") for n in range(2)]
    targets = [issue_with_tags(shop, f"t{n}") for n in range(2)]
    with _other_connection() as one, _other_connection() as two:
        for conn, target, source in ((one, targets[0], issues[0]), (two, targets[1], issues[1])):
            conn.execute(INSERT_TAG, [target.id, "shop@1.0"])
            conn.execute("DELETE FROM monitor_issuetag WHERE issue_id = %s", [source.id])
        one.commit()
        two.commit()
    assert _kept(shop) == {("release", "shop@1.0")}
    assert _pruned() == _held()


@pytest.mark.django_db
def test_a_run_takes_a_bounded_number_of_batches_and_leaves_the_rest_to_the_next(shop,
                                                                                monkeypatch):
    issues = [issue_with_tags(shop, f"i{n}", release=f"shop@{n}") for n in range(5)]
    Issue.objects.filter(id__in=[i.id for i in issues]).delete()
    monkeypatch.setattr(limits, "TAG_VALUE_CHECKS", 1)
    monkeypatch.setattr(limits, "TAG_VALUE_CHECK_BATCHES", 2)
    assert [tag_values.prune() for _ in range(4)] == [2, 2, 1, 0]
    assert _pruned() == set()
