"""Train a grouping model on the corpus (CPU, or CUDA when present) and print: training time,
pairs, validation / test / held-out metrics of the stock and trained models (at 384 and at the
Matryoshka 128 dimensions, thresholds chosen on validation), and embeddings/s of each.

    .venv/bin/python bench/training.py var/corpus/corpus-seed7.jsonl   # the default recipe
    .venv/bin/python bench/training.py var/corpus/corpus-seed7.jsonl --model var/models/X
      (scores a model already trained; needs no database)
    .venv/bin/python bench/training.py var/corpus/corpus-seed{7,17,19,23,29}.jsonl \
        --fresh var/corpus/corpus-seed{11,13}.jsonl
      (several corpora pooled, each its own project; --fresh: corpora nothing was chosen or
      trained on, whose test and held-out splits are scored with the validation choices)
"""

from __future__ import annotations

import argparse
import json
import os
import time

from common import services


def report(corpus_paths: list[str], model_path: str, fresh_paths: list[str]) -> dict:
    import numpy as np

    from embeddings.encoder import Encoder, ModelSpec, current_spec, model_version
    from training import evaluate, lifecycle
    from training import metrics as evaluation_metrics

    splits = lifecycle.load_splits(corpus_paths)
    fresh = lifecycle.load_splits(fresh_paths) if fresh_paths else {}
    stock = current_spec()
    trained = ModelSpec("trained", model_path, model_version(model_path))
    encoders = {"stock": Encoder(stock), "trained@384": Encoder(trained),
                "trained@128": Encoder(trained, truncate_dim=128)}
    out = {"metrics": {}, "embeddings_per_second": {}}
    print(f"{'model':<12} {'split':<12} {'issues/bug':>10} {'pair-P':>7} {'pair-R':>7} "
          f"{'B3-F1':>7}  key rules and thresholds (chosen on validation)")
    for name, encoder in encoders.items():
        metrics = evaluate.evaluate(encoder.encode, splits)
        out["metrics"][name] = metrics
        for split in ("validation", "test", "heldout_app"):
            s = metrics.get(split)
            if s:
                print(f"{name:<12} {split:<12} {s['issues_per_bug']:>10.2f} "
                      f"{s['pair_precision']:>7.3f} {s['pair_recall']:>7.3f} "
                      f"{s['bcubed_f1']:>7.3f}  {metrics['keys']} {metrics['thresholds']}",
                      flush=True)
        for split in ("test", "heldout_app"):
            if fresh.get(split) and fresh[split].labels:
                s = evaluate.scores_dict(fresh[split], encoder.encode(fresh[split].texts),
                                         metrics["thresholds"], metrics["keys"],
                                         metrics["conflict_thresholds"])
                out["metrics"][name][f"fresh_{split}"] = s
                print(f"{name:<12} {'fresh ' + split[:7]:<12} {s['issues_per_bug']:>10.2f} "
                      f"{s['pair_precision']:>7.3f} {s['pair_recall']:>7.3f} "
                      f"{s['bcubed_f1']:>7.3f}  " + "  ".join(
                          f"{family} {f['issues_per_bug']:.2f}/{f['pair_precision']:.3f}/"
                          f"{f['bcubed_f1']:.3f}" for family, f in s["by_family"].items()),
                      flush=True)
        for split in ("test", "heldout_app"):
            s = metrics.get(split)
            if s:
                print(f"{name:<12} {split[:12]:<12} by family (issues/bug / pair-P / B3-F1): "
                      + "  ".join(f"{family} {f['issues_per_bug']:.2f}/{f['pair_precision']:.3f}/"
                                  f"{f['bcubed_f1']:.3f}" for family, f in s["by_family"].items()),
                      flush=True)
    payloads = real_payloads()
    if payloads:
        for name, encoder in encoders.items():
            keyed = evaluate.keyed(payloads, out["metrics"][name]["keys"])
            clusters = evaluation_metrics.simulate_ml(
                keyed, encoder.encode(keyed.texts), out["metrics"][name]["thresholds"],
                conflict=out["metrics"][name]["conflict_thresholds"])
            s = evaluation_metrics.score(keyed.labels, clusters)
            out.setdefault("sdk_payloads", {})[name] = {"payloads": s.events, "issues": s.issues,
                                                        "pair_precision": s.pairwise_precision}
            print(f"{name:<12} real SDK payloads: {s.events} payloads → {s.issues} issues, "
                  f"pair-P {s.pairwise_precision:.3f} (each is its own bug)", flush=True)
    texts = sorted(set(splits["test"].texts))[:512]
    for name, encoder in encoders.items():
        encoder.encode(texts[:32])
        started = time.perf_counter()
        vectors = encoder.encode(texts)
        seconds = time.perf_counter() - started
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
        out["embeddings_per_second"][name] = round(len(texts) / seconds, 1)
        print(f"{name:<12} {len(texts) / seconds:>7.1f} embeddings/s ({vectors.shape[1]} dims, "
              f"{encoder.device})", flush=True)
    return out


def real_payloads():
    """The real SDK payloads of ../shared/sdk-payloads (each its own bug), prepared; None when
    they are not there."""
    import json
    from pathlib import Path

    from training import metrics as evaluation_metrics

    default = Path(__file__).resolve().parents[1].parent / "shared" / "sdk-payloads"
    folder = Path(os.environ.get("FAULTLINE_SDK_PAYLOADS", default)) / "glitchtip"
    files = sorted(folder.glob("incoming_events__*.json"))
    if not files:
        return None
    rows = [{"bug": f.name, "event": json.loads(f.read_text())} for f in files]
    return evaluation_metrics.prepare(rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--fresh", nargs="*", default=[],
                        help="corpora scored on their test and held-out splits only")
    parser.add_argument("--max-steps", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--max-pairs", type=int, default=None)
    parser.add_argument("--relabel-share", type=float, default=None)
    parser.add_argument("--model", help="score this trained model directory instead of training")
    parser.add_argument("--out", default="var/bench/training.json")
    args = parser.parse_args()
    result = {}
    if args.model:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
        os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
        import django

        django.setup()
        model_path = args.model
    else:
        with services("faultline_bench_training"):
            from training import fit, lifecycle

            chosen = {"max_steps": args.max_steps, "batch_size": args.batch_size,
                      "max_pairs": args.max_pairs, "relabel_share": args.relabel_share}
            hp = fit.Hyperparameters(**{k: v for k, v in chosen.items() if v is not None})
            model = lifecycle.train_model("bench-grouping", args.corpus, None, hp)
            manifest = model.manifest
            model_path = model.path
            result["manifest"] = manifest
            print(f"device {manifest['device']}; pairs {manifest['pairs']}; {hp.max_steps} "
                  f"steps of {hp.batch_size} pairs in {manifest['training_seconds']} s")
    result.update(report(args.corpus, model_path, args.fresh))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=2)
    print(f"written to {args.out}; model at {model_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
