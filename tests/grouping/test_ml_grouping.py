"""ML grouping with the real model and pgvector: decisions, modes, failures, merge and unmerge."""

import pytest
from django.core.management import call_command

from embeddings import encoder, store
from embeddings.models import IssueEmbedding
from grouping import ml
from grouping.merge import merge_issues, unmerge_hash
from grouping.policy import policy_for
from monitor.models import Event, GroupHash, Issue, IssueTag, Organization, Project
from tests.helpers.events import MECHANISM_THRESHOLD, decide, event, ingest, loosen

pytestmark = pytest.mark.django_db


def test_a_new_call_path_of_a_known_bug_joins_its_issue(project, no_breaker):
    loosen(project)
    ingest(project, event())
    decide()
    first = Issue.objects.get()
    assert IssueEmbedding.objects.filter(issue=first).exists()
    ingest(project, event(caller="nightly_report", caller_line="total = cart.average()", user="2"))
    assert Issue.objects.count() == 2  # the fingerprint decision, until the embedder decides
    decide()
    issue = Issue.objects.get()
    assert issue == first and issue.times_seen == 2 and issue.users_seen == 2
    joined = GroupHash.objects.get(decided_by=GroupHash.DecidedBy.ML)
    assert joined.issue == first and joined.ml_matched_issue == first
    assert 0 <= joined.ml_distance <= policy_for(project).threshold("python")
    assert joined.ml_model == policy_for(project).model.label and joined.ml_decided_at
    assert joined.ml_rule == policy_for(project).rule_for("python").source
    assert joined.ml_rule.startswith("project: threshold")  # the admin's, not the rules'
    assert Event.objects.filter(issue=first).count() == 2


def test_a_lookalike_bug_in_the_same_function_stays_apart(project, no_breaker):
    ingest(project, event())
    decide()
    ingest(project, event(crash_line="return self.discount / sum(self.items)"))
    decide()
    assert Issue.objects.count() == 2
    apart = GroupHash.objects.get(
        ml_matched_issue__isnull=True,
        ml_state="done",
        decided_by="fingerprint",
        issue__times_seen=1,
        created_at__gt=GroupHash.objects.order_by("id").first().created_at,
    )
    # same type in the same function: a candidate (the code line gates nothing), kept apart by
    # the distance of another faulting expression
    assert apart.ml_distance > policy_for(project).threshold("python")


def test_an_edited_crash_line_joins_its_issue(project, no_breaker, settings):
    """The next release edits the faulting line: a candidate now (no code-line gate), joined
    within the threshold; the old rule gave it no candidate at all. Under the stock model, whose
    distance for this edit (0.13) the mechanism threshold was set for; the shipped model puts it
    at 0.17 and decides with its own, smaller threshold."""
    from grouping import rules
    from grouping.clean import match_key
    from ingest.normalize import normalize_event

    settings.EMBEDDING_MODEL = "stock"

    edited = event(crash_line="avg = sum(self.items) / len(self.items)  # mean price")
    old = [match_key(normalize_event(e, 1.0, "0" * 32), rules.OLD.key) for e in (event(), edited)]
    assert old[0] != old[1]
    loosen(project)
    ingest(project, event())
    decide()
    ingest(project, event(caller="nightly_report", caller_line="total = cart.average()",
                          crash_line="avg = sum(self.items) / len(self.items)  # mean price"))
    decide()
    joined = GroupHash.objects.get(decided_by=GroupHash.DecidedBy.ML)
    assert Issue.objects.count() == 1
    assert joined.ml_distance <= policy_for(project).threshold("python")


def test_the_served_models_own_key_rules_choose_the_candidates(project, no_breaker):
    """A trained model carries the key rule chosen with its thresholds on validation: with the
    type-only key, a crash in a renamed function (a helper extracted) can join; with a
    function key it cannot, whatever the distance."""
    loosen(project)
    model = policy_for(project).model
    model.key_rules = {"python": "function"}  # the grouping rules' key: crash function in it
    model.conflict_thresholds = {}  # no conflict rule (another crash function conflicts)
    model.save(update_fields=["key_rules", "conflict_thresholds"])
    ingest(project, event())
    ingest(project, event(crash_function="mean", user="2"))
    decide()
    assert Issue.objects.count() == 2  # the crash function in the key
    Issue.objects.all().delete()
    model.key_rules = {"python": "type"}
    model.save(update_fields=["key_rules"])
    ingest(project, event())
    decide()
    first = Issue.objects.get()
    assert IssueEmbedding.objects.get(issue=first).match_key == "ZeroDivisionError"
    ingest(project, event(crash_function="mean", user="2"))
    decide()
    assert Issue.objects.get() == first and first.events.count() == 2


def test_the_served_models_conflict_threshold_keeps_twins_apart_that_distance_joins(
        project, no_breaker):
    """Twin faults that differ by one message word, reached from two callers (one stack alone
    is one fingerprint, whatever the message), embed within the threshold; the model's conflict
    threshold (grouping.conflict, chosen on validation) keeps them apart, while a third call path
    of the first fault, whose message agrees, still joins."""
    def twin(noun, caller, **kwargs):
        return event(exc_type="NotFoundError", value=f"{noun} 12 not found", caller=caller,
                     caller_line=f"return {caller}_lookup(ident)", crash_function="resolve",
                     crash_line="raise NotFoundError(what, ident)", **kwargs)

    loosen(project)
    model = policy_for(project).model
    # the model's own choices: no conflict rule (not the grouping rules'): the threshold alone
    model.key_rules, model.thresholds = {"python": "type"}, {"python": MECHANISM_THRESHOLD}
    model.conflict_thresholds = {}
    model.save(update_fields=["key_rules", "thresholds", "conflict_thresholds"])
    assert policy_for(project, model).conflict_threshold("python") == MECHANISM_THRESHOLD
    ingest(project, twin("hook", "sync_view"))
    decide()
    ingest(project, twin("target", "sync_job", user="2"))
    decide()
    assert Issue.objects.count() == 1  # no conflict rule: the distance alone joins them
    assert GroupHash.objects.filter(decided_by=GroupHash.DecidedBy.ML).count() == 1
    Issue.objects.all().delete()
    model.conflict_thresholds = {"python": 0.0}
    model.save(update_fields=["conflict_thresholds"])
    ingest(project, twin("hook", "sync_view"))
    decide()
    ingest(project, twin("target", "sync_job", user="2"))
    decide()
    apart = GroupHash.objects.get(issue__title__contains="target")
    assert Issue.objects.count() == 2 and apart.ml_matched_issue is None
    assert apart.ml_distance <= policy_for(project, model).threshold("python")
    assert policy_for(project, model).conflict_threshold("python") == 0.0
    ingest(project, twin("hook", "sync_task"))
    decide()
    assert Issue.objects.count() == 2
    assert Issue.objects.get(title__contains="hook").events.count() == 2


def test_same_crash_site_different_message_is_judged_by_distance(project, no_breaker):
    helper = dict(crash_function="fail", crash_line='raise AppError(f"{code}: {detail}")',
                  exc_type="AppError")
    stock = 'return errors.fail("E_STOCK", f"item {item} is out of stock")'
    loosen(project)
    ingest(project, event(caller="reserve_view", caller_line=stock,
                          value="E_STOCK: item 12 is out of stock", **helper))
    decide()
    ingest(project, event(caller="restock_job", caller_line=stock,
                          value="E_STOCK: item 99 is out of stock", **helper))
    ingest(project, event(caller="pay_view", value="E_PAYMENT: card declined for order 7",
                          caller_line='return errors.fail("E_PAYMENT", f"card declined for '
                          'order {order}")', **helper))
    decide()
    titles = sorted(Issue.objects.values_list("title", "times_seen"))  # the newest event's
    assert titles == [("AppError: E_PAYMENT: card declined for order 7", 1),
                      ("AppError: E_STOCK: item 99 is out of stock", 2)]
    declined = GroupHash.objects.get(issue__title__contains="E_PAYMENT")
    assert declined.ml_distance > policy_for(project).threshold("python")


def two_call_paths_in_shadow_mode(project):
    loosen(project)
    project.grouping_mode = Project.GroupingMode.SHADOW
    project.save()
    ingest(project, event())
    decide()
    ingest(project, event(caller="nightly_report", caller_line="total = cart.average()"))
    decide()


def test_shadow_mode_records_the_decision_without_applying_it(project, no_breaker):
    two_call_paths_in_shadow_mode(project)
    assert Issue.objects.count() == 2
    shadow = GroupHash.objects.exclude(ml_matched_issue=None).get()
    assert shadow.issue != shadow.ml_matched_issue and shadow.decided_by == "fingerprint"


def test_fingerprint_mode_and_custom_fingerprints_skip_the_embedder(project, no_breaker):
    ingest(project, {**event(), "fingerprint": ["payments"]})
    assert GroupHash.objects.get().ml_state == GroupHash.MLState.NONE
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    ingest(project, event())
    assert not GroupHash.objects.filter(ml_state=GroupHash.MLState.PENDING).exists()


def test_a_failing_embedder_leaves_the_fingerprint_decision_and_trips_the_breaker(
    project, no_breaker, settings, tmp_path
):
    settings.EMBEDDING_MODEL_PATH = str(tmp_path / "no-such-model")
    (tmp_path / "no-such-model").mkdir()
    saved, encoder._encoder = encoder._encoder, None
    try:
        ingest(project, event())
        decide()
        group_hash = GroupHash.objects.get()
        assert group_hash.ml_state == GroupHash.MLState.FAILED
        assert Issue.objects.get().times_seen == 1  # the event has its issue all the same
        assert not ml.embedder_available()
        ingest(project, event(caller="nightly_report", caller_line="x = cart.average()"))
        assert GroupHash.objects.filter(ml_state=GroupHash.MLState.NONE).count() == 1
    finally:
        encoder._encoder = saved


def test_pending_decisions_time_out_instead_of_sticking(project, no_breaker, settings):
    ingest(project, event())
    assert GroupHash.objects.get().ml_state == GroupHash.MLState.PENDING
    settings.ML_PENDING_TIMEOUT_SECONDS = -1
    assert ml.sweep_pending()["expired"] == 1
    assert GroupHash.objects.get().ml_state == GroupHash.MLState.SKIPPED


def test_merge_and_unmerge_keep_counts_right(project):
    for user in ("a", "b"):
        ingest(project, {**event(user=user), "fingerprint": ["one"]})
    for user in ("b", "c", "d"):
        ingest(project, {**event(user=user), "fingerprint": ["two"]})
    one = Issue.objects.get(times_seen=2)
    two = Issue.objects.get(times_seen=3)
    merged = merge_issues(one.id, [two.id])
    assert merged.times_seen == 5 and merged.users_seen == 4
    assert not Issue.objects.filter(pk=two.pk).exists()
    assert dict(IssueTag.objects.filter(issue=merged, key="user").values_list("value", "times_seen")
                ) == {"id:a": 1, "id:b": 2, "id:c": 1, "id:d": 1}
    second_hash = GroupHash.objects.exclude(
        hash=GroupHash.objects.order_by("id").first().hash
    ).get()
    split = unmerge_hash(second_hash)
    merged.refresh_from_db()
    assert (merged.times_seen, merged.users_seen) == (2, 2)
    assert (split.times_seen, split.users_seen) == (3, 3)
    assert Event.objects.filter(issue=split).count() == 3
    assert GroupHash.objects.get(pk=second_hash.pk).decided_by == GroupHash.DecidedBy.UNMERGE


def test_similar_issues_never_cross_projects_and_vectors_go_with_their_issue(
    project, org, no_breaker
):
    other = Project.objects.create(organization=Organization.objects.create(name="B", slug="b"),
                                   name="Other", slug="other", platform="python")
    ingest(project, {**event(), "fingerprint": ["a"]})
    ingest(project, {**event(value="division by zero in cart"), "fingerprint": ["b"]})
    ingest(other, {**event(), "fingerprint": ["c"]})
    call_command("backfill_embeddings", verbosity=0)
    assert IssueEmbedding.objects.count() == 3
    model = policy_for(project).model
    mine = Issue.objects.filter(project=project).order_by("id")
    similar = store.similar_issues(mine[0].id, project.id, model)
    assert [n.issue_id for n in similar] == [mine[1].id]
    assert 0 <= similar[0].distance < 0.5
    assert all(
        n.issue_id != Issue.objects.get(project=other).id
        for n in store.nearest(project.id, model, store.vector_of(mine[0].id, model), k=10)
    )
    mine[1].delete()
    assert IssueEmbedding.objects.filter(project=project).count() == 1
    other.delete()
    assert IssueEmbedding.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_big_projects_get_their_own_vector_index_and_lose_it_with_the_project(project):
    from django.db import connection

    for name in ("a", "b", "c"):
        ingest(project, {**event(value=f"division by zero {name}"), "fingerprint": [name]})
    call_command("backfill_embeddings", verbosity=0)
    model = policy_for(project).model
    made = store.maintain_project_indexes(min_vectors=3)
    name = store.project_index_name(model, project.id)
    assert made == {"created": [name], "dropped": []}
    assert store.maintain_project_indexes(min_vectors=3) == {"created": [], "dropped": []}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        assert f"project_id = {project.id}" in cursor.fetchone()[0]
    issue = Issue.objects.first()
    assert len(store.similar_issues(issue.id, project.id, model, k=5)) == 2
    project.delete()
    assert store.maintain_project_indexes(min_vectors=3)["dropped"] == [name]


def test_shadow_report_and_vectors_go_with_their_source_event(project, no_breaker):
    import io

    two_call_paths_in_shadow_mode(project)
    out = io.StringIO()
    call_command("grouping_shadow_report", project.id, stdout=out)
    assert "1 would have (shadow); 2 issues now, 1 with ML applied" in out.getvalue()
    vector = IssueEmbedding.objects.order_by("id").first()
    Event.objects.filter(pk=vector.event_id).delete()
    assert not IssueEmbedding.objects.filter(pk=vector.pk).exists()


def test_a_huge_exception_type_in_a_frameless_chain_does_not_fail_the_batch(project, no_breaker):
    """A 300-character type became a 255-character column overflow that failed the
    whole ML batch (every tenant's pending decisions)."""
    wrapper = event()
    wrapper["exception"]["values"].insert(
        0, {"type": "E" * 300, "value": "root cause without frames"}
    )
    ingest(project, wrapper)
    ingest(project, event(crash_function="discount", crash_line="return 1 / self.discount",
                          value="division by zero"))
    decide()
    states = sorted(GroupHash.objects.values_list("ml_state", flat=True))
    assert states == ["done", "done"]
    assert IssueEmbedding.objects.count() == 2


def test_pending_fingerprints_are_decided_in_turns_per_organisation(project, no_breaker):
    """One tenant's flood of new fingerprints timed out everyone else's."""
    flood_org = Organization.objects.create(name="Flood", slug="flood")
    flood = Project.objects.create(organization=flood_org, name="f", slug="f", platform="python")
    for n in range(12):
        ingest(flood, event(crash_function=f"f{n}", crash_line=f"return {n} / 0"))
    ingest(project, event())
    assert GroupHash.objects.filter(ml_state="pending").count() == 13
    chosen = ml.fair_pending_ids(4)
    assert GroupHash.objects.get(project=project).id in chosen  # the quiet tenant's turn
    ml.decide_batch(4)
    assert GroupHash.objects.get(project=project).ml_state == "done"


def test_each_event_and_fingerprint_records_the_fingerprint_configuration(project):
    from grouping.fingerprint import DEFAULT_CONFIG

    ingest(project, event())
    stored = Event.objects.get()
    assert stored.data["grouping"]["config"] == DEFAULT_CONFIG
    assert GroupHash.objects.get().fingerprint_config == DEFAULT_CONFIG
