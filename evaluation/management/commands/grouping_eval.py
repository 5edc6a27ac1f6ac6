"""Measure grouping quality on a labelled dataset (JSON lines of {"bug": id, "event": {...}}).

Reports, for fingerprinting and for ML grouping across thresholds: issues created, pairwise
precision/recall and B-cubed precision/recall/F1, overall and per platform family; writes a PNG
of the precision/recall trade-off. `--replay` also runs the events through the real pipeline
(raw events → processing → embeddings worker → pgvector) into a fresh project.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from evaluation import metrics as evaluation
from grouping import ml

DEFAULT_THRESHOLDS = "0.02,0.04,0.06,0.08,0.10,0.12,0.14,0.16,0.18,0.20,0.25,0.30"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="events with bug ids, or pairs with --pairs")
        parser.add_argument(
            "--pairs", action="store_true", help="labelled pairs (label_pairs --export)"
        )
        parser.add_argument("--thresholds", default=DEFAULT_THRESHOLDS)
        parser.add_argument("--plot", default="var/grouping_eval.png")
        parser.add_argument(
            "--replay", action="store_true", help="also replay through the database"
        )
        parser.add_argument(
            "--threshold", type=float, default=None, help="for --replay (default: per platform)"
        )

    def handle(self, *args, **options):
        path = Path(options["dataset"])
        if not path.exists():
            raise CommandError(
                f"{path} does not exist (python -m evaluation.devset.generate {path})"
            )
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if options["pairs"]:
            return self.pairs(rows, [float(t) for t in options["thresholds"].split(",")])
        data = evaluation.prepare(rows)
        from embeddings.encoder import get_encoder

        started = time.perf_counter()
        vectors = get_encoder().encode(data.texts)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{len(rows)} events, {len(set(data.labels))} bugs; embedded {len(rows)} texts in "
            f"{seconds:.1f} s ({len(rows) / seconds:.0f}/s) on {get_encoder().device}"
        )
        thresholds = [float(t) for t in options["thresholds"].split(",")]
        naive = get_encoder().encode(evaluation.naive_texts(data))
        results = self.table("all", data, vectors, thresholds, naive)
        for family in sorted(set(data.families)):
            part, keep = evaluation.subset(data, family)
            self.table(family, part, vectors[keep], thresholds, naive[keep])
        self.plot(results, options["plot"])
        if options["replay"]:
            self.replay(rows, data, options["threshold"])

    def pairs(self, rows, thresholds):
        from embeddings.encoder import get_encoder
        from grouping.clean import clean_event, match_key
        from ingest.normalize import normalize_event

        def norm(event, i):
            return normalize_event(event, 1_700_000_000.0, f"{i:032x}")

        a = [norm(row["a"], i) for i, row in enumerate(rows)]
        b = [norm(row["b"], i) for i, row in enumerate(rows)]
        encoder = get_encoder()
        va = encoder.encode([clean_event(e) for e in a])
        vb = encoder.encode([clean_event(e) for e in b])
        distances = 1.0 - np.sum(va * vb, axis=1)
        keys_equal = [match_key(x) == match_key(y) for x, y in zip(a, b, strict=True)]
        labels = [bool(row["same"]) for row in rows]
        self.stdout.write(f"{len(rows)} labelled pairs ({sum(labels)} same)")
        self.stdout.write(f"{'threshold':>9} {'precision':>9} {'recall':>7}")
        for threshold, scores in zip(
            thresholds,
            evaluation.score_pairs(labels, keys_equal, distances, thresholds),
            strict=True,
        ):
            self.stdout.write(f"{threshold:>9.2f} {scores.precision:>9.3f} {scores.recall:>7.3f}")

    def line(self, name, threshold, scores):
        self.stdout.write(
            f"{name:<12} {threshold:>9} {scores.issues:>6} {scores.issues_per_bug:>7.2f} "
            f"{scores.pairwise_precision:>7.3f} {scores.pairwise_recall:>7.3f} "
            f"{scores.bcubed_precision:>7.3f} {scores.bcubed_recall:>7.3f} {scores.bcubed_f1:>7.3f}"
        )

    def table(self, title, data, vectors, thresholds, naive):
        self.stdout.write(f"\n[{title}] {len(data.labels)} events, {len(set(data.labels))} bugs")
        self.stdout.write(
            f"{'method':<12} {'threshold':>9} {'issues':>6} {'x bugs':>7} {'pair-P':>7} "
            f"{'pair-R':>7} {'B3-P':>7} {'B3-R':>7} {'B3-F1':>7}"
        )
        fingerprint = evaluation.score(data.labels, data.hashes)
        self.line("fingerprint", "-", fingerprint)
        results = [("fingerprint", None, fingerprint)]
        for threshold in thresholds:
            scores = evaluation.score(data.labels, evaluation.simulate_ml(data, vectors, threshold))
            self.line("ml", f"{threshold:.2f}", scores)
            results.append(("ml", threshold, scores))
        defaults = evaluation.score(
            data.labels, evaluation.simulate_ml(data, vectors, ml.DEFAULT_THRESHOLDS)
        )
        self.line("ml", "platform", defaults)
        for threshold in thresholds[:: max(1, len(thresholds) // 3)]:
            scores = evaluation.score(
                data.labels, evaluation.simulate_ml(data, naive, threshold, gate=False)
            )
            self.line("naive", f"{threshold:.2f}", scores)
        return results

    def plot(self, results, target):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ml = [(t, s) for name, t, s in results if name == "ml"]
        fp = next(s for name, _, s in results if name == "fingerprint")
        fig, ax = plt.subplots(figsize=(6, 4.5))
        ax.plot([s.pairwise_recall for _, s in ml], [s.pairwise_precision for _, s in ml],
                marker="o", label="ML (pairwise)")  # fmt: skip
        ax.plot([s.bcubed_recall for _, s in ml], [s.bcubed_precision for _, s in ml],
                marker="s", label="ML (B-cubed)")  # fmt: skip
        for threshold, s in ml:
            ax.annotate(f"{threshold:.2f}", (s.pairwise_recall, s.pairwise_precision), fontsize=7)
        ax.scatter([fp.pairwise_recall], [fp.pairwise_precision], color="black", marker="x",
                   label="fingerprint (pairwise)", zorder=5)  # fmt: skip
        ax.axhline(0.98, color="grey", linestyle=":", label="precision target 0.98")
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_title("Grouping: precision / recall by threshold")
        ax.legend(loc="lower left", fontsize=8)
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(target, dpi=120, bbox_inches="tight")
        self.stdout.write(f"\nplot written to {target}")

    def replay(self, rows, data, threshold):
        from grouping import ml
        from ingest.accept import store_raw_event
        from ingest.processing import process_pending
        from monitor.models import Event, Organization, Project

        slug = f"eval-{uuid.uuid4().hex[:8]}"
        org = Organization.objects.create(name=slug, slug=slug)
        project = Project.objects.create(
            organization=org, name=slug, slug=slug, grouping_mode=Project.GroupingMode.ML,
            grouping_threshold=threshold,
        )  # fmt: skip
        ids = []
        started = time.perf_counter()
        for row in rows:
            event_id = uuid.uuid4()
            ids.append(event_id)
            store_raw_event(project.id, event_id, "event", json.dumps(row["event"]).encode())
            # decide in arrival order, as a live stream would
            while process_pending(100):
                pass
            ml.drain(wait_ms=0)
        seconds = time.perf_counter() - started
        issue_of = dict(Event.objects.filter(project=project).values_list("event_id", "issue_id"))
        scores = evaluation.score(data.labels, [issue_of[i] for i in ids])
        self.stdout.write(f"\n[replay through the database, project {project.id}, "
                          f"{len(rows) / seconds:.0f} events/s]")  # fmt: skip
        self.line("ml-replay", f"{threshold if threshold is not None else 'default'}", scores)
