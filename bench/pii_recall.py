"""Recall of the training-set PII scrubber (consent.pii) on a seeded corpus: PII values planted
in realistic stack traces and messages, counted as removed when the value is gone.

    .venv/bin/python bench/pii_recall.py --per-kind 200
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from common import ROOT  # noqa: F401  (puts the project on sys.path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=200)
    args = parser.parse_args()
    from consent.pii import scrub_text
    from evaluation.pii_corpus import corpus

    samples = corpus(args.per_kind)
    scrub_text("warm up")
    started = time.perf_counter()
    missed: Counter = Counter()
    kept_structure = 0
    for sample in samples:
        out = scrub_text(sample.text)
        if sample.secret in out:
            missed[sample.kind] += 1
        kept_structure += "in checkout" in out and "cart.average_price()" in out
    seconds = time.perf_counter() - started
    total = len(samples)
    print(f"{total} seeded values in {total} texts, {total / seconds:.0f} texts/s")
    for kind in sorted({s.kind for s in samples}):
        n = sum(1 for s in samples if s.kind == kind)
        print(f"  {kind:<13} recall {1 - missed[kind] / n:.3f}")
    print(f"overall recall {1 - sum(missed.values()) / total:.4f}; "
          f"code lines left intact in {kept_structure / total:.1%} of texts")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
