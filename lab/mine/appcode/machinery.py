"""The machinery every application-code corpus shares (invoice-desk in lab.mine.appcode,
clinic-desk in lab.mine.clinicapp): the bug record, the event plan, the capture of one release
in its own process under the real sentry-sdk, and the generator that keeps, counts and writes
the events. Each codebase keeps only what is its own: its bugs, its release trees and the
drivers of its entry points, handed over as an `Application`."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import ClassVar, Protocol

from lab.corpus import HERE as CORPUS
from lab.corpus import is_report_only, read_rows, write_rows
from lab.mine.python.mine import _collector, tidy  # the library miner's capture, reused

ROOT = Path(__file__).resolve().parents[3]
DEPLOYED_SITE = "/usr/local/lib/python3.11/site-packages"
DEPLOYED_STDLIB = "/usr/local/lib/python3.11"
FRAMEWORKS = ("celery", "click", "django", "flask", "sentry-sdk")
ENV = {**os.environ, "PYTHONHASHSEED": "0"}


@dataclass(frozen=True)
class Bug:
    """One root cause in the application's code; a codebase subclasses it to set APP."""

    APP: ClassVar[str] = ""
    id: str  # <module.function as of the first release>/<Type>-<what goes wrong>
    site: str  # where the fault is: module.function and the faulting step
    op: str
    types: tuple[str, ...]  # the chain as sent: cause first, raised last
    make: Callable[[random.Random], tuple[dict, dict, str]]  # → fixture, arguments, family
    releases: tuple[int, ...] = (0, 1, 2, 3)
    kind: str = ""
    entries: tuple[str, ...] = ()  # default: every entry point of the operation

    @property
    def label(self) -> str:
        return f"{self.APP}/{self.id}"


class Entries(Protocol):
    """A codebase's entry-point drivers, built once the release is importable."""

    def trigger(self, entry: str, op: str, args: dict, task_id: str) -> None: ...

    def reset(self, fixture: dict) -> None: ...


class Drivers:
    """The five entry points' dispatch; a codebase's drivers define one `via_<entry>` each
    (and `reset`)."""

    def trigger(self, entry: str, op: str, args: dict, task_id: str) -> None:
        if entry == "flask":
            self.via_flask(op, args)
        elif entry == "django":
            self.via_django(op, args)
        elif entry == "celery":
            self.via_celery(op, args, task_id)
        elif entry == "click":
            self.via_click(op, args)
        else:
            self.via_jobs(op, args)


@dataclass(frozen=True)
class Application:
    """What one codebase hands the machinery."""

    package: str  # lab.mine.appcode: runs as ``python -m <package>`` and ``<package>.capture``
    app: str  # invoice-desk
    versions: tuple[str, ...]
    bugs: tuple[Bug, ...]
    entries: dict[str, tuple[str, ...]]  # operation → the entry points that expose it
    report_only: bool
    settings: str  # the Django settings module
    drivers: Callable[[], Entries]
    releases: Path  # the folder of the release source trees

    @property
    def folder(self) -> str:
        return self.package.rsplit(".", 1)[-1]

    @property
    def out(self) -> Path:
        return CORPUS / f"python-{self.app}.jsonl.zst"


# --- the plan --------------------------------------------------------------------------------

def draw(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest(), 16)


def events(application: Application, release: int) -> list[dict]:
    """3–4 events per bug and release (4–5 for a bug present in only two or three releases),
    each with its own drawn data and an entry point of its operation, rotated so that every bug
    is reached through several."""
    app, out = application.app, []
    for bug in application.bugs:
        if release not in bug.releases:
            continue
        entries = bug.entries or application.entries[bug.op]
        least = 3 if len(bug.releases) == 4 else 4
        count = least + draw(app, bug.id, release, "count") % 2
        offset = draw(app, bug.id, "entry")
        for i in range(count):
            seed = draw(app, bug.id, release, i)
            fixture, args, family = bug.make(random.Random(seed))
            out.append({"bug": bug.label, "op": bug.op, "seed": seed, "fixture": fixture,
                        "args": args, "family": family,
                        "entry": entries[(offset + release * count + i) % len(entries)]})
    return out


# --- one release, in its own process ---------------------------------------------------------

def frameworks() -> dict[str, str]:
    return {name: metadata.version(name) for name in FRAMEWORKS}


def install(application: Application, release: int) -> Path:
    """Copy the release's tree under var/ (no frame of it may lie under lab/, the harness's)."""
    version = application.versions[release]
    root = ROOT / "var" / "mine" / application.folder / version
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(application.releases / version, root,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def capture(application: Application, release: int) -> list[dict]:
    app, version = application.app, application.versions[release]
    root = install(application, release)
    sys.path.insert(0, str(root))
    os.environ["DJANGO_SETTINGS_MODULE"] = application.settings
    logging.disable(logging.CRITICAL)
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.flask import FlaskIntegration

    captured, transport = _collector()
    sentry_sdk.init(
        dsn="http://public@localhost/1", transport=transport,
        release=f"{app}@{version}", server_name=f"{app}-1",
        default_integrations=False, auto_enabling_integrations=False,
        integrations=[FlaskIntegration(), DjangoIntegration(), CeleryIntegration()],
        project_root=str(root), include_local_variables=False,
    )
    entries = application.drivers()
    import flask
    site = str(Path(flask.__file__).resolve().parents[1])
    stdlib = str(Path(logging.__file__).resolve().parents[1])
    unresolved = [p for p in sys.path if p.endswith("site-packages") and p != site]
    replacements = [(str(root), f"/srv/{app}/releases/{version}"), (site, DEPLOYED_SITE),
                    *[(p, DEPLOYED_SITE) for p in unresolved], (stdlib, DEPLOYED_STDLIB)]
    replacements.sort(key=lambda pair: -len(pair[0]))
    out = []
    for item in events(application, release):
        entries.reset(item["fixture"])
        before = len(captured)
        task_id = str(uuid.UUID(int=item["seed"] >> 128))
        with sentry_sdk.isolation_scope():  # one request, task or command: its own scope
            entries.trigger(item["entry"], item["op"], item["args"], task_id)
        got = captured[before:]
        out.append({"bug": item["bug"], "entry": item["entry"], "family": item["family"],
                    "captures": len(got),
                    "event": tidy(got[-1], replacements) if got else None})
    sentry_sdk.get_client().close()
    return out


def capture_main(application: Application, argv: Sequence[str]) -> None:
    """``python -m <package>.capture RELEASE OUT.json``."""
    release, out = int(argv[0]), Path(argv[1])
    records = capture(application, release)
    partial = out.with_suffix(".part")
    partial.write_text(json.dumps({"frameworks": frameworks(), "events": records},
                                  sort_keys=True))
    partial.replace(out)


# --- the generator ---------------------------------------------------------------------------

def run_release(application: Application, release: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "capture.json"
        subprocess.run([sys.executable, "-m", f"{application.package}.capture", str(release),
                        str(out)], cwd=ROOT, check=True, timeout=600, env=ENV,
                       stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def crash_of(event: dict) -> tuple[str, str]:
    """Where the first exception of the chain was raised: the app's code, or elsewhere (the
    standard library); and that frame as module:function."""
    frame = event["exception"]["values"][0]["stacktrace"]["frames"][-1]
    where = "app" if frame.get("in_app") else (
        "library" if "site-packages" in (frame.get("abs_path") or "") else "other")
    return where, f"{frame.get('module')}:{frame.get('function')}"


def rows_of(application: Application, captured: dict) -> tuple[list[dict], Counter]:
    """The events kept (exactly one sent for the trigger, with the bug's exception types) as
    corpus rows, and the others counted."""
    by_label = {bug.label: bug for bug in application.bugs}
    rows, dropped = [], Counter()
    for item in captured["events"]:
        bug = by_label[item["bug"]]
        event = item["event"]
        types = tuple(v.get("type") for v in (event or {}).get("exception", {}).get("values", []))
        if item["captures"] != 1 or types != bug.types:
            dropped[(bug.id, item["entry"], item["captures"], types)] += 1
            continue
        crash, frame = crash_of(event)
        rows.append({"app": application.app, "bug": bug.label, "crash": crash,
                     "crash_frame": frame, "entry": item["entry"], "event": event,
                     "family": item["family"], "libraries": captured["frameworks"],
                     "platform": "python", "release": event["release"], "site": bug.site,
                     "split": "mined"})
    return rows, dropped


def stats(application: Application, rows: list[dict]) -> str:
    per_bug = Counter(row["bug"] for row in rows)
    releases = defaultdict(set)
    entries = defaultdict(set)
    for row in rows:
        releases[row["bug"]].add(row["release"])
        entries[row["bug"]].add(row["entry"])
    lines = [f"{'bug':78} {'events':>6} {'rel':>3} entries"]
    for bug in application.bugs:
        lines.append(f"{bug.id:78} {per_bug[bug.label]:>6} {len(releases[bug.label]):>3} "
                     f"{','.join(sorted(entries[bug.label]))}")
    lines.append(f"{len(per_bug)} bugs, {len(rows)} events, releases "
                 f"{', '.join(application.versions)}, entries "
                 f"{', '.join(sorted({r['entry'] for r in rows}))}; report-only: "
                 f"{is_report_only(application.app)}")
    return "\n".join(lines)


def main(application: Application, argv: list[str] | None = None) -> None:
    """``python -m <package> [--stats] [--out FILE]``: capture every release (each in its own
    process) and write the corpus file; the same sources write the same bytes."""
    out = application.out
    parser = argparse.ArgumentParser(prog=f"python -m {application.package}")
    parser.add_argument("--stats", action="store_true", help="summarise the committed file")
    parser.add_argument("--out", type=Path, default=out, help=f"default {out.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.stats:
        print(stats(application, list(read_rows(args.out))))
        return
    assert is_report_only(application.app) == application.report_only, (
        f"{application.app}: report-only must be {application.report_only} (lab.corpus)")
    rows: list[dict] = []
    dropped: Counter = Counter()
    for release in range(len(application.versions)):
        kept, lost = rows_of(application, run_release(application, release))
        rows += kept
        dropped += lost
    count = write_rows(args.out, rows)
    print(stats(application, rows))
    print(f"wrote {count} rows to {args.out}; dropped {sum(dropped.values())}")
    for key, n in sorted(dropped.items()):
        print(f"  dropped {n}: {key}")
