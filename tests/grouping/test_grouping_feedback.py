"""Grouping that learns from the project's own triage, with the real model and pgvector:
"not the same" constraints, "likely the same — merge?" suggestions and their answers, the
project's adaptive threshold, and their API (scoped, idempotent, bounded)."""

import pytest
from django.contrib.auth import get_user_model

from grouping import adapt, constraints, ml
from grouping.merge import merge_by_user, unmerge_hash
from grouping.models import (
    DecisionRecord,
    GroupingFeedback,
    KeptApart,
    MergeSuggestion,
    ProjectLabel,
    ThresholdChange,
)
from grouping.policy import policy_for, reading_policy
from monitor.models import GroupHash, Issue, Membership, Organization, Project
from tests.helpers.cast import join, make_user
from tests.helpers.clients import client_of as client_for
from tests.helpers.events import B_NEXT, MECHANISM_THRESHOLD, NEAR, A, B, event, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stock_model(settings):
    """These variants' distances and the suggestion bands were chosen for the stock model (the
    shipped model's bands are not chosen yet); what is tested is the mechanism, not the model."""
    settings.EMBEDDING_MODEL = "stock"


def decide():
    ml.drain(wait_ms=0)


@pytest.fixture
def alice(project):
    user = make_user("alice")
    join(user, project.organization)
    return user


def joined_then_unmerged(project, alice):
    """A and B joined by ML, then B unmerged by alice: (A's issue, B's issue, B's fingerprint)."""
    project.grouping_threshold = MECHANISM_THRESHOLD
    project.save()
    ingest(project, event(**A))
    decide()
    ingest(project, event(**B, user="2"))
    decide()
    first = Issue.objects.get()
    b_hash = GroupHash.objects.get(decided_by=GroupHash.DecidedBy.ML)
    split = unmerge_hash(b_hash, by=alice)
    return first, split, b_hash


def test_an_unmerge_keeps_the_next_variant_of_the_split_fault_out_of_the_issue(
        project, alice, no_breaker):
    first, split, b_hash = joined_then_unmerged(project, alice)
    kept = KeptApart.objects.get()
    assert kept.created_by == alice and kept.source == "unmerge" and kept.lifted_at is None
    assert {kept.hash_a, kept.hash_b} == {b_hash.hash, first.hashes.get().hash}

    ingest(project, event(**B_NEXT, user="3"))  # the next release's variant of B's fault
    decide()
    newest = GroupHash.objects.latest("id")
    assert newest.issue_id != first.id  # not joined back into the issue it was split from
    assert newest.issue_id == split.id  # the split issue (embedded meanwhile) is its match
    assert Issue.objects.get(pk=first.id).times_seen == 1


def test_a_variant_of_the_kept_fault_still_joins_its_issue(project, alice, no_breaker):
    first, split, _ = joined_then_unmerged(project, alice)
    ingest(project, event(caller="checkout_view", caller_line="return round(cart.average())"))
    decide()
    assert GroupHash.objects.latest("id").issue_id == first.id


def test_the_constraint_is_lifted_by_a_user_merge_and_can_be_undone(project, alice, no_breaker):
    first, split, _ = joined_then_unmerged(project, alice)
    kept = KeptApart.objects.get()
    constraints.lift(kept, by=alice)
    kept.refresh_from_db()
    assert kept.lifted_by == alice and kept.lifted_because == "undone"
    assert not constraints.active(project.id).exists()
    ingest(project, event(**B_NEXT, user="3"))
    decide()  # no constraint: the variant joins the nearest, the split issue (B)
    merge_by_user(first.id, [split.id], by=alice)
    assert not constraints.active(project.id).exists()


def test_suggestions_offer_candidates_just_beyond_the_threshold_and_merge_only_on_answer(
        project, alice, no_breaker):
    ingest(project, event(**A))
    decide()
    ingest(project, event(**NEAR, user="2"))
    decide()  # the stock model's tuned Python threshold is stricter than this variant
    assert Issue.objects.count() == 2
    suggestion = MergeSuggestion.objects.get()
    policy = policy_for(project)
    assert policy.threshold("python") < suggestion.distance <= (
        policy.threshold("python") + policy.suggestion_band("python"))
    assert Issue.objects.count() == 2  # nothing merged without an answer
    record = DecisionRecord.objects.get(group_hash=suggestion.group_hash)
    assert record.threshold == policy.threshold("python")

    client = client_for(alice)
    url = f"/api/0/grouping/suggestions/{suggestion.id}/answer/"
    listed = client.get(f"/api/0/projects/{project.id}/grouping/suggestions/").json()
    assert [s["id"] for s in listed["results"]] == [suggestion.id]
    assert listed["results"][0]["evidence"]["matching_frames"]
    response = client.post(url, {"answer": "merge"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert Issue.objects.count() == 1
    again = client.post(url, {"answer": "merge"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["changed"] is False
    assert ProjectLabel.objects.filter(source="answer").count() == 1  # idempotent
    other = client.post(url, {"answer": "apart"}, content_type="application/json")
    assert other.status_code == 409
    assert client.get(f"/api/0/projects/{project.id}/grouping/suggestions/").json()[
        "results"] == []


def test_not_the_same_keeps_them_apart_and_feeds_training_rows(project, alice, no_breaker):
    ingest(project, event(**A))
    decide()
    ingest(project, event(**NEAR, user="2"))
    decide()
    suggestion = MergeSuggestion.objects.get()
    response = client_for(alice).post(f"/api/0/grouping/suggestions/{suggestion.id}/answer/",
                                      {"answer": "apart"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert Issue.objects.count() == 2
    kept = KeptApart.objects.get()
    assert kept.source == "answer" and kept.created_by == alice
    assert GroupingFeedback.objects.filter(kind="unmerge").count() == 1
    listed = client_for(alice).get(f"/api/0/projects/{project.id}/grouping/kept-apart/").json()
    assert [k["id"] for k in listed["results"]] == [kept.id]
    lifted = client_for(alice).post(f"/api/0/grouping/kept-apart/{kept.id}/lift/")
    assert lifted.status_code == 200 and lifted.json()["lifted_by"] == "alice"


def test_another_organisations_suggestions_constraints_and_thresholds_are_404(
        project, alice, no_breaker):
    ingest(project, event(**A))
    decide()
    ingest(project, event(**NEAR, user="2"))
    decide()
    suggestion = MergeSuggestion.objects.get()
    kept = constraints.keep_apart(project.id, ["a" * 32], ["b" * 32], "answer", alice)[0]
    bob = make_user("bob")
    other = Organization.objects.create(name="Other", slug="other")
    join(bob, other)
    Project.objects.create(organization=other, name="O", slug="o")
    client = client_for(bob)
    for url in (f"/api/0/projects/{project.id}/grouping/suggestions/",
                f"/api/0/projects/{project.id}/grouping/kept-apart/",
                f"/api/0/projects/{project.id}/grouping/thresholds/"):
        assert client.get(url).status_code == 404, url
    answer = client.post(f"/api/0/grouping/suggestions/{suggestion.id}/answer/",
                         {"answer": "merge"}, content_type="application/json")
    assert answer.status_code == 404
    assert client.post(f"/api/0/grouping/kept-apart/{kept.id}/lift/").status_code == 404
    assert Issue.objects.count() == 2 and constraints.active(project.id).count() == 1


def test_choose_is_precision_first_and_bounded():
    base, low, high = 0.06, 0.02, 0.10
    assert adapt.choose([], base, low, high) == base
    same = [(0.08, True)] * 6
    assert adapt.choose(same, base, low, high) == 0.08
    # one "not the same" nearer than six "same" outweighs them: precision first
    assert adapt.choose(same + [(0.07, False)], base, low, high) == base
    nearer = [(0.065, True)] * 6 + [(0.07, False), (0.09, True)]
    assert adapt.choose(nearer, base, low, high) == 0.065
    assert adapt.choose([(0.5, True)] * 100, base, low, high) == base  # beyond: no evidence
    assert adapt.choose([(0.099, True), (0.2, True)] * 100, base, low, high) == 0.099
    assert adapt.choose([(0.03, False)] * 100, base, low, high) == pytest.approx(0.0299)
    assert adapt.choose([(0.001, False)] * 100, base, low, high) == base  # below: no choice


def labels(project, n, distance, same):
    family = "python"
    for i in range(n):
        adapt.record(project, family, same, "answer", distance,
                     reading_policy(project).model.label, (f"{i}", ""))


def test_the_threshold_moves_only_after_enough_answers_within_bounds_and_reverts(
        project, alice, no_breaker):
    ingest(project, event(**A))
    decide()  # the served model has a row now
    policy = reading_policy(project)
    base = policy.threshold("python")
    low, high = policy.bounds("python")
    labels(project, adapt.MIN_LABELS - 1, base + 0.02, True)
    assert reading_policy(project).threshold("python") == base  # too few answers
    labels(project, 1, base + 0.02, True)
    assert reading_policy(project).threshold("python") == pytest.approx(base + 0.02)
    change = ThresholdChange.objects.get()
    assert change.labels.count() == adapt.MIN_LABELS and change.previous is None
    labels(project, 200, 10.0, True)  # a flood far beyond the band
    assert reading_policy(project).threshold("python") <= high
    labels(project, 200, low + 0.001, False)
    assert low <= reading_policy(project).threshold("python") < low + 0.001

    history = client_for(alice).get(f"/api/0/projects/{project.id}/grouping/thresholds/").json()
    assert history["thresholds"]["python"]["bounds"] == [pytest.approx(low), pytest.approx(high)]
    first = ThresholdChange.objects.order_by("id").first()
    adapt.revert(first, by=alice)
    assert ThresholdChange.objects.filter(cause="revert", reverts=first).exists()
    adapt.set_enabled(project, False)
    assert reading_policy(project).threshold("python") == base


def test_a_flood_of_answers_over_the_api_cannot_move_the_threshold_past_its_bounds(
        project, alice, no_breaker):
    ingest(project, event(**A))
    decide()
    policy = reading_policy(project)
    _, high = policy.bounds("python")
    rows = []
    anchor = GroupHash.objects.get()
    for i in range(30):  # thirty suggestions at and past the band's far edge, all "merge"
        issue = Issue.objects.create(project=project, title=f"t{i}", first_seen=anchor.created_at,
                                     last_seen=anchor.created_at, platform="python")
        gh = GroupHash.objects.create(project=project, hash=f"{i:032x}", issue=issue)
        rows.append(MergeSuggestion.objects.create(
            project=project, group_hash=gh, candidate=anchor.issue, family="python",
            distance=high + (0.03 if i % 2 else 0.0), threshold=policy.threshold("python"),
            model=policy.model.label))
    client = client_for(alice)
    for row in rows:
        for _ in range(2):
            response = client.post(f"/api/0/grouping/suggestions/{row.id}/answer/",
                                   {"answer": "merge"}, content_type="application/json")
            assert response.status_code == 200, response.content
    assert ProjectLabel.objects.count() == 30
    assert reading_policy(project).threshold("python") <= high
    assert reading_policy(project).threshold("python") == pytest.approx(high)


def test_the_issue_page_offers_the_suggestion_with_evidence_and_answers_it(
        project, alice, no_breaker):
    ingest(project, event(**A))
    decide()
    ingest(project, event(**NEAR, user="2"))
    decide()
    suggestion = MergeSuggestion.objects.get()
    new_issue = suggestion.group_hash.issue
    client = client_for(alice)
    base = f"/{project.organization.slug}/{project.slug}"
    stream = client.get(f"{base}/issues/").content.decode()
    assert stream.count("merge?</span>") == 2  # both sides are marked in the stream
    page = client.get(f"{base}/issues/{new_issue.id}/").content.decode()
    assert 'id="suggestions"' in page and "Crash sites" in page and "<code>average</code>" in page
    assert "matching frame" in page
    record = DecisionRecord.objects.get(group_hash=suggestion.group_hash)
    assert f"threshold {record.threshold:.3f}" in page  # why grouped: the decision's threshold
    response = client.post(f"{base}/grouping/suggestions/{suggestion.id}/answer/",
                           {"answer": "apart", "issue": new_issue.id})
    assert response.status_code == 302 and Issue.objects.count() == 2
    page = client.get(f"{base}/issues/{new_issue.id}/").content.decode()
    assert 'id="suggestions"' not in page and 'id="kept-apart"' in page
    assert "answered “not the same” by alice" in page
    kept = KeptApart.objects.get()
    client.post(f"{base}/grouping/kept-apart/{kept.id}/lift/", {"issue": new_issue.id})
    kept.refresh_from_db()
    assert kept.lifted_by == alice
    assert 'id="kept-apart"' not in client.get(f"{base}/issues/{new_issue.id}/").content.decode()


def test_the_settings_page_shows_reverts_and_turns_off_adaptation(project, alice, no_breaker):
    Membership.objects.filter(user=alice).update(role="admin")
    ingest(project, event(**A))
    decide()
    base_threshold = reading_policy(project).threshold("python")
    labels(project, adapt.MIN_LABELS, base_threshold + 0.02, True)
    change = ThresholdChange.objects.get()
    client = client_for(alice)
    url = f"/{project.organization.slug}/{project.slug}/settings/"
    page = client.get(url).content.decode()
    assert 'id="grouping-adaptation"' in page and f"{base_threshold + 0.02:.3f}" in page
    client.post(url + "grouping/", {"action": "revert", "change": change.id})
    assert reading_policy(project).threshold("python") == base_threshold
    assert ProjectLabel.objects.filter(discounted=True).count() == adapt.MIN_LABELS
    client.post(url + "grouping/", {"action": "disable"})
    labels(project, adapt.MIN_LABELS + 1, base_threshold + 0.02, True)
    assert reading_policy(project).threshold("python") == base_threshold  # off: nothing moves
    member = get_user_model().objects.create_user("mo", password="pw-mo-123456")
    join(member, project.organization)
    assert client_for(member).post(url + "grouping/", {"action": "enable"}).status_code == 403
