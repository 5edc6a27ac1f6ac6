"""Alert overhead on event processing: the ingest benchmark's realistic events processed in
batches (INGEST_PROCESS_BATCH) into a project without alert rules and into one with every kind
of rule (new issue, regression, N in M minutes, ignore ended; the frequency rule is the worst
case: every batch records facts), alternating rounds on fresh projects.

Prints the processing time per event without and with rules (the outbox hook inside the
processing transaction), the evaluation task's time for the facts recorded (off the ingest
path, but still work), and both as a share of processing.

    .venv/bin/python bench/alerts.py [--events 4000 --rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid

from common import bench_ingest, services


def ingest_benchmark_events():
    """The ingest benchmark's event maker (bench/ingest.py; the name `ingest` is the app's)."""
    return bench_ingest().realistic_event


def make_project(with_rules: bool):
    from alerts.models import AlertDestination, AlertRule
    from monitor.models import Organization, Project

    org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}")
    project = Project.objects.create(organization=org, name="Shop", slug="shop",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    if with_rules:
        dest = AlertDestination.objects.create(project=project, name="hook", kind="webhook",
                                               config={"url": "https://example.com/"},
                                               enabled=False)
        for trigger in ("new_issue", "regression", "frequency", "ignore_ended"):
            rule = AlertRule.objects.create(project=project, name=trigger, trigger=trigger,
                                            threshold=100, window_minutes=60)
            rule.destinations.add(dest)
    return project


def load_raw(project, events: list[bytes]) -> None:
    from ingest.accept import store_raw_event

    for payload in events:
        store_raw_event(project.id, uuid.uuid4(), "event", payload)


class HookTimer:
    """Times alerts.outbox.record where processing calls it, and its after-commit wake-up (their
    own cost, measured inside the same runs, so machine noise between rounds does not blur it)."""

    def __init__(self):
        from ingest import processing

        self.module, self.original, self.seconds = processing, processing.alert_outbox.record, 0.0

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        def timed_wake(original=processing.alert_outbox.wake):
            started = time.perf_counter()
            try:
                return original()
            finally:
                self.seconds += time.perf_counter() - started

        self.module.alert_outbox.record = timed
        self.module.alert_outbox.wake = timed_wake  # the after-commit wake-up counts too


def process_all(hook: HookTimer) -> tuple[float, float]:
    from django.conf import settings

    from ingest.processing import process_pending

    before = hook.seconds
    started = time.perf_counter()
    while process_pending(settings.INGEST_PROCESS_BATCH):
        pass
    return time.perf_counter() - started, hook.seconds - before


def evaluate_all() -> tuple[float, int]:
    from alerts.evaluate import evaluate_pending
    from alerts.models import AlertFact

    facts = AlertFact.objects.count()
    started = time.perf_counter()
    while evaluate_pending()[0]:
        pass
    return time.perf_counter() - started, facts


def round_(events: list[bytes], with_rules: bool, hook: HookTimer) -> dict:
    from monitor.models import Issue
    from monitor.state import resolve

    project = make_project(with_rules)
    half = len(events) // 2
    load_raw(project, events[:half])
    first, hook_first = process_all(hook)
    # resolve everything: the next half regresses every issue (regression facts)
    resolve(Issue.objects.filter(project=project))
    evaluated_first, facts_first = evaluate_all()
    load_raw(project, events[half:])
    second, hook_second = process_all(hook)
    evaluated, facts = evaluate_all()
    return {"process": first + second, "hook": hook_first + hook_second,
            "evaluate": evaluated_first + evaluated, "facts": facts_first + facts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with services("faultline_bench_alerts"):
        make = ingest_benchmark_events()
        events = [json.dumps(make(i)).encode() for i in range(args.events)]
        hook = HookTimer()
        round_(events[:400], False, hook)  # warm-up
        round_(events[:400], True, hook)
        results: dict[bool, list[dict]] = {False: [], True: []}
        for n in range(args.rounds):
            for with_rules in (False, True) if n % 2 == 0 else (True, False):  # ABBA order
                results[with_rules].append(round_(events, with_rules, hook))

        def median(with_rules: bool, key: str) -> float:
            return statistics.median(r[key] for r in results[with_rules])

        base, with_rules = median(False, "process"), median(True, "process")
        hook_time, evaluate = median(True, "hook"), median(True, "evaluate")
        per = 1e6 / args.events
        print(f"events per round           {args.events} ({args.rounds} rounds each, median)")
        print(f"processing, no rules       {base * per:8.1f} µs/event"
              f"  (of which the outbox hook {median(False, 'hook') * per:.1f})")
        print(f"processing, all rules      {with_rules * per:8.1f} µs/event"
              f"  (of which the outbox hook {hook_time * per:.1f};"
              f" end-to-end difference {100 * (with_rules - base) / base:+.1f}%)")
        print(f"outbox hook                {100 * hook_time / with_rules:8.1f} % of processing")
        print(
            f"evaluation task            {evaluate * per:8.1f} µs/event"
            f"  ({median(True, 'facts'):.0f} facts; {100 * evaluate / base:.1f}% of processing)"
        )
        total = 100 * (hook_time + evaluate) / base
        print(
            f"alerting overall           {total:8.1f} % of processing (hook + evaluation; "
            f"target ≤ 5%)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
