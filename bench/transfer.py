"""How a training recipe holds on an application it never trained on, judged on train and
validation splits only (the test splits and the held-out applications stay unread).

One application per platform that has two or more besides its held-out one (the first by name:
`etl-pipeline`, `js-api`) is left out of training; the model trains on the first corpus file's
train split without them, chooses key rules and thresholds on the other applications' validation
splits of every file (as training does), and is scored on the left-out applications' train and
validation bugs of every file, for each slack of training.evaluate.choose, with and without the
conflict rule (grouping.conflict). The gap between the two rows is what validation misses about
an unseen application; the last rows give the best F1 any one choice reaches on the left-out
applications at pair precision >= 0.98 (a bound, chosen on what it scores).

    .venv/bin/python bench/transfer.py var/corpus/corpus-seed{7,17,19,23,29}.jsonl \
        [--relabel-share 0.5] [--max-steps 200] [--model DIR]
"""

from __future__ import annotations

import argparse
import os
import time

from common import ROOT  # noqa: F401  (puts the project on the path)

SLACKS = (0.0, 0.005, 0.01, 0.02, 0.04)


def left_out(rows: list[dict]) -> set[str]:
    """Per platform, the first application by name among those with train bugs, where there
    are two or more (a platform with one application keeps it)."""
    apps: dict[str, set[str]] = {}
    for row in rows:
        if row["split"] == "train":
            apps.setdefault(row["platform"], set()).add(row["app"])
    return {sorted(names)[0] for names in apps.values() if len(names) > 1}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="+", help="corpus files; the first one is trained on")
    parser.add_argument("--relabel-share", type=float, default=None)
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--model", help="score this model (trained without the left-out apps)")
    parser.add_argument("--out", default="var/bench/transfer-model")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    from embeddings.encoder import Encoder, ModelSpec, current_spec, model_version
    from training import corpus, evaluate, fit, lifecycle, metrics

    files = [corpus.load(path) for path in args.corpus]
    apps = left_out(files[0])
    print(f"left out of training: {', '.join(sorted(apps))}")
    model_path = args.model
    if not model_path:
        chosen = {"max_steps": args.max_steps, "relabel_share": args.relabel_share,
                  "seed": args.seed}
        hp = fit.Hyperparameters(**{k: v for k, v in chosen.items() if v is not None})
        train = metrics.prepare([r for r in files[0]
                                 if r["split"] == "train" and r["app"] not in apps])
        base = current_spec().path
        pairs = lifecycle.gather({"train": train}, None, hp, fit.replacement_words(base))
        started = time.perf_counter()
        device = fit.train(base, pairs, hp, args.out, progress=False)
        print(f"trained on {len(set(train.labels))} bugs, {len(pairs)} pairs, {hp.max_steps} "
              f"steps on {device} in {time.perf_counter() - started:.0f} s: {args.out}")
        model_path = args.out
    seen = metrics.concat([
        metrics.prepare([r for r in rows if r["split"] == "validation" and r["app"] not in apps],
                        scope=f"c{n}") for n, rows in enumerate(files)])
    unseen = metrics.concat([
        metrics.prepare([r for r in rows if r["split"] in ("train", "validation")
                         and r["app"] in apps], scope=f"c{n}")
        for n, rows in enumerate(files)])
    encoder = Encoder(ModelSpec("model", model_path, model_version(model_path)))
    seen_vectors, unseen_vectors = encoder.encode(seen.texts), encoder.encode(unseen.texts)
    print(f"{'slack':<6} {'conflicts':<9} {'scored on':<32} {'family':<11} {'bugs':>5} "
          f"{'issues/bug':>10} {'pair-P':>7} {'pair-R':>7} {'B3-F1':>6}  "
          "chosen on the trained apps' validation: rule, threshold, conflict threshold")

    def row(slack: object, conflicts: str, name: str, result: dict,
            choice: evaluate.Choice) -> None:
        for family, s in sorted(result["by_family"].items()):
            print(f"{slack:<6} {conflicts:<9} {name:<32} {family:<11} {s['bugs']:>5} "
                  f"{s['issues_per_bug']:>10.2f} {s['pair_precision']:>7.3f} "
                  f"{s['pair_recall']:>7.3f} {s['bcubed_f1']:>6.3f}  {choice.rules[family]} "
                  f"{choice.thresholds[family]} {choice.conflicts[family]}", flush=True)

    runs = [(slack, True) for slack in SLACKS] + [(evaluate.CHOICE_SLACK, False)]
    for slack, use_conflicts in runs:
        choice = evaluate.choose(seen, seen_vectors, slack=slack, use_conflicts=use_conflicts)
        for name, data, vectors in (("trained apps, validation", seen, seen_vectors),
                                    ("left-out apps, train+val", unseen, unseen_vectors)):
            result = evaluate.scores_dict(data, vectors, choice.thresholds, choice.rules,
                                          choice.conflicts)
            row(slack, "yes" if use_conflicts else "no", name, result, choice)
    bound = evaluate.choose(unseen, unseen_vectors, floor=0.98)
    row("-", "yes", "bound: best at P>=0.98", evaluate.scores_dict(
        unseen, unseen_vectors, bound.thresholds, bound.rules, bound.conflicts), bound)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
