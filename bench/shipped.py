"""The shipped model against the stock one, each deciding as it serves (the shipped model with
its manifest's thresholds, key rules and conflict thresholds, the stock one with the grouping
rules'), on corpora no choice saw: the generated corpora's held-out applications and the mined
corpus's report-only codebases (lab.corpus.is_report_only), one project per codebase.

    .venv/bin/python bench/shipped.py --corpus var/corpus/corpus-seed{7,17,19,23,29}.jsonl \
        --mined ../mine-py/lab/corpus ../mine-js/lab/corpus ../mine-goruby/lab/corpus
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the project on sys.path)


def codebases(corpora: list[Path], mined: list[Path]) -> dict[str, list[dict]]:
    """{label: rows} of every held-out application and report-only mined codebase."""
    from lab import corpus as lab_corpus
    from lab.generate import corpus as generated

    out: dict[str, list[dict]] = defaultdict(list)
    for path in corpora:
        for row in generated.load(path, splits=("heldout_app",)):
            out[f"{path.stem}:{row['app']}"].append(row)
    for folder in mined:
        for path in lab_corpus.corpus_files(folder):
            for row in lab_corpus.read_rows(path):
                if lab_corpus.is_report_only(row["app"]):
                    out[f"mined:{row['platform']}-{row['app']}"].append(row)
    return dict(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", nargs="*", type=Path, default=[])
    parser.add_argument("--mined", nargs="*", type=Path, default=[])
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    import numpy as np
    from django.conf import settings

    from embeddings import shipped
    from embeddings.encoder import Encoder, current_spec
    from grouping import rules as grouping_rules
    from grouping.policy import shaped
    from training import metrics
    from training.evaluate import scores_dict

    rules = grouping_rules.CURRENT
    choices = shipped.load().choices
    deciders = {
        "shipped": ("shipped", choices["thresholds"], choices["key_rules"],
                    choices["conflict_thresholds"]),
        "stock": ("stock", rules.thresholds, {}, rules.conflict_thresholds),
    }
    # each model's text shape as it serves: the shipped manifest's frames over the rules'
    shapes = {"shipped": shaped(rules, choices.get("frames") or {}), "stock": rules}
    groups = codebases(args.corpus, args.mined)
    print(f"{len(groups)} codebases, {sum(len(r) for r in groups.values())} events")
    pooled: dict[tuple[str, str], list] = defaultdict(list)
    for name, (setting, thresholds, keys, conflicts) in deciders.items():
        data = {label: metrics.prepare(rows, shapes[name], scope=label)
                for label, rows in groups.items()}
        texts = sorted({t for d in data.values() for t in d.texts})
        settings.EMBEDDING_MODEL = setting
        encoder = Encoder(current_spec())
        vectors = encoder.encode(texts)
        row = {text: i for i, text in enumerate(texts)}
        for label, d in sorted(data.items()):
            vecs = vectors[[row[t] for t in d.texts]] if d.texts else np.zeros((0, 384))
            s = scores_dict(d, vecs, thresholds, keys, conflicts)
            kind = "mined" if label.startswith("mined:") else "held-out"
            pooled[(name, kind)].append((d, vecs))
            print(f"{name:<8} {label:<45} bugs {s['bugs']:>3}  issues/bug "
                  f"{s['issues_per_bug']:.2f}  pair-P {s['pair_precision']:.3f}  "
                  f"B3-F1 {s['bcubed_f1']:.3f}")
    for (name, kind), parts in sorted(pooled.items()):
        d = metrics.concat([p for p, _ in parts])
        vecs = np.concatenate([v for _, v in parts])
        setting, thresholds, keys, conflicts = deciders[name]
        s = scores_dict(d, vecs, thresholds, keys, conflicts)
        fams = "  ".join(f"{f} {v['issues_per_bug']:.2f}x P {v['pair_precision']:.3f} "
                         f"F1 {v['bcubed_f1']:.3f}" for f, v in s["by_family"].items())
        print(f"{name:<8} all {kind:<9} bugs {s['bugs']:>4}  issues/bug "
              f"{s['issues_per_bug']:.2f}  pair-P {s['pair_precision']:.3f}  "
              f"B3-F1 {s['bcubed_f1']:.3f}  |  {fams}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
