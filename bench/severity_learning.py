"""Does learning from triage improve the severity head? A replay on SIMULATED triage.

    python bench/severity_learning.py [CORPUS.jsonl ...] [--seeds 1 2 3 4 5]

Each app of the generated corpus (default var/corpus/corpus-seed19.jsonl, made by
`python -m lab.generate.corpus.generate var/corpus --seed 19`; the default heads were trained on
seeds 7 and 17, never on it) is one simulated organisation; each of its bugs is one issue, its
text the first event's, cleaned and PII-scrubbed as priority.examples does. A simulated team
acts on every issue (bench/severity_triage.py: a table written for this benchmark, not the
priority code's), and the action becomes a label by priority.triage's rule (assigned,
commented, resolved in the next release or escalated: severe; ignored or never opened: not;
opened and left: no label). Leave-one-organisation-out: for each organisation, a head is fitted
by priority.learn.fit on the other organisations' labels (the default head as the prior) and
both it and the default head are scored on the held-out organisation's labels. The figures
say how far the learning path follows a team behaviour that differs from the default's notion
(bench/severity_triage.py says where); they are not a measurement of real teams.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import severity_triage  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def issues(paths: list[str]) -> list[dict]:
    """One issue per bug: (app, root exception type, handled, text of its first event)."""
    from consent.pii import scrub_text
    from grouping.clean import clean_event
    from ingest.normalize import normalize_event

    seen, out = set(), []
    for path in paths:
        with open(path) as handle:
            for line in handle:
                row = json.loads(line)
                if row["bug"] in seen:
                    continue
                data = normalize_event(row["event"], 0, "0" * 32)
                values = data.get("exception") or []
                text = scrub_text(clean_event(data))
                if not values or not text:
                    continue
                seen.add(row["bug"])
                handled = (values[0].get("mechanism") or {}).get("handled")
                out.append({"org": f"{Path(path).stem}:{row['app']}", "text": text,
                            "type": str(values[0].get("type") or ""), "handled": handled,
                            "app": row["app"]})
    return out


def labels(specs: list[dict], seed: int) -> np.ndarray:
    """1 severe, 0 not, -1 no label: the simulated team's action through priority.triage's
    rule."""
    from priority import triage

    severe = {str(k) for k in triage.SEVERE}
    dismissed = {str(k) for k in triage.NOT_SEVERE} | {triage.UNOPENED}
    out = []
    for spec in specs:
        rng = random.Random(f"{seed}:{spec['org']}:{spec['text']}")
        act = severity_triage.action(spec["type"], spec["handled"], spec["app"], rng)
        out.append(1 if act in severe else 0 if act in dismissed else -1)
    return np.array(out)


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores)) if len(set(y.tolist())) == 2 else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpora", nargs="*",
                        default=[str(ROOT / "var" / "corpus" / "corpus-seed19.jsonl")])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--strength", type=float, default=None)
    parser.add_argument("--train-corpora", nargs="*", default=[],
                        help="more organisations, only ever trained on (never held out)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import django

    django.setup()
    from embeddings.encoder import current_spec, get_encoder
    from priority import learn, severity

    strength = learn.PRIOR_STRENGTH if args.strength is None else args.strength
    specs = issues(args.corpora)
    held = np.array([True] * len(specs) + [False] * len(extra := issues(args.train_corpora)))
    specs += extra
    version = current_spec().version
    prior = severity.default_head_for(version)
    x = np.asarray(get_encoder().encode([s["text"] for s in specs]), dtype=np.float32)
    orgs = np.array([s["org"] for s in specs])
    print(f"SIMULATED triage: {len(specs)} issues, {len(set(orgs))} organisations, "
          f"{len(set(orgs[held]))} of them held out in turn ({current_spec().name}; prior "
          f"strength {strength})")
    table = np.array([severity_triage.p_severe(s["type"], s["handled"], s["app"])
                      for s in specs])  # the simulation's own probabilities: the ceiling
    rows = {"default": [], "learned": [], "the triage table itself": []}
    per_org: dict[str, list[tuple[float, float]]] = {}
    for seed in args.seeds:
        y = labels(specs, seed)
        scored = {"default": [], "learned": [], "the triage table itself": [], "y": []}
        for org in sorted(set(orgs[held])):
            test = (orgs == org) & (y >= 0)
            train = (orgs != org) & (y >= 0)
            weights, bias = learn.fit(x[train], y[train], prior, strength)
            head = severity.Head(version, weights, bias, prior.threshold, "")
            for name, h in (("default", prior), ("learned", head)):
                scored[name].append(learn.scores_of(h, x[test]))
            scored["the triage table itself"].append(table[test])
            scored["y"].append(y[test])
            d = learn.measure(scored["default"][-1], y[test], prior.threshold)
            m = learn.measure(scored["learned"][-1], y[test], prior.threshold)
            per_org.setdefault(org, []).append((d["balanced_accuracy"],
                                                m["balanced_accuracy"]))
        y_all = np.concatenate(scored["y"])
        for name in rows:
            s_all = np.concatenate(scored[name])
            rows[name].append({**learn.measure(s_all, y_all, prior.threshold),
                               "auc": round(auc(s_all, y_all), 4)})
    print(f"held-out organisations, pooled, mean over triage seeds {args.seeds}:")
    print("| head | labelled issues | balanced accuracy | precision severe | recall severe "
          "| AUC |")
    print("|---|---|---|---|---|---|")
    for name, runs in rows.items():
        mean = {k: np.mean([r[k] for r in runs]) for k in runs[0]}
        print(f"| {name} | {mean['examples']:.0f} | {mean['balanced_accuracy']:.3f} | "
              f"{mean['precision']:.3f} | {mean['recall']:.3f} | {mean['auc']:.3f} |")
    print("per held-out organisation, balanced accuracy default → learned:")
    for org, pairs in sorted(per_org.items()):
        d, m = np.mean([p[0] for p in pairs]), np.mean([p[1] for p in pairs])
        print(f"  {org}: {d:.3f} → {m:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
