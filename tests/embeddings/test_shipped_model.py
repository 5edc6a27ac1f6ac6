"""The grouping model that ships with Faultline: written out once from the packaged base and a
checksummed delta, served by a fresh database with its manifest's choices, the stock model
selectable, and an installation that serves the stock model moved over by one command that
keeps every issue, merge and unmerge."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from safetensors.torch import load_file

from embeddings import registry, shipped
from embeddings.encoder import base_spec, current_spec, default_model_path, get_encoder
from embeddings.models import EmbeddingModel, IssueEmbedding, ModelChange, ModelState
from grouping.merge import merge_by_user, unmerge_hash
from grouping.models import GroupingFeedback
from grouping.policy import policy_for
from monitor.models import GroupHash, Issue
from tests.helpers.events import decide, event, ingest

BASE = Path(default_model_path())


@pytest.fixture
def folder(tmp_path):
    """A copy of the shipped folder a test may damage."""
    copy = tmp_path / "shipped"
    shutil.copytree(shipped.SHIPPED_DIR, copy)
    return copy


def test_the_written_model_is_the_base_with_the_delta_tensors(tmp_path):
    info = shipped.load()
    target = shipped.materialise(info, BASE, tmp_path)
    assert target == tmp_path / f"{info.name}-{info.version}"
    base = load_file(str(BASE / shipped.WEIGHTS))
    delta = load_file(str(shipped.SHIPPED_DIR / shipped.DELTA))
    built = load_file(str(target / shipped.WEIGHTS))
    assert set(built) == set(base)
    assert set(delta) == set(info.manifest["delta"]["tensors"])
    assert 0 < len(delta) < len(base)
    for key, value in built.items():
        expected = delta[key].to(value.dtype) if key in delta else base[key]
        assert value.dtype == base[key].dtype and bool((value == expected).all()), key
    # only the fine-tuned top layers travel: the embeddings and lower layers are the base's
    assert not any(k.startswith("embeddings.") for k in delta)
    assert json.loads((target / shipped.MANIFEST).read_text()) == info.manifest
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary directory left


def test_writing_it_out_again_reuses_the_written_model(tmp_path):
    info = shipped.load()
    target = shipped.materialise(info, BASE, tmp_path)
    written = (target / shipped.WEIGHTS).stat().st_mtime_ns
    assert shipped.materialise(info, BASE, tmp_path) == target
    assert (target / shipped.WEIGHTS).stat().st_mtime_ns == written


def test_two_processes_writing_it_out_at_once_end_with_one_model(tmp_path):
    script = ("import sys; from pathlib import Path; from embeddings import shipped; "
              "print(shipped.materialise(shipped.load(), Path(sys.argv[1]), Path(sys.argv[2])))")
    children = [subprocess.Popen([sys.executable, "-c", script, str(BASE), str(tmp_path)],
                                 stdout=subprocess.PIPE, text=True,
                                 cwd=Path(__file__).parents[2]) for _ in range(2)]
    paths = [child.communicate(timeout=600)[0].strip() for child in children]
    assert [child.returncode for child in children] == [0, 0]
    assert len(set(paths)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [Path(paths[0]).name]  # no temporary left
    assert (Path(paths[0]) / shipped.COMPLETE).is_file()


def test_a_damaged_delta_is_refused(folder, tmp_path):
    data = bytearray((folder / shipped.DELTA).read_bytes())
    data[-1] ^= 0xFF
    (folder / shipped.DELTA).write_bytes(bytes(data))
    with pytest.raises(shipped.ShippedModelError, match="checksum"):
        shipped.load(folder)


def test_an_edited_manifest_is_refused(folder):
    manifest = json.loads((folder / shipped.MANIFEST).read_text())
    manifest["choices"]["thresholds"]["python"] = 0.5
    (folder / shipped.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(shipped.ShippedModelError, match="checksum"):
        shipped.load(folder)


def test_another_base_model_is_refused(tmp_path):
    base = tmp_path / "base"
    shutil.copytree(BASE, base)
    config = json.loads((base / "config.json").read_text())
    config["layer_norm_eps"] = 1e-6
    (base / "config.json").write_text(json.dumps(config))
    with pytest.raises(shipped.ShippedModelError, match="config.json"):
        shipped.materialise(shipped.load(), base, tmp_path / "models")
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_the_start_up_check_names_a_damaged_shipped_model(folder, monkeypatch):
    from embeddings import checks

    assert checks.shipped_model_usable() == []
    (folder / shipped.DELTA).write_bytes(b"not the delta")
    monkeypatch.setattr(shipped, "SHIPPED_DIR", folder)
    assert [e.id for e in checks.shipped_model_usable()] == ["embeddings.E001"]


def test_an_unknown_embedding_model_setting_stops_the_start():
    env = {**os.environ, "EMBEDDING_MODEL": "biggest"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                          capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "biggest" in done.stderr


@pytest.mark.django_db
def test_a_fresh_database_serves_the_shipped_model_with_its_manifests_choices():
    info = shipped.load()
    served = registry.served()
    assert (served.name, served.version) == (info.name, info.version)
    assert served.state == ModelState.SERVED
    assert served.trained.manifest == info.manifest and served.trained.rows == {}
    policy = policy_for(None)
    choices = info.choices
    for family, threshold in choices["thresholds"].items():
        assert policy.threshold(family) == threshold
    for family, rule in choices["key_rules"].items():
        assert policy.key_rule(family) == rule
    for family, conflict in choices["conflict_thresholds"].items():
        assert policy.conflict_threshold(family) == min(conflict, policy.threshold(family))
    assert get_encoder().spec == current_spec() and current_spec().version == info.version
    assert registry.serving() == served  # what web processes read


@pytest.mark.django_db
def test_the_stock_model_is_chosen_by_the_setting(settings):
    settings.EMBEDDING_MODEL = "stock"
    served = registry.served()
    stock = base_spec()
    assert (served.name, served.version) == (stock.name, stock.version)
    assert not served.thresholds and not hasattr(served, "trained")
    assert policy_for(None).thresholds == policy_for(None).rules.thresholds


@pytest.mark.django_db
def test_an_explicit_setting_switches_a_served_builtin_model(settings):
    registry.served()  # the shipped model serves a fresh database
    settings.EMBEDDING_MODEL = "stock"
    assert registry.served().name == base_spec().name
    settings.EMBEDDING_MODEL = ""  # unset: the installation keeps the stock model it serves
    assert registry.served().name == base_spec().name
    settings.EMBEDDING_MODEL = "shipped"
    assert registry.served().name == shipped.load().name


@pytest.mark.django_db
def test_an_installation_serving_the_stock_model_moves_over_keeping_issues_and_merges(
        project, settings, redis_client):
    from grouping import ml

    redis_client.delete(ml.BREAKER_KEY)
    settings.EMBEDDING_MODEL = "stock"  # the installation, before the shipped model existed
    stock = registry.served()
    ingest(project, event())
    ingest(project, event(crash_function="median", crash_line="return items[len(items) // 2]",
                          exc_type="IndexError", value="list index out of range"))
    ingest(project, event(crash_function="total", crash_line="return self.base + self.tax",
                          exc_type="TypeError", value="unsupported operand type(s)"))
    ingest(project, {**event(user="9"), "fingerprint": ["custom-{{ default }}"]})
    decide()
    settings.EMBEDDING_MODEL = ""  # upgraded: unset, the stock model keeps serving
    assert registry.served() == stock
    issues = list(Issue.objects.order_by("id"))
    assert len(issues) >= 3
    merged = merge_by_user(issues[0].id, [issues[1].id])  # a user's merge ...
    moved = GroupHash.objects.filter(issue=merged).order_by("id").last()
    split = unmerge_hash(moved)  # ... and a user's unmerge
    before_issues = sorted(Issue.objects.values_list("id", flat=True))
    before_hashes = sorted(GroupHash.objects.values_list("hash", "issue_id", "decided_by"))
    before_feedback = sorted(GroupingFeedback.objects.values_list("kind", "event_a", "event_b"))
    assert {k for k, _, _ in before_feedback} == {"merge", "unmerge"} and split.id in before_issues

    call_command("adopt_shipped_model", verbosity=0)

    served = registry.served()
    assert (served.name, served.version) == (shipped.load().name, shipped.load().version)
    assert EmbeddingModel.objects.get(pk=stock.pk).state == ModelState.PREVIOUS  # rollback
    assert list(ModelChange.objects.filter(model=served).values_list("action", flat=True)) == [
        ModelChange.Action.PROMOTE, ModelChange.Action.SHADOW]
    assert sorted(Issue.objects.values_list("id", flat=True)) == before_issues
    assert sorted(GroupHash.objects.values_list("hash", "issue_id", "decided_by")) == \
        before_hashes
    assert sorted(GroupingFeedback.objects.values_list("kind", "event_a", "event_b")) == \
        before_feedback
    embedded = set(IssueEmbedding.objects.filter(model=served).values_list("issue_id", flat=True))
    assert embedded == set(before_issues)  # every issue has a vector in the new space
    # a fingerprint a user moved stays where the user put it
    ingest(project, {**event(user="9"), "fingerprint": ["custom-{{ default }}"]})
    assert sorted(GroupHash.objects.values_list("hash", "issue_id", "decided_by")) == \
        before_hashes
    call_command("adopt_shipped_model", verbosity=0)  # again: nothing to do
    assert ModelChange.objects.filter(model=served).count() == 2


def test_the_delta_holds_exactly_the_changed_tensors_and_is_written_the_same_each_time(
        tmp_path):
    import torch
    from safetensors.torch import save_file

    from training import ship

    base = load_file(str(BASE / shipped.WEIGHTS))
    trained = dict(base)
    changed = ["encoder.layer.5.output.dense.weight", "encoder.layer.4.attention.self.query.bias"]
    for key in changed:
        trained[key] = base[key] + 0.01
    save_file(trained, str(tmp_path / "trained.safetensors"))
    delta = ship.changed_tensors(BASE / shipped.WEIGHTS, tmp_path / "trained.safetensors")
    assert sorted(delta) == sorted(changed)
    manifest = {**shipped.load().manifest, "delta": {"tensors": sorted(delta)}}
    one = ship.write_folder(tmp_path / "one", delta, torch.float16, manifest)
    two = ship.write_folder(tmp_path / "two", delta, torch.float16, manifest)
    assert one.version == two.version
    assert (tmp_path / "one" / shipped.DELTA).read_bytes() == \
        (tmp_path / "two" / shipped.DELTA).read_bytes()
    built = load_file(str(shipped.materialise(one, BASE, tmp_path / "models") / shipped.WEIGHTS))
    for key in changed:
        assert torch.allclose(built[key], trained[key], atol=1e-3)
