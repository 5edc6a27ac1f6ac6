"""Trained grouping models, with the real model and Postgres; training is
kept tiny (a handful of pairs, one or two steps) so each test takes seconds.

- only consenting organisations' rows, and only consented categories, reach a manifest;
- a trained model runs in shadow, is promoted (audited), backfilled, confirmed, rolled back;
- withdrawing consent or deleting data marks the models holding it stale; beat's retrain builds
  one without them and promotes it when no worse on validation; the staff page lists it all.
"""

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from consent.models import OrganizationConsent
from embeddings import encoder, onnx_runtime, registry
from embeddings.models import IssueEmbedding, ModelChange, ShadowDecision
from grouping import ml
from grouping.merge import merge_by_user, unmerge_hash
from grouping.models import GroupingFeedback
from grouping.policy import policy_for
from monitor.models import GroupHash, Issue, Project
from privacy import deletion
from tests.helpers.events import event, ingest
from tests.helpers.training import TINY, corpus_file, org_with_data, train
from training import evaluate, fit, lifecycle, tasks
from training.models import TrainedModel, TrainingPair
from training.sets import enforce_consent

pytestmark = pytest.mark.django_db


def test_no_row_of_a_non_consenting_organisation_or_category_reaches_a_manifest(tmp_path):
    full = org_with_data("full", training_stack_traces=True, training_error_messages=True)
    org_with_data("none")
    org_with_data("generative", generative_stack_traces=True, generative_error_messages=True)
    quiet = org_with_data("quiet", training_stack_traces=True)
    messages = org_with_data("messages", training_stack_traces=True,
                             training_error_messages=True)
    call_command("export_training_data", directory=str(tmp_path), verbosity=0)
    # withdrawn behind the signal's back (a raw UPDATE): the rows are still in the set, and
    # training must refuse them by asking consent.policy itself
    OrganizationConsent.objects.filter(organization=quiet).update(training_stack_traces=False)
    OrganizationConsent.objects.filter(organization=messages).update(
        training_error_messages=False)
    in_set = set(TrainingPair.objects.values_list("organization_id", flat=True))
    assert {full.id, quiet.id, messages.id} <= in_set

    model = train(tmp_path)

    assert set(model.manifest["rows_per_organization"]) == {str(full.id)}
    assert set(model.rows) == {str(full.id)}
    used = TrainingPair.objects.filter(id__in=model.rows[str(full.id)])
    assert used.count() == model.manifest["rows_per_organization"][str(full.id)] > 0
    written = json.loads((tmp_path / "models").glob("*/manifest.json").__next__().read_text())
    assert written["rows_per_organization"] == {str(full.id): used.count()}
    for key in ("base_model", "hyperparameters", "data_hash", "metrics", "pairs"):
        assert written[key]
    assert {"validation", "test", "thresholds"} <= set(written["metrics"]["trained"])
    assert set(written["metrics"]["trained_by_dimension"]) == {"384", "128"}
    registered = model.embedding_model
    assert registered.path == model.path and registered.dimension == 384
    assert registered.state == "available" and registered.thresholds
    # the candidate-key rule is chosen with the thresholds, per family, and served with them
    keys = written["metrics"]["trained"]["keys"]
    assert set(keys) == set(written["metrics"]["trained"]["thresholds"]) - {"default"}
    assert set(keys.values()) <= set(evaluate.KEY_RULES) and registered.key_rules == keys


def test_shadow_promote_backfill_confirm_and_rollback(tmp_path, project, no_breaker):
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    ingest(project, event())
    ml.drain(wait_ms=0)
    stock = registry.served()
    model = train(tmp_path, training_set=None).embedding_model

    registry.start_shadow(model, user=admin)
    ingest(project, event(caller="nightly_report", caller_line="total = cart.average()"))
    ml.drain(wait_ms=0)
    decision = ShadowDecision.objects.get(model=model)
    assert decision.distance is None  # nothing to compare with yet in its space
    assert GroupHash.objects.filter(ml_model=stock.label).count() == 2  # the served one decided

    call_command("backfill_embeddings", model=model.id, verbosity=0)
    issues = Issue.objects.filter(project=project).count()
    assert IssueEmbedding.objects.filter(model=model).count() == issues
    call_command("backfill_embeddings", model=model.id, verbosity=0)  # resumable: nothing to do
    assert IssueEmbedding.objects.filter(model=model).count() == issues

    change = registry.promote(model, user=admin)
    assert change.user == admin and change.previous == stock and change.action == "promote"
    assert registry.served() == model and policy_for(project).model == model
    stock.refresh_from_db()
    assert stock.state == "previous"  # still embedded: an instant rollback
    ingest(project, event(crash_function="discount", crash_line="return 1 / self.discount"))
    ml.drain(wait_ms=0)
    newest = GroupHash.objects.latest("id")
    assert newest.ml_model == model.label
    assert ShadowDecision.objects.filter(model=stock, group_hash=newest).exists()

    back = registry.rollback(user=admin)
    assert back.action == "rollback" and registry.served() == stock
    assert not IssueEmbedding.objects.filter(model=model).exists()

    registry.promote(model, user=admin)
    call_command("backfill_embeddings", verbosity=0)  # the served model: every issue again
    assert IssueEmbedding.objects.filter(model=model).count() == Issue.objects.count()
    registry.confirm(user=admin)
    stock.refresh_from_db()
    assert stock.state == "retired" and not IssueEmbedding.objects.filter(model=stock).exists()
    actions = list(ModelChange.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["shadow", "promote", "rollback", "promote", "confirm"]


def test_user_merges_and_unmerges_become_training_pairs_only_with_usage_consent(
        tmp_path, project):
    """Members' merges and unmerges are usage data: stack-trace consent alone keeps them out,
    and a withdrawal of usage-data consent takes them out of the set again."""
    consent = OrganizationConsent.objects.create(organization=project.organization,
                                                 training_stack_traces=True)
    ingest(project, event())
    ingest(project, event(caller="nightly_report", caller_line="total = cart.average()"))
    ingest(project, event(crash_function="discount", crash_line="return 1 / self.discount"))
    first, second, third = Issue.objects.order_by("id")
    merge_by_user(first.id, [second.id])
    merge_by_user(first.id, [third.id])
    unmerge_hash(GroupHash.objects.get(issue=first, hash=third.hashes.model.objects.filter(
        issue=first).order_by("id").last().hash))
    kinds = list(GroupingFeedback.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["merge", "merge", "unmerge"]
    call_command("export_training_data", directory=str(tmp_path), verbosity=0)
    assert set(TrainingPair.objects.values_list("source", flat=True)) == {"issue"}
    consent.training_usage_data = True
    consent.save()
    call_command("export_training_data", directory=str(tmp_path), verbosity=0)
    sources = set(TrainingPair.objects.values_list("source", "same_issue"))
    assert {("merge", True), ("unmerge", False)} <= sources
    consent.training_usage_data = False
    consent.save()
    enforce_consent()
    assert set(TrainingPair.objects.values_list("source", flat=True)) == {"issue"}


def test_withdrawal_and_deletion_reach_the_models_and_a_retrain_replaces_them(
    tmp_path, settings, client, django_capture_on_commit_callbacks
):
    settings.FAULTLINE_MODEL_DIR = str(tmp_path / "models")
    settings.FAULTLINE_TRAINING_DIR = str(tmp_path / "sets")
    settings.FAULTLINE_RETRAIN_TOLERANCE = 1.0  # the tiny models differ by noise only
    settings.EMBEDDING_ONNX_DIR = str(tmp_path / "onnx")
    alpha = org_with_data("alpha", training_stack_traces=True)
    beta = org_with_data("beta", training_stack_traces=True)
    call_command("export_training_data", directory=str(tmp_path), verbosity=0)
    served = train(tmp_path, name="served")
    candidate = train(tmp_path, name="candidate")
    assert set(served.manifest["rows_per_organization"]) == {str(alpha.id), str(beta.id)}
    registry.promote(served.embedding_model)
    served_weights = served.path
    exports = [onnx_runtime.export_path(m.embedding_model.version) for m in (served, candidate)]
    for model in (served, candidate):  # each served on CPU once: an ONNX export of its weights
        encoder.encoder_for(model.embedding_model).encode(["warm"])
    assert all(path.exists() for path in exports)

    consent = alpha.consent
    consent.training_stack_traces = False
    with django_capture_on_commit_callbacks(execute=True):
        consent.save()
    served.refresh_from_db()
    candidate.refresh_from_db()
    assert served.stale and f"organisation {alpha.id} withdrew consent" in served.stale_reason
    assert served.retrain == "scheduled"  # served: beat retrains it
    assert candidate.stale and candidate.retrain == "done" and not candidate.path  # weights gone
    assert not exports[1].exists()  # and the export made from them

    project = Project.objects.get(organization=beta)
    ingest(project, event(caller="cron_job", caller_line="cron_job()"))  # an issue to backfill
    made = tasks.retrain_stale()  # what beat runs
    assert len(made) == 1
    new = TrainedModel.objects.get(pk=made[0])
    assert set(new.manifest["rows_per_organization"]) == {str(beta.id)}
    assert registry.served() == new.embedding_model
    assert IssueEmbedding.objects.filter(model=new.embedding_model).count() == Issue.objects.count()
    assert ModelChange.objects.filter(action="auto-promote", model=new.embedding_model,
                                      user=None).exists()
    served.refresh_from_db()
    assert served.retrain == "done" and served.replaced_by == new
    assert not served.path and not (tmp_path / served_weights).exists()
    assert not exports[0].exists()
    assert served.embedding_model.state == "retired"

    deletion.purge_organization(beta.id)  # deletion (and erasure, expiry) reach it too
    new.refresh_from_db()
    assert new.stale and "rows from organisation" in new.stale_reason
    assert new.retrain == "scheduled"

    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    page = client.get("/staff/models/").content.decode()
    assert new.embedding_model.label in page and f"org {beta.id}" in page and "stale" in page
    assert "Faultline (automatic)" in page
    family, rule = sorted(new.embedding_model.key_rules.items())[0]
    assert f"{family}: {rule} key, ≤ {new.embedding_model.thresholds[family]}" in page
    client.logout()
    assert client.get("/staff/models/").status_code == 302  # staff only


def test_validation_corpora_choose_and_report_but_never_train(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    trained_on, validated_on = corpus_file(tmp_path / "a"), corpus_file(tmp_path / "b")
    model = lifecycle.train_model("pooled", str(trained_on), None, fit.Hyperparameters(**TINY),
                                  tmp_path / "models", progress=False,
                                  validation_paths=[str(validated_on)])
    info = model.manifest["corpus"]
    alone = lifecycle.load_splits(str(trained_on))
    assert info["train_files"] == 1 and info["paths"] == [str(trained_on), str(validated_on)]
    assert info["events_per_split"]["train"] == len(alone["train"].labels)
    assert info["events_per_split"]["validation"] == 2 * len(alone["validation"].labels)
    assert lifecycle.corpus_files(model.manifest) == ([str(trained_on)], [str(validated_on)])
    assert model.manifest["metrics"]["trained"]["test"]["events"] == 2 * len(alone["test"].labels)


def test_weights_fitted_on_a_gpu_machine_are_registered_only_for_the_pairs_gathered_here(
    tmp_path,
):
    """bench/cuda.py fits on a GPU machine that has no database; `--fitted` scores and registers
    those weights here, and only when they were fitted on the very pairs gathered here."""
    from training import corpus, pairs

    path = str(corpus_file(tmp_path))
    hp = fit.Hyperparameters(**TINY)
    chosen = lifecycle.gather(lifecycle.load_splits(path), None, hp)
    fitted = tmp_path / "fitted"
    fit.train(encoder.base_spec().path, chosen, hp, str(fitted), device="cpu", progress=False)
    digest = pairs.data_hash(chosen, corpus.file_digest(path))
    other = lifecycle.gather(lifecycle.load_splits(path), None, fit.Hyperparameters(**TINY, seed=1))
    record = {"device": "cuda (NVIDIA H100 80GB HBM3)", "seconds": 9.7, "data_hash": digest,
              "hyperparameters": hp.as_dict(), "recipe": "tiny",
              "base_version": encoder.base_spec().version}
    refused = {
        "fitted on other pairs": {"data_hash": pairs.data_hash(other, corpus.file_digest(path))},
        "other hyperparameters: \\['max_steps'\\]": {"hyperparameters": {**hp.as_dict(),
                                                                      "max_steps": 2}},
        "another base model": {"base_version": "0" * 64},
        "missing or incomplete": {"seconds": None},
    }
    for message, change in refused.items():
        (fitted / "fitted.json").write_text(json.dumps({**record, **change}))
        with pytest.raises(ValueError, match=message):
            lifecycle.train_model("gpu", path, None, hp, tmp_path / "models", progress=False,
                                  fitted=fitted)
    (fitted / "fitted.json").write_text("[not an object")
    with pytest.raises(ValueError, match="missing or incomplete"):
        lifecycle.train_model("gpu", path, None, hp, tmp_path / "models", progress=False,
                              fitted=fitted)
    assert not TrainedModel.objects.exists() and not (tmp_path / "models").exists()

    (fitted / "fitted.json").write_text(json.dumps(record))
    call_command("train_grouping_model", path, training_set="none", fitted=str(fitted),
                 directory=str(tmp_path / "models"), max_steps=1, batch_size=4, max_pairs=12,
                 verbosity=0)

    model = TrainedModel.objects.get(path__startswith=str(tmp_path / "models"))  # not the shipped
    assert model.manifest["device"] == record["device"]
    assert model.manifest["training_seconds"] == record["seconds"]
    assert model.manifest["data_hash"] == digest
    assert model.manifest["fitted"] == {"path": str(fitted), "recipe": "tiny"}
    weights = (fitted / "model.safetensors").read_bytes()
    assert (tmp_path / "models").glob("*/model.safetensors").__next__().read_bytes() == weights
    assert model.embedding_model.version == encoder.model_version(model.path)
    assert model.embedding_model.thresholds and "validation" in model.manifest["metrics"]["trained"]


def test_similar_issues_follow_the_served_model_after_a_confirmed_promotion(
    tmp_path, project, no_breaker, settings
):
    """The issue page, the similar-issues API and the assist retrieval look neighbours up in the
    space of the model that serves the project (grouping.policy), as decisions do: once a
    promotion is confirmed the replaced model's vectors are gone, and they must still answer."""
    from django.urls import reverse

    from assist import retrieval
    from assist.models import ResolutionNote
    from monitor.models import Membership

    settings.ASSIST_EXAMPLE_MAX_DISTANCE = 2.0  # any neighbour: which space it is read in counts
    alice = User.objects.create_user("alice", password="pw-alice-123")
    Membership.objects.create(user=alice, organization=project.organization)
    ingest(project, {**event(), "fingerprint": ["one"]})
    ingest(project, {**event(caller="nightly_report", caller_line="total = cart.average()"),
                     "fingerprint": ["two"]})
    one, two = Issue.objects.filter(project=project).order_by("id")
    call_command("backfill_embeddings", verbosity=0)
    stock = registry.served()
    model = train(tmp_path, training_set=None).embedding_model
    call_command("backfill_embeddings", model=model.id, verbosity=0)
    registry.promote(model)
    registry.confirm()
    assert not IssueEmbedding.objects.filter(model=stock).exists()  # the old space is gone
    Issue.objects.filter(pk=two.pk).update(status=Issue.Status.RESOLVED)
    ResolutionNote.objects.create(issue=two, text="guard empty carts")

    client = Client()
    client.force_login(alice)
    body = client.get(f"/api/0/issues/{one.id}/similar/").json()
    assert body["model"] == model.label and [r["id"] for r in body["results"]] == [two.id]
    page = client.get(reverse("web:issue", args=[project.organization.slug, project.slug,
                                                 one.id]) + "?tab=grouping").content.decode()
    assert f"#{two.id} · distance" in page
    examples = retrieval.similar_resolved(one, frozenset({"examples", "stack_trace"}), k=1)
    assert [e.issue_id for e in examples] == [two.id]


def test_a_failed_retrain_is_retried_with_back_off_and_a_withdrawn_model_stops_serving(
    tmp_path, settings, client, smtp, no_breaker, django_capture_on_commit_callbacks
):
    """A retrain that fails is tried again after a back-off that doubles; when none replaced the
    stale model within FAULTLINE_STALE_SERVING_HOURS, it stops serving: the previous clean model
    serves again (its vectors backfilled), the stale one's weights are deleted, and the staff
    page and a mail to staff say so."""
    import datetime as dt

    from django.utils import timezone

    settings.FAULTLINE_MODEL_DIR = str(tmp_path / "models")
    settings.FAULTLINE_TRAINING_DIR = str(tmp_path / "sets")
    settings.EMBEDDING_ONNX_DIR = str(tmp_path / "onnx")
    settings.FAULTLINE_RETRAIN_BACKOFF_SECONDS = 3600
    settings.FAULTLINE_RETRAIN_BACKOFF_MAX_SECONDS = 4 * 3600
    settings.FAULTLINE_STALE_SERVING_HOURS = 72
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    alpha = org_with_data("alpha", training_stack_traces=True)
    org_with_data("beta", training_stack_traces=True)
    clean = train(tmp_path, name="clean", training_set=None)  # the corpus only: never stale
    registry.promote(clean.embedding_model)
    call_command("export_training_data", directory=str(tmp_path), verbosity=0)
    stale = train(tmp_path, name="stale")
    call_command("backfill_embeddings", model=stale.embedding_model_id, verbosity=0)
    registry.promote(stale.embedding_model)
    registry.confirm()  # the clean model's vectors are dropped: a fallback must re-embed
    weights = stale.path
    consent = alpha.consent
    consent.training_stack_traces = False
    with django_capture_on_commit_callbacks(execute=True):
        consent.save()
    stale.refresh_from_db()
    assert stale.stale and stale.retrain == "scheduled" and stale.stale_since is not None
    (tmp_path / "corpus.jsonl").rename(tmp_path / "moved.jsonl")  # every retrain now fails

    assert tasks.retrain_stale() == []  # what beat runs
    stale.refresh_from_db()
    first_try = stale.retrain_after
    assert stale.retrain == "failed" and stale.retrain_attempts == 1
    assert "retrain 1 failed" in stale.stale_reason
    assert registry.served() == stale.embedding_model  # still within the bound
    lifecycle.retrain_stale()  # before the back-off ends: not tried
    stale.refresh_from_db()
    assert stale.retrain_attempts == 1 and stale.retrain_after == first_try
    lifecycle.retrain_stale(now=first_try)  # tried again, fails again: the back-off doubles
    stale.refresh_from_db()
    assert stale.retrain_attempts == 2
    assert stale.retrain_after == first_try + dt.timedelta(hours=2)
    assert registry.served() == stale.embedding_model and stale.path == weights

    past = stale.stale_since + dt.timedelta(hours=72, minutes=1)
    assert past > timezone.now()
    lifecycle.retrain_stale(now=past)
    stale.refresh_from_db()
    assert stale.retrain == "withdrawn" and stale.withdrawn_at == past
    assert registry.served() == clean.embedding_model  # the previous clean model serves
    assert stale.embedding_model.state == "retired"
    assert not stale.path and not (tmp_path / weights).exists()
    assert not IssueEmbedding.objects.filter(model=stale.embedding_model).exists()
    assert (IssueEmbedding.objects.filter(model=clean.embedding_model).count()
            == Issue.objects.count())
    change = ModelChange.objects.get(action="withdraw")
    assert change.model == clean.embedding_model and change.previous == stale.embedding_model
    (mail,) = smtp.inbox.messages
    assert mail["to"] == ["root@example.com"] and stale.embedding_model.label in mail["subject"]
    lifecycle.retrain_stale(now=past + dt.timedelta(days=1))  # nothing more to try or withdraw
    assert len(smtp.inbox.messages) == 1
    assert ModelChange.objects.filter(action="withdraw").count() == 1

    client.force_login(admin)
    page = client.get("/staff/models/").content.decode()
    assert f"{stale.embedding_model.label} was withdrawn" in page
    assert "Withdrawn: stale past the bound, weights deleted" in page
