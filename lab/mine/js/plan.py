"""Which events to capture: per bug 3 to 12 events over the releases where it fails, each with
what varies in real traffic drawn per event (the bad input's family and sample, the entry point
among the 1-3 that reach the bug). Seeded by the bug's id, so a run is reproducible."""

from __future__ import annotations

import random

from lab.mine.js.label import Bug

NODE_ENTRIES = ("express", "koa", "http", "worker", "cli")
BROWSER_ENTRIES = ("click", "timer", "promise", "caught")


def events_per_release(bug: Bug, rng: random.Random) -> dict[int, int]:
    releases = sorted(bug.families)
    total = max(3, min(12, rng.randint(4, 9)), len(releases))
    counts = {r: total // len(releases) for r in releases}
    for r in releases[: total % len(releases)]:
        counts[r] += 1
    return counts


def triggers(
    bugs: list[Bug], inputs: dict[tuple, object], entries: tuple[str, ...],
) -> dict[int, list[dict]]:
    """release -> triggers {id, bug, entry, route, field, family, n, input}, shuffled per release
    (so that no two events of one bug follow each other, as the SDK's dedupe would drop them)."""
    per_release: dict[int, list[dict]] = {}
    for bug in bugs:
        rng = random.Random(bug.id)
        reach = rng.sample(entries, rng.randint(1, min(3, len(entries))))
        for release, count in events_per_release(bug, rng).items():
            for _ in range(count):
                family = rng.choice(bug.families[release])
                n = rng.randint(1, 4)
                per_release.setdefault(release, []).append({
                    "bug": bug.id, "entry": rng.choice(reach), "route": bug.route,
                    "field": bug.field, "family": family, "n": n,
                    "input": inputs[(release, bug.route, bug.field, family, n)],
                })
    for release, items in per_release.items():
        random.Random(f"order/{release}/{len(items)}").shuffle(items)
        for i, item in enumerate(items):
            item["id"] = f"r{release}-{i}"
    return per_release


def inputs_of(discovered: dict[int, dict]) -> dict[tuple, object]:
    return {(release, t["route"], t["field"], t["family"], t["n"]): t["input"]
            for release, found in discovered.items() for t in found["tries"] if t["field"]}
