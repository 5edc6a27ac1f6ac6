"""Quality and latency of AI issue summaries on the labelled set (assist.evalset, labels in
bench/data/assist_bugs.json): does the answer name the right exception, location, cause, and a
fix a reviewer would accept? With the grounding check on (assist.grounding): a refused answer is
not shown, and counts as nothing. Prints one line per bug, the totals, the refusal rate, and the
same score for the no-model baseline (the brief, assist.brief, which is what the card shows
without a model), and the verdict: a backend may be the default only where its shown answers
beat the brief on cause and on fix.

    .venv/bin/python bench/assist_quality.py --backend none      # the brief alone (seconds)
    .venv/bin/python bench/assist_quality.py --backend local     # the packaged local model
    ASSIST_OPENAI_URL=... ASSIST_OPENAI_MODEL=... .venv/bin/python bench/assist_quality.py \
        --backend openai
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter

from common import ROOT  # noqa: F401  (puts the project on sys.path)

FIELDS = ("exception", "location", "cause", "fix")


def rates(scores: list, n: int) -> str:
    return ", ".join(f"{f} {sum(getattr(s, f) for s in scores) / n:.2f}" for f in FIELDS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=os.environ.get("ASSIST_BACKEND", "local"),
                        choices=["none", "local", "openai"])
    parser.add_argument("--offset", type=int, default=0, help="skip the first N cases")
    parser.add_argument("--limit", type=int, default=0, help="N cases only")
    parser.add_argument("--platform", default="", help="py, js or java only")
    parser.add_argument("--max-new-tokens", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads")
    parser.add_argument("--verbose", action="store_true", help="print every answer")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://unused@127.0.0.1:1/unused")  # no DB used
    os.environ["ASSIST_BACKEND"] = args.backend
    import django

    django.setup()
    from django.conf import settings

    from assist import brief, evalset, gate, grounding, prompt
    from assist.backends import BackendError, get_backend
    from assist.parse import JunkAnswer, parse
    from assist.service import _scrubbed

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    max_tokens = args.max_new_tokens or settings.ASSIST_MAX_NEW_TOKENS
    cases = [c for c in evalset.cases() if not args.platform or c.platform == args.platform]
    cases = cases[args.offset:][: args.limit or None]
    categories = frozenset(gate.PART_CATEGORIES["context_lines"]) | {"error_messages",
                                                                      "dom_interactions"}
    parts = gate.allowed_parts(categories)
    backend = None
    if args.backend != "none":
        loaded = time.perf_counter()
        backend = get_backend()
        print(f"backend {backend.name}, model {backend.model_name}, loaded in "
              f"{time.perf_counter() - loaded:.1f} s", flush=True)
    print(f"{len(cases)} bugs ({dict(Counter(c.platform for c in cases))}), max_new_tokens "
          f"{max_tokens}, grounding check on", flush=True)
    raw, shown, baseline, latencies = [], [], [], []
    tokens, junk, failed, refusals = 0, 0, 0, Counter()
    for case in cases:
        the_brief = brief.compose(case.event, None, [], categories)
        baseline.append(evalset.score(case, the_brief.text, fix_text=""))
        if backend is None:
            print(f"  {case.bug:<34} brief: {the_brief.text.splitlines()[0][:70]}")
            continue
        built = prompt.build(case.event, "", [], parts)
        messages = _scrubbed(built.messages)
        started = time.perf_counter()
        text, fix, note, grounded = "", "", "", False
        try:
            completion = backend.complete(
                messages, max_tokens, float(settings.ASSIST_TIMEOUT_SECONDS),
                answer_start=prompt.answer_start(case.event, parts) if backend.name == "local"
                else "")
            tokens += completion.completion_tokens
            answer = parse(completion.text)
            text, fix = " ".join((answer.summary, answer.cause, answer.fix)), answer.fix
            corpus = messages[-1]["content"] + "\n" + the_brief.text
            reasons = grounding.check(answer, corpus, case.event.get("contexts"))
            grounded = not reasons
            if reasons:
                note = "refused: " + reasons[0]
                refusals[reasons[0].split(" names ")[0].split(":")[0]] += 1
        except JunkAnswer as exc:
            junk, note = junk + 1, f"junk: {exc}"
        except BackendError as exc:
            failed, note = failed + 1, f"failed: {exc}"
        latencies.append(time.perf_counter() - started)
        score = evalset.score(case, text, fix_text=fix)
        raw.append(score)
        shown.append(score if grounded else evalset.Score(False, False, False, False))
        marks = "".join(m if getattr(score, f) else "." for m, f in zip("ELCF", FIELDS,
                                                                          strict=True))
        print(f"  {marks} {latencies[-1]:5.1f} s  {case.bug:<34} {note}", flush=True)
        if args.verbose and text:
            print(f"        {text}")
    n = len(cases)
    print(f"\nbaseline, the brief (no model): {rates(baseline, n)}")
    if backend is None:
        return 0
    print(f"{backend.model_name}, every parsed answer: {rates(raw, n)}")
    print(f"{backend.model_name}, shown (grounded) answers: {rates(shown, n)}")
    used = n - junk - failed
    print(f"refused by the grounding check: {sum(refusals.values())} of {used} parsed answers "
          f"({sum(refusals.values()) / max(used, 1):.2f}) {dict(refusals)}; unusable {junk}, "
          f"backend failures {failed}")
    total = sum(latencies)
    print(f"latency per summary: p50 {statistics.median(latencies):.1f} s, max "
          f"{max(latencies):.1f} s, mean {total / n:.1f} s; {tokens / total:.1f} generated "
          f"tokens/s")

    def rate(items, field):
        return sum(getattr(s, field) for s in items) / n

    beats = all(rate(shown, f) > rate(baseline, f) for f in ("cause", "fix"))
    print(f"verdict: {'beats' if beats else 'does not beat'} the brief on cause and fix"
          f" -> {'may be' if beats else 'must not be'} the default")
    return 0


if __name__ == "__main__":
    sys.exit(main())
