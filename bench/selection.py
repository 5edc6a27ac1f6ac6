"""How well a validation choice transfers to bugs it was not chosen on: for each precision floor,
choose key rules and thresholds (training.evaluate.choose) on the validation splits of all
corpora but one, score the one left out, and print the worst and mean pair precision and
B-cubed F1 per platform family; then, at PRECISION_FLOOR, each slack (how much F1 a more
cautious choice may give up). This is how PRECISION_FLOOR and CHOICE_SLACK were chosen; it reads
validation splits only.

    .venv/bin/python bench/selection.py --model var/models/X \
        var/corpus/corpus-seed{7,17,19,23,29}.jsonl
"""

from __future__ import annotations

import argparse
import os
import statistics

from common import ROOT  # noqa: F401  (puts the project on the path)

FLOORS = (0.95, 0.98, 0.99, 1.0)
SLACKS = (0.0, 0.005, 0.01, 0.02, 0.04)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="+", help="at least three corpus files")
    parser.add_argument("--model", required=True, help="a model directory (a trained one)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    import numpy as np

    from embeddings.encoder import Encoder, ModelSpec, model_version
    from lab.generate import corpus
    from training import evaluate, metrics

    encoder = Encoder(ModelSpec("model", args.model, model_version(args.model)))
    validation, vectors = [], []
    for number, path in enumerate(args.corpus):
        data = metrics.prepare(corpus.load(path, ("validation",)), scope=f"c{number}")
        validation.append(data)
        vectors.append(encoder.encode(data.texts))
    print(f"{'floor':<6} {'slack':<6} {'conflict rule':<14} {'family':<11} {'P worst':>8} "
          f"{'P mean':>7} "
          f"{'F1 worst':>9} {'F1 mean':>8} {'issues/bug worst':>17}")
    combos = [(floor, 0.0, True) for floor in FLOORS]
    combos += [(evaluate.PRECISION_FLOOR, slack, True) for slack in SLACKS if slack]
    combos += [(evaluate.PRECISION_FLOOR, evaluate.CHOICE_SLACK, False)]
    for floor, slack, use_conflicts in combos:
        scores: dict[str, list[dict]] = {}
        for out in range(len(args.corpus)):
            rest = [i for i in range(len(args.corpus)) if i != out]
            pool = metrics.concat([validation[i] for i in rest])
            choice = evaluate.choose(pool, np.vstack([vectors[i] for i in rest]), floor, slack,
                                     use_conflicts)
            result = evaluate.scores_dict(validation[out], vectors[out], choice.thresholds,
                                          choice.rules, choice.conflicts)
            for family, s in result["by_family"].items():
                scores.setdefault(family, []).append(s)
        for family, runs in sorted(scores.items()):
            p = [s["pair_precision"] for s in runs]
            f = [s["bcubed_f1"] for s in runs]
            x = [s["issues_per_bug"] for s in runs]
            rule = "yes" if use_conflicts else "no"
            print(f"{floor:<6} {slack:<6} {rule:<14} {family:<11} {min(p):>8.3f} "
                  f"{statistics.mean(p):>7.3f} "
                  f"{min(f):>9.3f} {statistics.mean(f):>8.3f} {max(x):>17.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
