"""Train a grouping model on the corpus (CPU, or CUDA when present) and print: training time,
pairs, validation / test / held-out metrics of the stock and trained models (at 384 and at the
Matryoshka 128 dimensions), and embeddings/s of the stock and trained models.

    .venv/bin/python bench/training.py var/corpus/corpus-seed7.jsonl --max-steps 60
"""

from __future__ import annotations

import argparse
import json
import time

from common import services


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--max-steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-pairs", type=int, default=2400)
    parser.add_argument("--out", default="var/bench/training.json")
    args = parser.parse_args()
    with services("faultline_bench_training"):
        import numpy as np

        from embeddings import registry
        from embeddings.encoder import Encoder, ModelSpec, encoder_for
        from training import fit, lifecycle

        hp = fit.Hyperparameters(max_steps=args.max_steps, batch_size=args.batch_size,
                                 max_pairs=args.max_pairs)  # fmt: skip
        model = lifecycle.train_model("bench-grouping", args.corpus, None, hp)
        manifest = model.manifest
        print(f"device {manifest['device']}; {manifest['pairs']}; {hp.max_steps} steps of "
              f"{hp.batch_size} pairs in {manifest['training_seconds']} s")
        rows = [("stock (served)", manifest["metrics"]["served"])]
        by_dimension = manifest["metrics"]["trained_by_dimension"]
        rows += [(f"trained @{d}", m) for d, m in by_dimension.items()]
        print(f"{'model':<16} {'split':<12} {'issues/bug':>10} {'pair-P':>7} {'pair-R':>7} "
              f"{'B3-F1':>7}  thresholds")
        for name, metrics in rows:
            for split in ("validation", "test", "heldout_app"):
                s = metrics.get(split)
                if s:
                    print(f"{name:<16} {split:<12} {s['issues_per_bug']:>10.2f} "
                          f"{s['pair_precision']:>7.3f} {s['pair_recall']:>7.3f} "
                          f"{s['bcubed_f1']:>7.3f}  {metrics['thresholds']}")
        from evaluation import metrics as evaluation
        from training import corpus

        texts = evaluation.prepare(corpus.load(args.corpus)[:512]).texts
        speeds = {}
        served = registry.served()
        trained = model.embedding_model
        spec = ModelSpec(trained.name, trained.path, trained.version)
        for name, encoder in (("stock", encoder_for(served)), ("trained@384", Encoder(spec)),
                              ("trained@128", Encoder(spec, truncate_dim=128))):
            encoder.encode(texts[:32])
            started = time.perf_counter()
            vectors = encoder.encode(texts)
            seconds = time.perf_counter() - started
            assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
            speeds[name] = round(len(texts) / seconds, 1)
            print(f"{name:<12} {speeds[name]:>7.1f} embeddings/s ({vectors.shape[1]} dims, "
                  f"{encoder.device})")
        with open(args.out, "w") as handle:
            json.dump({"manifest": manifest, "embeddings_per_second": speeds}, handle, indent=2)
        print(f"written to {args.out}; model at {model.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
