"""Training a grouping model end to end, and retraining the stale ones.

`train_model` gathers pairs (training.pairs), fine-tunes (training.fit), scores validation and
test for the trained, served and stock models (training.evaluate), writes the manifest beside
the weights and registers the model as a new registry version. `retrain_stale` (beat) rebuilds
the training set with the organisations that consent now, retrains each scheduled model with its
own hyperparameters and promotes the result when it is no worse on validation. A failed retrain
is tried again after a back-off that doubles; a stale model still in use
FAULTLINE_STALE_SERVING_HOURS after it went stale is withdrawn (`withdraw_overdue`): the model
grouping.policy.fallback_for names serves in its place, its weights are deleted, staff are told.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from embeddings import registry
from embeddings.encoder import base_spec, encoder_for, model_version
from embeddings.models import EmbeddingModel, ModelChange, ModelState
from grouping import policy
from grouping.backfill import backfill
from training import corpus, evaluate, fit, metrics, notify, pairs, sets, staleness
from training.models import TrainedModel, TrainingSet


def load_splits(paths: str | list[str], trained: int | None = None) -> dict[str, metrics.Dataset]:
    """Each split of every corpus file; several files are pooled, each one its own project (its
    bugs never join another file's), so validation chooses on all of their bugs at once. Only
    the first `trained` files give a train split (default: all)."""
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    parts: dict[str, list[metrics.Dataset]] = {}
    for number, path in enumerate(paths):
        scope = f"c{number}" if len(paths) > 1 else ""  # one file: one project, ids as written
        for name, rows in corpus.by_split(corpus.load(path)).items():
            if name == "train" and trained is not None and number >= trained:
                rows = []
            parts.setdefault(name, []).append(metrics.prepare(rows, scope=scope))
    return {name: metrics.concat(datasets) for name, datasets in parts.items()}


def corpus_files(manifest: dict) -> tuple[list[str], list[str]]:
    """(files trained on, files only validated and reported on) of a model (older manifests
    name one file)."""
    info = manifest["corpus"]
    paths = list(info.get("paths") or [info["path"]])
    trained = info.get("train_files", len(paths))
    return paths[:trained], paths[trained:]


def gather(splits: dict[str, metrics.Dataset], training_set: TrainingSet | None,
           hp: fit.Hyperparameters,
           words: list[str] | None = None) -> list[pairs.Pair]:
    """The training pairs; `words` are the new names of relabelled pairs (hp.relabel_share),
    drawn from a generator of their own, so the pairs themselves do not depend on it."""
    rng = random.Random(hp.seed)
    org = pairs.organisation_pairs(pairs.consented_rows(training_set), rng,
                                   int(hp.max_pairs * hp.organisation_share))
    aug = pairs.augmented_pairs(splits["train"], rng, int(hp.max_pairs * hp.augment_share))
    aug += pairs.swapped_pairs(splits["train"], rng, int(hp.max_pairs * hp.swap_share))
    rest = hp.max_pairs - len(org) - len(aug)
    out = pairs.corpus_pairs(splits["train"], rng, rest) + aug + org
    rng.shuffle(out)
    return pairs.relabelled(out, words or [], hp.relabel_share, random.Random(f"{hp.seed}:names"))


def manifest_counts(chosen: list[pairs.Pair]) -> tuple[dict, dict[str, list[int]]]:
    counts = {"total": len(chosen), "same": sum(p.same for p in chosen),
              "corpus": sum(p.source == "corpus" for p in chosen),
              "augment": sum(p.source == "augment" for p in chosen),
              "organisations": sum(p.source.startswith("org:") for p in chosen)}
    rows: dict[str, list[int]] = {}
    for p in chosen:
        if p.row_id is not None:
            rows.setdefault(p.source.split(":", 1)[1], []).append(p.row_id)
    return counts, {org: sorted(ids) for org, ids in sorted(rows.items())}


Gathered = tuple[dict[str, metrics.Dataset], list[pairs.Pair], list[str], str]


def training_pairs(paths: list[str], trained: int, training_set: TrainingSet | None,
                   hp: fit.Hyperparameters, base_path: str) -> Gathered:
    """(splits, the training pairs, each corpus file's sha256, the pairs' data hash) for the
    first `trained` of `paths`: what train_model trains on, and what bench/cuda.py packs."""
    splits = load_splits(paths, trained=trained)
    words = fit.replacement_words(base_path) if hp.relabel_share > 0 else []
    chosen = gather(splits, training_set, hp, words)
    digests = [corpus.file_digest(path) for path in paths]
    return splits, chosen, digests, pairs.data_hash(chosen, "".join(digests))


def _encode_with(path: str):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device=fit.pick_device(), local_files_only=True)
    model.max_seq_length = min(model.max_seq_length or 128, settings.EMBEDDING_MAX_TOKENS or 128)
    return lambda texts: model.encode(texts, batch_size=settings.EMBEDDING_BATCH_SIZE,
                                      normalize_embeddings=True, convert_to_numpy=True,
                                      show_progress_bar=False)


def train_model(name: str, corpus_path: str | list[str], training_set: TrainingSet | None,
                hp: fit.Hyperparameters, directory: Path | None = None, progress: bool = True,
                base_path: str | None = None, validation_paths: list[str] | None = None,
                fitted: Path | None = None) -> TrainedModel:
    """Train on the train splits of `corpus_path` (one file or several) and the training set;
    choose key rules and thresholds on the validation splits of those files and of
    `validation_paths` (corpora never trained on), report their test and held-out splits.
    `fitted`: weights fine-tuned elsewhere (a GPU machine: bench/cuda.py) from these very pairs
    with these hyperparameters, which its `fitted.json` must say (`adopt`); they are scored and
    registered as if trained here."""
    trained_paths = [corpus_path] if isinstance(corpus_path, str | Path) else list(corpus_path)
    paths = trained_paths + list(validation_paths or [])
    base = base_spec()
    base_path = base_path or base.path
    splits, chosen, digests, data_hash = training_pairs(paths, len(trained_paths), training_set,
                                                        hp, base_path)
    if not chosen:
        raise ValueError("no training pairs: the corpus train split and the training set are empty")
    counts, rows = manifest_counts(chosen)
    directory = Path(directory or settings.FAULTLINE_MODEL_DIR)
    out = directory / f"{name}-{timezone.now():%Y%m%dT%H%M%S%f}"
    if fitted is None:
        started = time.perf_counter()
        device = fit.train(base_path, chosen, hp, str(out), progress=progress)
        seconds = time.perf_counter() - started
    else:
        adopted = adopt(Path(fitted), data_hash, hp, model_version(base_path), out)
        device, seconds = adopted["device"], adopted["seconds"]
    encode = _encode_with(str(out))
    native = len(encode(["x"])[0])
    dimension = hp.dimension or native
    vectors = evaluate.encode_splits(encode, splits)
    by_dimension = {str(d): evaluate.evaluate(vectors, splits, d)
                    for d in sorted({native, *hp.matryoshka_dims}) if d <= native}
    served = registry.served()
    manifest = {
        "name": name,
        "base_model": {"name": base.name, "version": base.version},
        "hyperparameters": hp.as_dict(),
        "loss": "MatryoshkaLoss(ContrastiveLoss)",
        "data_hash": data_hash,
        "corpus": {"path": str(paths[0]), "paths": [str(p) for p in paths],
                   "train_files": len(trained_paths),
                   "sha256": digests[0], "sha256_per_file": digests,
                   "events_per_split": {k: len(v.labels) for k, v in splits.items()}},
        "training_set": training_set.id if training_set else None,
        "pairs": counts,
        "rows_per_organization": {org: len(ids) for org, ids in rows.items()},
        "device": device,
        "training_seconds": round(seconds, 1),
        "dimension": dimension,
        "metrics": {
            "trained": by_dimension[str(dimension)],
            "trained_by_dimension": by_dimension,
            "served": {"model": served.label,
                       **evaluate.evaluate(encoder_for(served).encode, splits)},
        },
        "trained_at": timezone.now().isoformat(),
    }
    if fitted is not None:  # trained elsewhere (bench/cuda.py): where from, as it said
        manifest["fitted"] = {"path": str(fitted), "recipe": adopted.get("recipe")}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    embedding = registry.register(name, model_version(str(out)), dimension, str(out))
    embedding.thresholds = manifest["metrics"]["trained"]["thresholds"]
    embedding.key_rules = manifest["metrics"]["trained"].get("keys", {})
    embedding.conflict_thresholds = manifest["metrics"]["trained"].get("conflict_thresholds", {})
    embedding.save(update_fields=["thresholds", "key_rules", "conflict_thresholds"])
    return TrainedModel.objects.create(name=name, training_set=training_set,
                                       embedding_model=embedding, path=str(out),
                                       manifest=manifest, rows=rows)


def adopt(fitted: Path, data_hash: str, hp: fit.Hyperparameters, base_version: str,
          out: Path) -> dict:
    """Copy weights fitted elsewhere to `out`; returns their fitted.json. Refused unless they
    were fitted here-and-now's way: the same pairs (data hash: corpora, their order, the
    training set and the gathering hyperparameters), the same training hyperparameters and the
    same base model, so the manifest tells the truth about them."""
    try:
        record = json.loads((fitted / "fitted.json").read_text())
        claimed = {k: v for k, v in record["hyperparameters"].items() if k != "dimension"}
        device, seconds = str(record["device"]), float(record["seconds"])
        found_hash, found_base = record["data_hash"], record["base_version"]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{fitted}/fitted.json is missing or incomplete ({exc!r})") from exc
    wanted = {k: v for k, v in hp.as_dict().items() if k != "dimension"}
    if found_hash != data_hash:
        raise ValueError(f"{fitted} was fitted on other pairs (data hash {found_hash}, these "
                         f"are {data_hash}): the same corpora in the same order, the same "
                         f"training set (bench/cuda.py: none) and hyperparameters?")
    if claimed != wanted:
        differ = sorted(k for k in wanted.keys() | claimed.keys()
                        if wanted.get(k) != claimed.get(k))
        raise ValueError(f"{fitted} was fitted with other hyperparameters: {differ}")
    if found_base != base_version:
        raise ValueError(f"{fitted} was fitted from another base model ({found_base})")
    shutil.copytree(fitted, out)
    return {**record, "device": device, "seconds": seconds}


log = logging.getLogger(__name__)


def retrain_stale(directory: Path | None = None, progress: bool = False,
                  now: dt.datetime | None = None) -> list[int]:
    """Retrain every stale model that is due (scheduled, or failed and past its back-off)
    without the withdrawn or deleted rows; promote each retrained served model that is no worse
    on validation; then withdraw the stale models in use past the bound. Returns the new
    models' ids."""
    now = now or timezone.now()
    staleness.reconcile(now)
    made = []
    for old in due_retrains(now):
        try:
            fresh_set = sets.build(f"{old.name}-retrain", Path(settings.FAULTLINE_TRAINING_DIR),
                                   progress=progress)
            hp = fit.Hyperparameters(**old.manifest["hyperparameters"])
            trained_paths, validation_paths = corpus_files(old.manifest)
            new = train_model(old.name, trained_paths, fresh_set, hp, directory, progress,
                              validation_paths=validation_paths)
        except Exception as exc:
            log.exception("retrain of stale model %s failed", old.id)
            failed(old, exc, now)
            continue
        made.append(new.id)
        replace(old, new)
    withdraw_overdue(now)
    return made


def due_retrains(now: dt.datetime):
    """Stale models to retrain now: scheduled, or failed and past their back-off."""
    retrain = TrainedModel.Retrain
    return TrainedModel.objects.filter(
        Q(retrain=retrain.SCHEDULED) | Q(retrain=retrain.FAILED),
        Q(retrain_after__isnull=True) | Q(retrain_after__lte=now),
    ).order_by("id")


def backoff(attempts: int) -> dt.timedelta:
    """FAULTLINE_RETRAIN_BACKOFF_SECONDS, doubled for each failure after the first, at most
    FAULTLINE_RETRAIN_BACKOFF_MAX_SECONDS."""
    seconds = settings.FAULTLINE_RETRAIN_BACKOFF_SECONDS * 2 ** min(max(attempts - 1, 0), 30)
    return dt.timedelta(seconds=min(seconds, settings.FAULTLINE_RETRAIN_BACKOFF_MAX_SECONDS))


def failed(old: TrainedModel, exc: Exception, now: dt.datetime) -> None:
    """Record a failed retrain; the next is tried after the back-off."""
    old.retrain = TrainedModel.Retrain.FAILED
    old.retrain_attempts += 1
    old.retrain_after = now + backoff(old.retrain_attempts)
    old.stale_reason = (f"{old.stale_reason}\nretrain {old.retrain_attempts} failed: "
                        f"{str(exc)[:300]}; next try after "
                        f"{old.retrain_after:%Y-%m-%d %H:%M} UTC").strip()
    old.save(update_fields=["retrain", "retrain_attempts", "retrain_after", "stale_reason"])


def withdraw_overdue(now: dt.datetime | None = None) -> list[int]:
    """Withdraw every stale model still in use (served, shadow, previous) past its deadline;
    returns their ids. One failure is logged and leaves the others to go."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.FAULTLINE_STALE_SERVING_HOURS)
    overdue = TrainedModel.objects.filter(
        stale=True, stale_since__lte=cutoff, embedding_model__state__in=list(staleness.ACTIVE)
    ).select_related("embedding_model")
    withdrawn = []
    for model in overdue:
        try:
            withdraw(model, now)
        except Exception:
            log.exception("could not withdraw stale model %s", model.id)
            continue
        withdrawn.append(model.id)
    return withdrawn


def withdraw(model: TrainedModel, now: dt.datetime) -> None:
    """`model` stops serving now: the fallback (grouping.policy.fallback_for) gets a vector for
    every issue, then serves; `model` is retired, its vectors and weights deleted."""
    embedding = model.embedding_model
    fallback = None
    if embedding.state == ModelState.SERVED:
        fallback = policy.fallback_for(embedding)
        backfill(fallback)  # every issue in its space before it decides
    reason = model.stale_reason
    hours = settings.FAULTLINE_STALE_SERVING_HOURS
    registry.withdraw(embedding, fallback, note=f"stale model {model.id}: its data was withdrawn "
                      f"and no retrain replaced it within {hours} hours")
    staleness.delete_weights(model)
    model.retrain = TrainedModel.Retrain.WITHDRAWN
    model.retrain_after = None
    model.withdrawn_at = now
    serves = f"; {fallback.label} serves" if fallback else ""
    model.stale_reason = (f"{model.stale_reason}\nwithdrawn {now:%Y-%m-%d %H:%M} UTC: stale "
                          f"for {hours} hours{serves}").strip()
    model.save(update_fields=["retrain", "retrain_after", "withdrawn_at", "stale_reason", "path"])
    notify.model_withdrawn(embedding.label, fallback.label if fallback else None, reason)


def replace(old: TrainedModel, new: TrainedModel) -> None:
    """Put the retrained model where the stale one was; the stale one's vectors and weights go."""
    state = old.embedding_model.state if old.embedding_model else None
    ok = evaluate.no_worse(new.manifest["metrics"]["trained"], new.manifest["metrics"]["served"],
                           settings.FAULTLINE_RETRAIN_TOLERANCE)
    note = f"retrain of stale model {old.id}"
    if state == ModelState.SERVED and ok:
        backfill(new.embedding_model)  # every issue embedded before the switch
        registry.promote(new.embedding_model, action=ModelChange.Action.AUTO_PROMOTE, note=note)
        registry.confirm(note=f"{note}: a stale model is never kept for rollback")
    elif state == ModelState.SERVED:
        old.stale_reason += "\nretrain worse on validation: waiting for an admin"
        registry.start_shadow(new.embedding_model)
    elif state in (ModelState.SHADOW, ModelState.PREVIOUS):
        registry.start_shadow(new.embedding_model)
        EmbeddingModel.objects.filter(pk=old.embedding_model_id).update(state=ModelState.RETIRED)
        registry.drop_vectors(old.embedding_model)
    old.retrain = TrainedModel.Retrain.DONE
    old.replaced_by = new
    if old.embedding_model and EmbeddingModel.objects.get(pk=old.embedding_model_id).state in (
            ModelState.RETIRED, ModelState.AVAILABLE):
        staleness.delete_weights(old)
    old.save(update_fields=["retrain", "replaced_by", "stale_reason", "path"])
