"""Recall, precision and speed of the PII scrubber (consent.pii.scrub_text) on the independent
corpus (lab/generate/pii_corpus_v2.py): per kind, recall (the value leaves no 4+ character piece
behind), precision (share of detected spans that lie on the planted value) and, over code lines
without personal data, the share left unchanged. Speed is given as wall-clock texts/s and as
texts per CPU-second (what one uncontended core does; the machine may be shared).

    .venv/bin/python bench/pii_recall.py --per-kind 200 --seed 2
    .venv/bin/python bench/pii_recall.py --corpus v1 --per-kind 200   # the original corpus
    .venv/bin/python bench/pii_recall.py --hostile   # seconds per hostile 200,000-character text
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from common import ROOT  # noqa: F401  (puts the project on sys.path)


def _v2(per_kind: int, seed: int) -> int:
    from consent.pii import find_spans, scrub_text
    from lab.generate.pii_corpus_v2 import code_lines, corpus, leaked

    samples = corpus(per_kind, seed)
    scrub_text("warm up: customer 'Maria Gonzalez' in Berlin")
    wall, cpu = time.perf_counter(), time.process_time()
    outputs = [scrub_text(sample.text) for sample in samples]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    total, missed, hits, spans = Counter(), Counter(), Counter(), Counter()
    for sample, out in zip(samples, outputs, strict=True):
        total[sample.kind] += 1
        missed[sample.kind] += leaked(sample, out)
        start = sample.text.find(sample.value)
        end = start + len(sample.value)
        for span in find_spans(sample.text):
            spans[sample.kind] += 1
            hits[sample.kind] += span.start < end and span.end > start
    lines = code_lines()
    changed = [line.text for line in lines if scrub_text(line.text) != line.text]

    print(f"corpus v2, seed {seed}: {len(samples)} texts, {len(total)} kinds")
    print(f"speed: {len(samples) / wall:.0f} texts/s wall clock, "
          f"{len(samples) / cpu:.0f} texts per CPU-second")
    print(f"{'kind':<15} {'recall':>7} {'precision':>9}")
    for kind in total:
        precision = hits[kind] / spans[kind] if spans[kind] else 1.0
        print(f"{kind:<15} {1 - missed[kind] / total[kind]:>7.3f} {precision:>9.3f}")
    overall = 1 - sum(missed.values()) / len(samples)
    print(f"overall recall {overall:.4f}; precision {sum(hits.values()) / sum(spans.values()):.4f}")
    print(f"code lines unchanged: {len(lines) - len(changed)}/{len(lines)} "
          f"({1 - len(changed) / len(lines):.1%})")
    for line in changed:
        print(f"  changed: {line}")
    return 0


def _v1(per_kind: int, seed: int) -> int:
    from consent.pii import scrub_text
    from lab.generate.pii_corpus import corpus

    samples = corpus(per_kind, seed)
    scrub_text("warm up")
    started = time.perf_counter()
    missed: Counter = Counter()
    for sample in samples:
        missed[sample.kind] += sample.secret in scrub_text(sample.text)
    seconds = time.perf_counter() - started
    print(f"corpus v1: {len(samples)} texts, {len(samples) / seconds:.0f} texts/s")
    for kind in sorted({s.kind for s in samples}):
        n = sum(1 for s in samples if s.kind == kind)
        print(f"  {kind:<13} recall {1 - missed[kind] / n:.3f}")
    print(f"overall recall {1 - sum(missed.values()) / len(samples):.4f}")
    return 0


# Texts built to make a recognizer work hard: number and date shapes, birth-date names, phones.
HOSTILE = {
    "digits and spaces": "1 " * 100_000,
    "grouped US numbers": "415-555-2671 " * 15_000,
    "parenthesised area codes": "(415) 555-" * 20_000,
    "birth-date names and dates": "dob 17.03.1984 " * 13_000,
    "birth-date names alone": "dob " * 50_000,
    "one long digit run": "1234567890" * 20_000,
}


def _hostile() -> int:
    """Seconds (wall clock and CPU) to scrub each hostile text of about 200,000 characters."""
    from consent.pii import scrub_text

    scrub_text("warm up: customer 'Maria Gonzalez' in Berlin, (415) 555-2671, dob 1984-03-17")
    for name, text in HOSTILE.items():
        wall, cpu = time.perf_counter(), time.process_time()
        scrub_text(text)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{name:<28} {len(text):>7} chars  {wall:6.2f} s wall  {cpu:6.2f} s CPU")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2, help="2 is the check seed, 1 the dev seed")
    parser.add_argument("--corpus", choices=["v1", "v2"], default="v2")
    parser.add_argument("--hostile", action="store_true", help="time hostile texts instead")
    args = parser.parse_args()
    if args.hostile:
        return _hostile()
    if args.corpus == "v1":
        return _v1(args.per_kind, 17 if args.seed == 2 else args.seed)
    return _v2(args.per_kind, args.seed)


if __name__ == "__main__":
    sys.exit(main())
