"""What the severity score adds per new issue on CPU: the logistic head over the vector the
grouping worker already computed, plus the rule assessment (priority.severity, priority.rules).
The vectors are real (the served encoder embeds the replay scenario's texts first, untimed: the
worker has them already). Target: ≤ 5 ms per new issue.

    python bench/priority_latency.py [--rounds 20000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import django

    django.setup()
    from bench import priority_scenario as scenario
    from embeddings.encoder import current_spec, get_encoder
    from priority import rules, severity

    texts = [s.text for s in scenario.issues()]
    vectors = get_encoder().encode(texts)
    version = current_spec().version
    head = severity.default_head_for(version)  # the served head is one lookup; timed here: its use
    timings = []
    for n in range(args.rounds):
        vector = vectors[n % len(vectors)]
        start = time.perf_counter()
        score = severity.score(vector, version, head)
        rules.assess(rules.Signals(level="error", handled=None, severity=score))
        timings.append(time.perf_counter() - start)
    ms = np.array(timings) * 1000
    print(f"severity score + assessment per new issue ({args.rounds} rounds, "
          f"{vectors.shape[1]}-d vectors, CPU): p50 {np.percentile(ms, 50):.4f} ms, "
          f"p99 {np.percentile(ms, 99):.4f} ms, max {ms.max():.3f} ms (target ≤ 5 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
