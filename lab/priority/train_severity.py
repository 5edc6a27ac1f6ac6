"""Train the severity head (priority/severity_head.json) on public, generated events.

    python -m lab.priority.train_severity CORPUS.jsonl [CORPUS.jsonl ...] [--out PATH]

The corpora are those `lab.generate.corpus.generate` writes (public code, fixed seeds). Each
event's label comes from its exception type alone, through the table below, written for this
purpose and never read by the priority code: a *defect* (the code is wrong: TypeError,
IndexError, a null dereference, a failed assertion...) is severe, an *operational* error (a
timeout, a refused connection, input that failed validation, a missing record, a rate limit) is
not; types in neither list are left out. The head learns this from the embedding of the whole
cleaned stack trace (type, message, frames), so it also scores types the table never names.

Texts are deduplicated, and quality is reported leave-one-app-out (every app's events scored by
a head trained without that app), so the figure says how it does on code it has not seen.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

DEFECT = ("typeerror", "attributeerror", "nameerror", "keyerror", "indexerror", "valueerror",
          "zerodivision", "assertion", "recursion", "unboundlocal", "referenceerror",
          "rangeerror", "nullpointer", "classcast", "arrayindexoutofbounds",
          "illegalstate", "illegalargument", "arithmetic", "numberformat", "concurrentmod",
          "unsupportedoperation", "notimplemented", "syntaxerror", "overflow", "memoryerror",
          "segmentation", "panic", "nomethoderror", "stackoverflow", "coercion", "decimal")
OPERATIONAL = ("timeout", "timedout", "connection", "refused", "unavailable", "network",
               "validation", "notfound", "doesnotexist", "permission", "forbidden",
               "unauthorized", "ratelimit", "throttl", "toomanyrequests", "conflict",
               "cancel", "abort", "httperror", "socket", "ioexception", "oserror", "fetcherror",
               "quota", "retry", "busy")


def label_of(exception_type: str) -> int | None:
    """1 defect, 0 operational, None neither (left out). Operational wins a tie ("TimeoutError"
    is operational although it ends in "error")."""
    name = exception_type.lower().replace("_", "")
    if any(word in name for word in OPERATIONAL):
        return 0
    if any(word in name for word in DEFECT):
        return 1
    return None


def served_rules():
    """The grouping rules in the configured model's text shape: the shipped model's manifest
    lays its frames, lines and messages over them (grouping.policy.of_model), as the grouping
    worker embeds for it; another configured model has none."""
    from embeddings import shipped
    from embeddings.encoder import uses_shipped
    from grouping import rules
    from grouping.policy import frames_of, shaped, shapes_of

    if not uses_shipped():
        return rules.CURRENT
    choices = shipped.load().choices
    return shaped(rules.CURRENT, frames_of(choices), shapes_of(choices))


def rows(paths: list[str]):
    """(app, text, label) for every labelled event, the text as the grouping worker embeds it
    for the configured model."""
    from grouping.policy import event_text
    from ingest.normalize import normalize_event

    served = served_rules()
    for path in paths:
        with open(path) as handle:
            for line in handle:
                row = json.loads(line)
                data = normalize_event(row["event"], 0, "0" * 32)
                values = data.get("exception") or []
                if not values:
                    continue
                # the root cause (the first of a chain): a wrapper such as ServiceError says
                # nothing of what went wrong
                label = next((lab for v in values
                              if (lab := label_of(str(v.get("type") or ""))) is not None), None)
                text = event_text(data, served)
                if label is not None and text:
                    yield row.get("app", ""), text, label


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(x, y)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpora", nargs="+")
    parser.add_argument("--out", default=str(Path(__file__).parents[2] / "priority"
                                             / "severity_head.json"))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    import django

    django.setup()
    from embeddings.encoder import current_spec, get_encoder

    unique: dict[tuple[str, str], int] = {}
    for app, text, label in rows(args.corpora):
        unique.setdefault((app, text), label)
    apps = np.array([a for a, _ in unique])
    texts = [t for _, t in unique]
    y = np.array(list(unique.values()))
    x = get_encoder().encode(texts)
    print(f"{len(texts)} distinct texts from {len(set(apps))} apps; "
          f"{int(y.sum())} defect, {int((1 - y).sum())} operational", file=sys.stderr)
    scores = np.zeros(len(y))
    for app in sorted(set(apps)):
        held = apps == app
        if len(set(y[~held])) < 2:
            continue
        scores[held] = fit(x[~held], y[~held]).predict_proba(x[held])[:, 1]
    per_app = defaultdict(list)
    for app, s, label in zip(apps, scores, y, strict=True):
        per_app[app].append((s >= 0.5) == label)
    accuracy = float(np.mean((scores >= 0.5) == y))
    tp = int(((scores >= 0.5) & (y == 1)).sum())
    precision = tp / max(1, int((scores >= 0.5).sum()))
    recall = tp / max(1, int(y.sum()))
    print(f"leave-one-app-out: accuracy {accuracy:.3f}, severe precision {precision:.3f}, "
          f"recall {recall:.3f}", file=sys.stderr)
    for app, hits in sorted(per_app.items()):
        print(f"  {app}: {np.mean(hits):.3f} ({len(hits)})", file=sys.stderr)
    model = fit(x, y)
    spec = current_spec()
    head = {
        "model_name": spec.name,
        "model_version": spec.version,
        "dimension": int(x.shape[1]),
        "weights": [round(float(w), 6) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 6),
        "threshold": 0.5,
        "trained_on": (f"{len(texts)} distinct stack-trace texts of {len(set(apps))} apps of the "
                       f"generated corpora ({', '.join(Path(p).name for p in args.corpora)}); "
                       "label: the exception type is a code defect (1) or an operational error "
                       "(0), lab/priority/train_severity.py"),
        "leave_one_app_out": {"accuracy": round(accuracy, 3), "precision": round(precision, 3),
                              "recall": round(recall, 3)},
    }
    Path(args.out).write_text(json.dumps(head) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
