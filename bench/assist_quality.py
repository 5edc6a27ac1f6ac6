"""Quality and latency of AI issue summaries on the labelled set (assist.evalset): does the
answer name the right exception, location and cause? Prints one line per bug and the totals,
and the same score for a no-model baseline (the error line and crash frame the page already
shows) so the model's own contribution is visible.

    .venv/bin/python bench/assist_quality.py                    # the packaged local model
    ASSIST_BACKEND=openai ASSIST_OPENAI_URL=... ASSIST_OPENAI_MODEL=... .venv/bin/python \
        bench/assist_quality.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from common import ROOT  # noqa: F401  (puts the project on sys.path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N cases only")
    parser.add_argument("--max-new-tokens", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads")
    parser.add_argument("--verbose", action="store_true", help="print every answer")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitor.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://unused@127.0.0.1:1/unused")  # no DB used
    import django

    django.setup()
    from django.conf import settings

    from assist import evalset, gate, prompt
    from assist.backends import BackendError, get_backend
    from assist.parse import JunkAnswer, parse
    from assist.service import _scrubbed

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    max_tokens = args.max_new_tokens or settings.ASSIST_MAX_NEW_TOKENS
    cases = evalset.cases()[: args.limit or None]
    parts = gate.allowed_parts(frozenset(gate.PART_CATEGORIES["context_lines"])
                               | {"error_messages", "dom_interactions"})  # fmt: skip
    loaded = time.perf_counter()
    backend = get_backend()
    print(f"backend {backend.name}, model {backend.model_name}, loaded in "
          f"{time.perf_counter() - loaded:.1f} s; {len(cases)} bugs, max_new_tokens "
          f"{max_tokens}", flush=True)  # fmt: skip
    scores, baseline, latencies, tokens, junk, failed = [], [], [], 0, 0, 0
    for case in cases:
        built = prompt.build(case.event, "", [], parts)
        messages = _scrubbed(built.messages)
        started = time.perf_counter()
        text, note = "", ""
        try:
            completion = backend.complete(
                messages, max_tokens, float(settings.ASSIST_TIMEOUT_SECONDS),
                answer_start=prompt.answer_start(case.event, parts) if backend.name == "local"
                else "")  # fmt: skip
            tokens += completion.completion_tokens
            answer = parse(completion.text)
            text = " ".join((answer.summary, answer.cause, answer.fix))
        except JunkAnswer as exc:
            junk, note = junk + 1, f"junk: {exc}"
        except BackendError as exc:
            failed, note = failed + 1, f"failed: {exc}"
        latencies.append(time.perf_counter() - started)
        score = evalset.score(case, text)
        scores.append(score)
        trace = prompt.trace_text(case.event, parts).splitlines()
        shown = " ".join([prompt.message_text(case.event, "", parts), *trace[1:2]])
        baseline.append(evalset.score(case, shown))
        marks = "".join(m if ok else "." for m, ok in zip("ELC", (score.exception,
                        score.location, score.cause), strict=True))  # fmt: skip
        print(f"  {marks} {latencies[-1]:5.1f} s  {case.bug:<30} {note}", flush=True)
        if args.verbose and text:
            print(f"        {text}")
    n = len(scores)

    def rate(items, field):
        return sum(getattr(s, field) for s in items) / n

    print(f"\n{n} bugs: exception {rate(scores, 'exception'):.2f}, location "
          f"{rate(scores, 'location'):.2f}, cause {rate(scores, 'cause'):.2f}, all three "
          f"{rate(scores, 'all'):.2f}; unusable answers {junk}, backend failures {failed}")
    print(f"baseline (error line + crash frame, no model): exception "
          f"{rate(baseline, 'exception'):.2f}, location {rate(baseline, 'location'):.2f}, "
          f"cause {rate(baseline, 'cause'):.2f}, all three {rate(baseline, 'all'):.2f}")
    total = sum(latencies)
    print(f"latency per summary: p50 {statistics.median(latencies):.1f} s, max "
          f"{max(latencies):.1f} s, mean {total / n:.1f} s; {tokens / total:.1f} generated "
          f"tokens/s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
