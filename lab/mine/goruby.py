"""Mine the Go and Ruby codebases: build each release, run its jobs, keep what the SDK sent.

``python -m lab.mine.goruby [CODEBASE ...] [--force]`` writes ``lab/corpus/go-<codebase>``
and ``lab/corpus/ruby-<codebase>.jsonl.zst``. Each codebase under ``lab/mine/go/`` or
``lab/mine/ruby/`` is a small application calling real libraries (the Go standard library and
Debian's Go packages; Ruby's standard library, Rack, Rails) through a real entry point (an HTTP
server on loopback, a Rails request, a CLI command, a worker pool), with the official SDK
(Debian's sentry-go 0.11, sentry-ruby/sentry-rails 5.3) writing events to a file instead of
the network. ``jobs.txt`` lists, per bug, the jobs that trigger it; each event's crash frame is
checked against the source line tagged with the bug's site, so a label cannot drift.

Each (codebase, release) is cached under ``var/mine/goruby/`` keyed by its sources and jobs,
so an interrupted run resumes; every child process runs under a timeout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.corpus import is_report_only, read_rows, write_rows
from lab.mine.releases import Tree, read_sources, render

MINE = Path(__file__).resolve().parent
REPO = MINE.parents[1]
CACHE = REPO / "var" / "mine" / "goruby"
BUILD = Path("/tmp/faultline-lab")  # fixed, so frames' paths do not depend on the checkout
GOPATH_DEBIAN = "/usr/share/gocode"
PATH = "/usr/local/bin:/usr/bin:/bin"
RELEASES = 3
PROCESSES = 2  # command-line jobs run side by side
EVENTS_PER_RELEASE = (1, 3)  # so 3 to 9 events per bug over the three releases
WORDS = ["alpha", "bravo", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo",
         "juniper", "kestrel", "lumen", "marble", "nectar", "onyx", "pepper", "quartz", "raven",
         "saffron", "tundra", "umber", "violet", "willow", "xenon", "yarrow", "zephyr"]
NAMES = ["ada", "grace", "linus", "barbara", "ken", "margaret", "dennis", "frances", "alan",
         "radia", "edsger", "hedy"]


@dataclass(frozen=True)
class Codebase:
    name: str
    language: str  # "go" or "ruby"
    versions: tuple[str, str, str]
    package: str = ""  # Go import path
    per_process: bool = False  # a command-line tool: one process per job, argv and stdin

    @property
    def source(self) -> Path:
        return MINE / self.language / self.name

    @property
    def root(self) -> Path:
        """Where a release is written and run."""
        if self.language == "go":
            return BUILD / "go" / "src" / self.package
        return BUILD / "ruby" / self.name

    def release(self, index: int) -> str:
        return f"{self.name}@{self.versions[index - 1]}"


CODEBASES = [
    Codebase("stockd", "go", ("1.4.0", "1.5.0", "2.0.0"), "github.com/acmecorp/stockd"),
    Codebase("invoicer", "go", ("0.9.2", "0.10.0", "0.11.1"), "github.com/acmecorp/invoicer"),
    Codebase("etlctl", "go", ("2.1.0", "2.2.0", "3.0.0"), "github.com/acmecorp/etlctl", True),
    Codebase("dispatchq", "go", ("1.0.3", "1.1.0", "1.2.0"), "github.com/acmecorp/dispatchq"),
    Codebase("ratesrpc", "go", ("3.0.1", "3.1.0", "3.2.0"), "github.com/acmecorp/ratesrpc"),
    Codebase("metricsink", "go", ("0.4.0", "0.5.0", "0.5.2"), "github.com/acmecorp/metricsink"),
    Codebase("geofence", "go", ("1.8.0", "1.9.0", "2.0.0"), "github.com/acmecorp/geofence"),
    Codebase("bookshelf", "ruby", ("3.2.0", "3.3.0", "4.0.0")),
    Codebase("supportdesk", "ruby", ("5.0.1", "5.1.0", "5.2.0")),
    Codebase("ledgerrake", "ruby", ("0.7.0", "0.8.0", "1.0.0"), per_process=True),
    Codebase("courier", "ruby", ("2.3.1", "2.4.0", "2.5.0")),
    Codebase("tripquote", "ruby", ("0.4.0", "0.5.0", "1.0.0")),
    Codebase("nightshift", "ruby", ("1.6.0", "1.7.0", "2.0.0")),
    Codebase("pagesmith", "ruby", ("1.2.0", "1.3.0", "2.0.0"), per_process=True),
]


def read_jobs(codebase: Codebase) -> dict[str, list[str]]:
    """Bug id -> its job templates (one per entry point), from jobs.txt.

    A bug id is SITE[:CLASS][@CRASH]: the tagged line that fails, the fault class where one line
    fails in several ways, and, for an error that carries no stack (sentry-go then takes the
    stack where it is captured), the tagged line where it is captured."""
    jobs: dict[str, list[str]] = {}
    for raw in (codebase.source / "jobs.txt").read_text().splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            bug, _, template = raw.strip().partition(" ")
            jobs.setdefault(bug, []).append(template.strip())
    return jobs


def fill(template: str, rng: random.Random) -> str:
    """A job as real traffic varies it: ids, words and names drawn per event."""
    out = template
    while "{n}" in out or "{w}" in out or "{name}" in out:
        out = out.replace("{n}", str(rng.randint(10, 9999)), 1)
        out = out.replace("{w}", rng.choice(WORDS), 1)
        out = out.replace("{name}", rng.choice(NAMES), 1)
    return out


def plan(codebase: Codebase, release: int, jobs: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(bug, job) pairs for one release; entry points rotate across a bug's events."""
    planned = []
    for bug, templates in jobs.items():
        rng = random.Random(f"{codebase.name}/{bug}/{release}")
        count = rng.randint(*EVENTS_PER_RELEASE)
        for index in range(count):
            template = templates[(index + release) % len(templates)]
            planned.append((bug, fill(template, rng)))
    random.Random(f"{codebase.name}/{release}").shuffle(planned)
    return planned


def materialise(codebase: Codebase, release: int) -> Tree:
    suffix = (".go",) if codebase.language == "go" else (".rb",)
    tree = render(read_sources(codebase.source, suffix), release, codebase.language)
    shutil.rmtree(codebase.root, ignore_errors=True)
    for path, text in tree.files.items():
        target = codebase.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return tree


def go_env() -> dict[str, str]:
    return {"PATH": PATH, "HOME": str(BUILD), "GO111MODULE": "off", "GOFLAGS": "",
            "GOPATH": f"{BUILD / 'go'}:{GOPATH_DEBIAN}", "CGO_ENABLED": "0",
            "GOCACHE": str(REPO / "var" / "mine" / "go-cache")}


def command(codebase: Codebase, release: int) -> list[str]:
    if codebase.language == "go":
        harness = BUILD / "go" / "src" / "lab.local" / "harness"
        harness.mkdir(parents=True, exist_ok=True)
        shutil.copy(MINE / "go" / "harness" / "harness.go", harness / "harness.go")
        binary = BUILD / "go" / "bin" / codebase.name
        result = subprocess.run(["go", "build", "-o", str(binary), codebase.package],
                                env=go_env(), capture_output=True, text=True, timeout=400)
        if result.returncode:
            raise SystemExit(f"{codebase.name} r{release} does not build:\n{result.stderr}")
        return [str(binary)]
    shutil.copy(MINE / "ruby" / "harness.rb", codebase.root / "harness.rb")
    return ["ruby", str(codebase.root / "main.rb")]


def split_job(job: str) -> tuple[list[str], str]:
    """A command-line job: `ARGS <<< STDIN` (the stdin's \\n are newlines)."""
    args, _, stdin = job.partition(" <<< ")
    return shlex.split(args), stdin.replace("\\n", "\n")


def envelope_event(line: str) -> dict:
    """The event item of the envelope sentry-ruby sent (one JSON string per line)."""
    parts = json.loads(line).split("\n")
    for header, payload in zip(parts[1::2], parts[2::2], strict=False):
        if json.loads(header).get("type") == "event":
            return json.loads(payload)
    raise ValueError("envelope without an event")


def run_processes(base: list[str], jobs: list[str], env: dict[str, str], root: Path,
                  events_file: Path) -> str:
    """A command-line codebase: one process per job (exiting non-zero is its way to fail),
    PROCESSES at a time, each with its own events file, joined in job order with "--job"
    lines. Returns the last process's stderr, for messages."""

    def one(index: int, job: str) -> tuple[str, str]:
        own = events_file.with_suffix(f".{index}")
        own.unlink(missing_ok=True)
        args, stdin = split_job(job)
        result = subprocess.run([*base, *args], input=stdin, env={**env, "LAB_EVENTS": str(own)},
                                cwd=root, capture_output=True, text=True, timeout=60)
        text = own.read_text() if own.exists() else ""
        own.unlink(missing_ok=True)
        return text + "--job\n", result.stderr

    with ThreadPoolExecutor(PROCESSES) as pool:
        outputs = list(pool.map(one, range(len(jobs)), jobs))
    events_file.write_text("".join(text for text, _ in outputs))
    return outputs[-1][1] if outputs else ""


def run_jobs(codebase: Codebase, release: int, planned: list[tuple[str, str]]) -> list[dict]:
    """One event per job, in job order; a job that raised nothing or twice stops the run."""
    events_file = BUILD / "events" / f"{codebase.language}-{codebase.name}-{release}.jsonl"
    events_file.parent.mkdir(parents=True, exist_ok=True)
    events_file.unlink(missing_ok=True)
    env = go_env() if codebase.language == "go" else {"PATH": PATH, "HOME": str(BUILD),
                                                      "LANG": "C.UTF-8"}
    env.update(LAB_EVENTS=str(events_file), LAB_RELEASE=codebase.release(release))
    base = command(codebase, release)
    if codebase.per_process:
        stderr = run_processes(base, [job for _, job in planned], env, codebase.root, events_file)
    else:
        stdin = "".join(job + "\n" for _, job in planned)
        result = subprocess.run(base, input=stdin, env=env, cwd=codebase.root,
                                capture_output=True, text=True, timeout=300)
        stderr = result.stderr
        if result.returncode:
            raise SystemExit(f"{codebase.name} r{release} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{stderr[-3000:]}")
    per_job: list[list[dict]] = [[]]
    for line in events_file.read_text().splitlines():
        if line == "--job":
            per_job.append([])
        elif codebase.language == "go":
            per_job[-1].append(json.loads(line))
        else:
            per_job[-1].append(envelope_event(line))
    per_job.pop()
    bad = [(bug, job, len(events)) for (bug, job), events in zip(planned, per_job, strict=True)
           if len(events) != 1]
    if bad:
        raise SystemExit(f"{codebase.name} r{release}: jobs without exactly one event: {bad[:8]}"
                         f"\n{stderr[-2000:]}")
    return [events[0] for events in per_job]


def stack_frames(event: dict) -> list[dict]:
    """The frames of the last exception, or of the thread a message event was sent from."""
    if "exception" not in event:  # a Go panic with a string: a message and the current thread
        return event["threads"][0]["stacktrace"]["frames"]
    exception = event["exception"]  # sentry-go sends the list itself, sentry-ruby {"values"}
    values = exception["values"] if isinstance(exception, dict) else exception
    return (values[-1].get("stacktrace") or {}).get("frames", [])


def frame_path(frame: dict, root: Path) -> str:
    """The frame's absolute path (Rails' backtrace cleaner leaves app paths relative)."""
    path = str(frame.get("abs_path") or "")
    if path and not path.startswith("/") and (root / path).is_file():
        return f"{root}/{path}"
    return path


def crash_frame(event: dict, root: Path) -> dict | None:
    """The innermost frame of the application's own files in the last exception."""
    frames = stack_frames(event)
    own = [f for f in frames if frame_path(f, root).startswith(str(root) + "/")]
    return own[-1] if own else None


def mine_release(codebase: Codebase, release: int, jobs: dict[str, list[str]]) -> list[dict]:
    tree = materialise(codebase, release)
    planned = plan(codebase, release, jobs)
    events = run_jobs(codebase, release, planned)
    rows = []
    for (token, job), event in zip(planned, events, strict=True):
        bug, _, crash_site = token.partition("@")  # an error without a stack: crashes where caught
        # a class may have its own line in some releases (`fault=SITE:CLASS`)
        site = crash_site or (bug if bug in tree.sites else bug.partition(":")[0])
        path, line = tree.sites[site]
        frame = crash_frame(event, codebase.root)
        got = frame and (frame_path(frame, codebase.root), frame["lineno"])
        if got != (str(codebase.root / path), line):
            raise SystemExit(f"{codebase.name} r{release} {bug} ({job}): crash frame {got}, "
                             f"expected {path}:{line}\n{json.dumps(stack_frames(event))[-3000:]}")
        rows.append({"bug": f"{codebase.name}/{bug}", "app": codebase.name,
                     "platform": codebase.language, "split": "mined",
                     "release": event["release"], "event": event, "job": job,
                     "crash": {"file": path, "lineno": line, "function": frame["function"]}})
    return rows


def fingerprint(codebase: Codebase) -> str:
    digest = hashlib.sha256()
    for folder in (codebase.source, MINE / codebase.language):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and (folder == codebase.source or path.parent.name == "harness"
                                   or path.name == "harness.rb"):
                digest.update(str(path.relative_to(MINE)).encode() + path.read_bytes())
    digest.update((MINE / "releases.py").read_bytes() + Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def mine(codebase: Codebase, force: bool = False) -> int:
    jobs = read_jobs(codebase)
    key = fingerprint(codebase)
    rows: list[dict] = []
    for release in range(1, RELEASES + 1):
        cached = CACHE / f"{codebase.language}-{codebase.name}-{release}-{key}.json"
        if cached.exists() and not force:
            rows.extend(json.loads(cached.read_text()))
            continue
        started = time.monotonic()
        part = mine_release(codebase, release, jobs)
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(part))
        rows.extend(part)
        print(f"{codebase.name} r{release}: {len(part)} events in "
              f"{time.monotonic() - started:.1f} s", flush=True)
    out = CORPUS / f"{codebase.language}-{codebase.name}.jsonl.zst"
    return write_rows(out, rows)


def stats(codebases: list[Codebase]) -> None:
    """Bugs, events and releases per committed file; report-only codebases marked."""
    print(f"{'codebase':<24}{'bugs':>6}{'events':>8}{'releases':>10}  report-only")
    for codebase in codebases:
        path = CORPUS / f"{codebase.language}-{codebase.name}.jsonl.zst"
        if not path.exists():
            continue
        rows = list(read_rows(path))
        print(f"{path.name.split('.')[0]:<24}{len({row['bug'] for row in rows}):>6}"
              f"{len(rows):>8}{len({row['release'] for row in rows}):>10}  "
              f"{'yes' if is_report_only(codebase.name) else ''}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codebases", nargs="*", help="names (default: all)")
    parser.add_argument("--force", action="store_true", help="ignore the cache")
    parser.add_argument("--stats", action="store_true", help="describe the committed files")
    options = parser.parse_args(argv)
    chosen = [c for c in CODEBASES if not options.codebases or c.name in options.codebases]
    if options.stats:
        stats(chosen)
        return
    started = time.monotonic()
    for codebase in chosen:
        if not (codebase.source / "jobs.txt").exists():
            print(f"{codebase.name}: not written yet, skipped", file=sys.stderr)
            continue
        count = mine(codebase, options.force)
        print(f"{codebase.language}-{codebase.name}: {count} events, "
              f"{len(read_jobs(codebase))} bugs", flush=True)
    print(f"mined in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    os.umask(0o022)
    main()
