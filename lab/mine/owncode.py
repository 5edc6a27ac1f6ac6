"""Mine the Go and Ruby applications whose faults are in their own code.

``python -m lab.mine.owncode [CODEBASE ...] [--out-dir DIR] [--stats]`` writes
``lab/corpus/go-shipyard.jsonl.zst`` and ``lab/corpus/ruby-lendlib.jsonl.zst`` (report-only,
never-seen) and ``lab/corpus/go-cronhook.jsonl.zst`` and ``lab/corpus/ruby-tallyhouse.jsonl.zst``
(choice codebases, pinned in training.mined.PINNED). The library
codebases of lab.mine.goruby fail at library call sites; these two fail in the application's own
code (nil dereferences, indexes, type assertions, nil maps, divisions, custom and wrapped errors
in Go; NoMethodError on nil, KeyError, TypeError, ZeroDivisionError, raised domain errors in
Ruby). They reuse goruby's build, run and label check (the tagged crash line of each release)
with four releases and their own plan, and tidy what differs run to run (event ids, times,
trace ids, the machine's CPU count and kernel) so that the same sources write the same bytes.

``jobs.txt``: ``BUG[@CAPTURE] [r=FIRST-LAST] JOB`` per line; ``@CAPTURE`` names the tagged line
that captures an error carrying no stack (Go), ``r=`` limits a job to some releases (an entry
point that only exists from release 4).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.corpus import is_report_only, read_rows, write_rows
from lab.mine.goruby import Codebase, crash_frame, fill, frame_path, materialise, run_jobs

CODEBASES = [
    Codebase("shipyard", "go", ("1.3.0", "1.4.0", "1.5.0", "2.0.0"),  # type: ignore[arg-type]
             "github.com/acmecorp/shipyard"),
    Codebase("lendlib", "ruby", ("0.8.0", "0.9.0", "1.0.0", "1.1.0")),  # type: ignore[arg-type]
    Codebase("cronhook", "go", ("0.6.0", "0.7.0", "0.8.0", "1.0.0"),  # type: ignore[arg-type]
             "github.com/acmecorp/cronhook"),
    Codebase("tallyhouse", "ruby", ("2.2.0", "2.3.0", "2.4.0", "3.0.0")),  # type: ignore[arg-type]
]
# the codebases that choose (pinned to choice in training.mined.PINNED); the others are report-only
CHOICE = ("cronhook", "tallyhouse")
EVENTS_PER_RELEASE = (2, 3)  # so 8 to 12 events per bug over the four releases
ADDRESS = re.compile(r"0x[0-9a-f]{12,16}")


@dataclass(frozen=True)
class Job:
    bug: str  # SITE[:CLASS]
    capture: str  # the tagged capture line of a stackless error, or ""
    first: int
    last: int
    template: str


def read_jobs(codebase: Codebase) -> list[Job]:
    jobs = []
    for raw in (codebase.source / "jobs.txt").read_text().splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        token, _, rest = raw.strip().partition(" ")
        first, last = 1, len(codebase.versions)
        if rest.startswith("r="):
            span, _, rest = rest.partition(" ")
            low, _, high = span[2:].partition("-")
            first, last = int(low), int(high or low)
        bug, _, capture = token.partition("@")
        jobs.append(Job(bug, capture, first, last, rest.strip()))
    return jobs


def plan(codebase: Codebase, release: int, jobs: list[Job]) -> list[tuple[Job, str]]:
    """(job, filled job) pairs for one release: 2-3 events per bug, its entry points rotating."""
    by_bug: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        if job.first <= release <= job.last:
            by_bug[job.bug].append(job)
    planned = []
    for bug, templates in by_bug.items():
        rng = random.Random(f"{codebase.name}/{bug}/{release}")
        for index in range(rng.randint(*EVENTS_PER_RELEASE)):
            job = templates[(index + release) % len(templates)]
            planned.append((job, fill(job.template, rng)))
    random.Random(f"{codebase.name}/{release}").shuffle(planned)
    return planned


def tidy(event: dict, codebase: Codebase, release: int, index: int) -> dict:
    """The event as sent, less what differs from run to run or machine to machine."""
    seed = f"{codebase.name}/{release}/{index}"
    event["event_id"] = hashlib.sha256(seed.encode()).hexdigest()[:32]
    event["timestamp"] = (f"2024-06-{release:02d}T{10 + index // 3600:02d}:"
                          f"{index // 60 % 60:02d}:{index % 60:02d}Z")
    contexts = event.get("contexts") or {}
    for key in ("trace", "device"):
        contexts.pop(key, None)
    if "runtime" in contexts:
        contexts["runtime"] = {k: v for k, v in contexts["runtime"].items()
                               if k in ("name", "version")}
    if "os" in contexts:
        contexts["os"] = {"name": contexts["os"].get("name")}
    for thread in event.get("threads", {}).get("values", []) if isinstance(
            event.get("threads"), dict) else event.get("threads") or []:
        thread.pop("id", None)
    # sentry-ruby names the thread an exception was raised on; which of a pool's threads took
    # a job is a race, so the id goes as the threads' ids do
    exceptions = event.get("exception") or {}
    for value in exceptions.get("values", []) if isinstance(exceptions, dict) else []:
        value.pop("thread_id", None)
    return json.loads(ADDRESS.sub("0x000055d5c0ffee00", json.dumps(event)))


def mine_release(codebase: Codebase, release: int, jobs: list[Job]) -> list[dict]:
    tree = materialise(codebase, release)
    planned = plan(codebase, release, jobs)
    events = run_jobs(codebase, release, [(job.bug, text) for job, text in planned])
    rows = []
    for index, ((job, text), event) in enumerate(zip(planned, events, strict=True)):
        site = job.capture or (job.bug if job.bug in tree.sites else job.bug.partition(":")[0])
        path, line = tree.sites[site]
        frame = crash_frame(event, codebase.root)
        got = frame and (frame_path(frame, codebase.root), frame["lineno"])
        if got != (str(codebase.root / path), line):
            raise SystemExit(f"{codebase.name} r{release} {job.bug} ({text}): crash frame {got},"
                             f" expected {path}:{line}")
        rows.append({"bug": f"{codebase.name}/{job.bug}", "app": codebase.name,
                     "platform": codebase.language, "split": "mined",
                     "release": event["release"], "event": tidy(event, codebase, release, index),
                     "job": text, "entry": text.partition(" ")[0],
                     "crash": {"file": path, "lineno": line, "function": frame["function"]}})
    return rows


def out_path(codebase: Codebase, folder: Path = CORPUS) -> Path:
    return folder / f"{codebase.language}-{codebase.name}.jsonl.zst"


def mine(codebase: Codebase, folder: Path = CORPUS) -> int:
    assert is_report_only(codebase.name) != (codebase.name in CHOICE), \
        f"{codebase.name}: report-only by name (lab.corpus) unless it is a choice codebase"
    jobs = read_jobs(codebase)
    rows = [row for release in range(1, len(codebase.versions) + 1)
            for row in mine_release(codebase, release, jobs)]
    return write_rows(out_path(codebase, folder), rows)


def stats(codebase: Codebase) -> str:
    rows = list(read_rows(out_path(codebase)))
    bugs = {row["bug"] for row in rows}
    entries = defaultdict(set)
    for row in rows:
        entries[row["bug"]].add(row["entry"])
    return (f"{codebase.language}-{codebase.name}: {len(bugs)} bugs, {len(rows)} events, "
            f"{len({row['release'] for row in rows})} releases, bugs with >= 2 entry points: "
            f"{sum(len(e) >= 2 for e in entries.values())}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codebases", nargs="*", help="names (default: all four)")
    parser.add_argument("--out-dir", type=Path, default=CORPUS, help="default lab/corpus")
    parser.add_argument("--stats", action="store_true", help="describe the committed files")
    options = parser.parse_args(argv)
    for codebase in CODEBASES:
        if options.codebases and codebase.name not in options.codebases:
            continue
        if options.stats:
            print(stats(codebase))
            continue
        print(f"{codebase.language}-{codebase.name}: {mine(codebase, options.out_dir)} events",
              flush=True)


if __name__ == "__main__":
    os.umask(0o022)
    main()
