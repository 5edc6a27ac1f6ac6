"""Concurrent batches, requests and decisions: one issue per new hash, exact counters, no lost
updates, no deadlocks, and each change of issue state made and logged once."""

import threading
import uuid

import pytest
from django.db import connection

from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue
from tests.helpers.processing import zero_division
from tests.helpers.races import race_processing

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_batches_create_each_issue_once_and_count_exactly(project):
    import json

    bodies = [
        json.dumps(zero_division(lineno=i, user={"id": str(i % 7)})).encode() for i in range(300)
    ]
    bodies += [
        json.dumps({"message": f"job {i % 3} stalled", "fingerprint": [f"job-{i % 3}"]}).encode()
        for i in range(60)
    ]
    for body in bodies:
        store_raw_event(project.id, uuid.uuid4(), "event", body)

    errors: list[BaseException] = []

    def drain():
        try:
            while process_pending(7):
                pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert Event.objects.count() == 360
    assert Issue.objects.count() == 4
    assert GroupHash.objects.count() == 4
    zero = Issue.objects.get(type="error")
    assert zero.times_seen == 300 and zero.users_seen == 7
    assert sorted(Issue.objects.filter(type="default").values_list("times_seen", flat=True)) == [
        20,
        20,
        20,
    ]


def test_merges_during_processing_neither_deadlock_nor_lose_counts(project):
    """Merges locked tags before issues (the reverse of ingest) and read the sources'
    tag counts before locking them, so a concurrent batch could deadlock or be lost."""
    import json

    from django.db import transaction

    from grouping.merge import merge_by_user

    def body(i: int) -> bytes:
        event = {"message": f"m{i % 6}", "fingerprint": [f"f{i % 6}"]}
        event |= {"user": {"id": str(i % 5)}, "tags": {"shard": str(i % 3)}}
        return json.dumps(event).encode()

    def merge_once():
        ids = sorted(Issue.objects.filter(project=project).values_list("id", flat=True))
        if len(ids) < 2:
            return False
        with transaction.atomic():
            merge_by_user(ids[0], [ids[-1]])

    errors = race_processing(project, body, merge_once, timeout=180)
    assert not errors, errors
    assert not RawEvent.objects.exists()  # nothing failed, nothing waits for a retry
    assert Event.objects.count() == 612
    total = sum(Issue.objects.values_list("times_seen", flat=True))
    assert total == 612
    for issue in Issue.objects.all():
        assert issue.times_seen == Event.objects.filter(issue=issue).count()
        shard_counts = issue.tag_values.filter(key="shard").values_list("times_seen", flat=True)
        assert sum(shard_counts) == issue.times_seen


def _issue_with_three_fingerprints(project) -> Issue:
    """One issue holding fingerprints a, b and c (two events each), as after two merges."""
    import json

    from django.db import transaction

    from grouping.merge import merge_issues

    for name in ("a", "b", "c"):
        for n in range(2):
            body = {"message": f"{name} failed {n}", "fingerprint": [name]}
            store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())
    while process_pending(100):
        pass
    first, *others = Issue.objects.filter(project=project).order_by("id")
    with transaction.atomic():
        return merge_issues(first.id, [o.id for o in others])


def _submit_twice(user, url: str, data: dict, hold: Issue) -> list[int]:
    """POST the same form twice at once (a double click), as `user`: both requests are sent
    while `hold` is locked here, and both wait on a lock before it is let go."""
    return _submit_all(user, [(url, data), (url, data)], hold)


def _submit_all(user, posts: list[tuple], hold: Issue, meanwhile=None) -> list[int]:
    """Send each (url, form[, method]) at once (POST unless told), as `user`: all are sent while
    `hold` is locked here (and `meanwhile` runs in the same transaction, as a concurrent writer),
    and each waits on a lock before it is let go. An URL under /api/ gets its form as JSON."""
    import json

    from django.db import transaction
    from django.test import Client

    from tests.conftest import wait_for

    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(url: str, data: dict, method: str = "post"):
        try:
            client = Client()
            client.force_login(user)
            send = getattr(client, method)
            if url.startswith("/api/"):
                response = send(url, json.dumps(data), content_type="application/json")
            else:
                response = send(url, data)
            statuses.append(response.status_code)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    def waiting_backends() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
            return cursor.fetchone()[0]

    threads = [threading.Thread(target=submit, args=post) for post in posts]
    with transaction.atomic():
        Issue.objects.select_for_update().get(pk=hold.pk)
        if meanwhile:
            meanwhile()
        for thread in threads:
            thread.start()
        wait_for(lambda: waiting_backends() == len(posts), message="every request waiting")
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(statuses) == len(posts) and all(s < 500 for s in statuses), statuses
    return statuses


def _member(project):
    from django.contrib.auth import get_user_model

    from monitor.models import Membership, Project

    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    user = get_user_model().objects.create_user("dev", password="pw-dev-123")
    Membership.objects.create(user=user, organization=project.organization)
    return user


@pytest.mark.parametrize("path", ["web", "api"])
def test_a_double_submitted_unmerge_moves_the_fingerprint_once(project, path):
    """Two requests to unmerge the same fingerprint, both sent before either is answered (a
    double click): the first moves it with its events, the second finds it gone and changes
    nothing. The web action once read the fingerprint before taking any lock, so the second moved
    the fingerprint again from the first's new issue, leaving that issue with the events but no
    fingerprint, and a new empty issue owning it."""
    user = _member(project)
    issue = _issue_with_three_fingerprints(project)
    moved = issue.hashes.order_by("hash").last()
    if path == "web":
        url = f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/action/"
        data = {"action": "unmerge", "hash": moved.hash}
    else:
        url, data = f"/api/0/issues/{issue.id}/hashes/{moved.hash}/unmerge/", {}
    statuses = _submit_twice(user, url, data, hold=issue)
    if path == "api":
        assert sorted(statuses)[0] == 201 and sorted(statuses)[1] in (400, 404), statuses
    assert Issue.objects.count() == 2  # the old issue and one new one
    for group_hash in GroupHash.objects.all():
        events = Event.objects.filter(project=project, grouping_hash=group_hash.hash)
        assert set(events.values_list("issue_id", flat=True)) == {group_hash.issue_id}
    for each in Issue.objects.all():
        assert each.times_seen == Event.objects.filter(issue=each).count() > 0
    assert GroupHash.objects.get(hash=moved.hash).issue_id != issue.id


def test_a_double_submitted_merge_is_recorded_once(project):
    """The merge page sent twice: the second finds the source merged away and records nothing.
    A person's merge once marked the fingerprints and recorded its feedback pair before locking
    the issues, so the second submit logged the merge again on the issue's activity."""
    from django.db import transaction

    from alerts.models import Activity
    from grouping.merge import unmerge_hash
    from grouping.models import GroupingFeedback

    user = _member(project)
    issue = _issue_with_three_fingerprints(project)
    for group_hash in issue.hashes.order_by("hash")[1:]:  # three issues again
        with transaction.atomic():
            unmerge_hash(group_hash)
    target, *sources = Issue.objects.order_by("id")
    url = f"/{project.organization.slug}/{project.slug}/issues/merge/"
    data = {"issue": [target.id, *(s.id for s in sources)], "target": target.id, "confirm": "yes"}
    GroupingFeedback.objects.all().delete()
    _submit_twice(user, url, data, hold=target)
    assert list(Issue.objects.values_list("id", flat=True)) == [target.id]
    assert Activity.objects.filter(issue=target, kind=Activity.Kind.MERGED).count() == 1
    assert GroupingFeedback.objects.filter(kind="merge").count() == len(sources)
    target.refresh_from_db()
    assert target.times_seen == Event.objects.count() == 6


def _three_issues(project) -> list[Issue]:
    from django.db import transaction

    from grouping.merge import unmerge_hash

    issue = _issue_with_three_fingerprints(project)
    for group_hash in issue.hashes.order_by("hash")[1:]:
        with transaction.atomic():
            unmerge_hash(group_hash)
    return list(Issue.objects.order_by("id"))


@pytest.mark.parametrize("path", ["web", "api"])
def test_merging_a_into_b_while_b_into_a_merges_once_and_refuses_the_other(project, path):
    """Two people merge the same pair in opposite directions at the same moment. The second
    merge once found its target merged away under the lock and failed with a KeyError (a 500);
    now it is refused (400 from the API, a message on the page) and changes nothing."""
    from alerts.models import Activity

    user = _member(project)
    a, b, _c = _three_issues(project)
    if path == "web":
        url = f"/{project.organization.slug}/{project.slug}/issues/merge/"
        posts = [(url, {"issue": [a.id, b.id], "target": t.id, "confirm": "yes"}) for t in (a, b)]
    else:
        posts = [(f"/api/0/issues/{a.id}/merge/", {"issues": [b.id]}),
                 (f"/api/0/issues/{b.id}/merge/", {"issues": [a.id]})]
    statuses = _submit_all(user, posts, hold=a)
    if path == "api":
        assert sorted(statuses) == [200, 400], statuses
    survivors = set(Issue.objects.filter(id__in=[a.id, b.id]).values_list("id", flat=True))
    assert len(survivors) == 1
    (kept,) = survivors
    assert Activity.objects.filter(kind=Activity.Kind.MERGED).count() == 1
    assert set(GroupHash.objects.exclude(issue=_c).values_list("issue_id", flat=True)) == {kept}
    assert Issue.objects.get(pk=kept).times_seen == Event.objects.filter(issue_id=kept).count() == 4


@pytest.mark.parametrize("path", ["web", "api"])
def test_a_double_submitted_status_change_is_logged_once(project, path):
    """Resolving twice at once: one change, one activity entry. The status change once read
    which issues change before taking any lock, so both submits logged it."""
    from alerts.models import Activity

    user = _member(project)
    issue = _three_issues(project)[0]
    if path == "web":
        url = f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/action/"
        data = {"action": "resolve"}
    else:
        url, data = f"/api/0/issues/{issue.id}/", {"status": "resolved"}
    method = "post" if path == "web" else "patch"
    _submit_all(user, [(url, data, method), (url, data, method)], hold=issue)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED
    assert Activity.objects.filter(issue=issue, kind=Activity.Kind.RESOLVED).count() == 1


def test_ignoring_until_more_events_counts_from_the_events_seen_under_the_lock(project):
    """"Ignore until 10 more events" while a batch adds 5 events under the issue's lock: the
    condition counts from the 5 included. It once counted from the count read before the lock,
    so the ignore ended 5 events early."""
    from django.db.models import F

    user = _member(project)
    issue = _three_issues(project)[0]
    seen = issue.times_seen
    url = f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/triage/"

    def batch_adds_five():
        Issue.objects.filter(pk=issue.pk).update(times_seen=F("times_seen") + 5)

    _submit_all(user, [(url, {"action": "ignore_until", "events": "10"})], hold=issue,
                meanwhile=batch_adds_five)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IGNORED
    assert issue.ignore_until_events == seen + 5 + 10


def test_an_ml_decision_racing_a_merge_of_its_fingerprint_neither_deadlocks_nor_fails(
    project, redis_client
):
    """The embedder decides that a new fingerprint joins an older issue while a person merges
    the fingerprint's issue into a third one. The decision step once held the fingerprint row
    while it waited for the issues, and the merge held the issues while it waited for the
    fingerprint row: a deadlock, which failed one of them. Now both take the issues first
    (monitor.locks): the merge goes through, and the decision finds the fingerprint placed by a
    person and lets that stand."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    from grouping import ml
    from monitor.models import Membership
    from tests.conftest import wait_for
    from tests.helpers.events import event, ingest, loosen

    redis_client.delete(ml.BREAKER_KEY)
    loosen(project)
    ingest(project, event())
    ml.drain(wait_ms=0)
    near = Issue.objects.get()
    ingest(project, {"message": "cache cold", "fingerprint": ["cache"]})
    other = Issue.objects.exclude(pk=near.pk).get()
    ingest(project, event(caller="nightly_report", caller_line="total = cart.average()", user="2"))
    pending = GroupHash.objects.get(ml_state=GroupHash.MLState.PENDING)
    fresh = pending.issue_id
    user = get_user_model().objects.create_user("dev", password="pw-dev-123")
    Membership.objects.create(user=user, organization=project.organization)
    errors: list[BaseException] = []
    statuses: list[int] = []

    def run(work):
        try:
            work()
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    def merge_into_other():
        client = Client()
        client.force_login(user)
        url = f"/{project.organization.slug}/{project.slug}/issues/merge/"
        data = {"issue": [other.id, fresh], "target": other.id, "confirm": "yes"}
        statuses.append(client.post(url, data).status_code)

    def waiting_backends() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
            return cursor.fetchone()[0]

    decision = threading.Thread(target=run, args=(lambda: ml.drain(wait_ms=0),))
    merge = threading.Thread(target=run, args=(merge_into_other,))
    with transaction.atomic():
        Issue.objects.select_for_update().get(pk=near.pk)  # the decision waits here to join it
        decision.start()
        wait_for(lambda: waiting_backends() == 1, message="the decision waiting for the issue")
        merge.start()
        wait_for(lambda: not merge.is_alive() or waiting_backends() == 2,
                 message="the merge done or waiting")
    for thread in (decision, merge):
        thread.join(120)
    assert not errors, errors
    assert statuses and statuses[0] < 400, statuses
    pending.refresh_from_db()
    assert pending.ml_state == GroupHash.MLState.DONE
    assert pending.issue_id == other.id and pending.decided_by == GroupHash.DecidedBy.MERGE
    assert set(Issue.objects.values_list("id", flat=True)) == {near.id, other.id}
    for each in Issue.objects.all():
        assert each.times_seen == Event.objects.filter(issue=each).count() > 0


@pytest.mark.parametrize("action", ["assign", "resolve_next"])
def test_a_double_submitted_triage_action_is_logged_once(project, action):
    """Assigning to the same person, or resolving in the next release, sent twice at once: the
    second changes nothing and the activity log hears of it once. Both once wrote and logged
    from what they read before taking any lock."""
    from alerts.models import Activity

    user = _member(project)
    issue = _three_issues(project)[0]
    url = f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/triage/"
    data = {"action": action, "assignee": user.username}
    _submit_all(user, [(url, data), (url, data)], hold=issue)
    kind = Activity.Kind.ASSIGNED if action == "assign" else Activity.Kind.RESOLVED
    assert Activity.objects.filter(issue=issue, kind=kind).count() == 1
