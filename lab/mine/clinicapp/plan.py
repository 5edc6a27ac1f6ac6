"""Which events to capture at each release: 3–4 per bug and release (4–5 for a bug present in
only two or three releases), each with its own drawn data and an entry point of its operation,
rotated so that every bug is reached through several."""

from __future__ import annotations

import hashlib
import random

from lab.mine.clinicapp.bugs import APP, BUGS, ENTRIES


def draw(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest(), 16)


def events(release: int) -> list[dict]:
    out = []
    for bug in BUGS:
        if release not in bug.releases:
            continue
        entries = bug.entries or ENTRIES[bug.op]
        least = 3 if len(bug.releases) == 4 else 4
        count = least + draw(APP, bug.id, release, "count") % 2
        offset = draw(APP, bug.id, "entry")
        for i in range(count):
            seed = draw(APP, bug.id, release, i)
            fixture, args, family = bug.make(random.Random(seed))
            out.append({"bug": bug.label, "op": bug.op, "seed": seed, "fixture": fixture,
                        "args": args, "family": family,
                        "entry": entries[(offset + release * count + i) % len(entries)]})
    return out
