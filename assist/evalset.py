"""A labelled set of bugs with known causes and fixes, for measuring summaries
(bench/assist_quality.py).

The labels live in bench/data/assist_bugs.json, written apart from the prompt and from this
scoring: 25 bugs whose events come from the grouping dev set (lab.generate.devset.generate: real
sentry-sdk captures of real Python bugs, JavaScript and Java events in real SDK shapes) and 36
more whose SDK-shaped events are in the file (Python, browser and Node JavaScript, Java). A
label says what a reviewer would accept as the cause and as the fix, as groups of phrases:
every group must have one phrase in the answer. The exception and the location are read from
the event itself: the raised exception type (or the root cause's, when wrapped) and the crash
site's function or module.
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

from grouping.clean import clean_function, is_in_app

LABELS = Path(__file__).resolve().parent.parent / "bench" / "data" / "assist_bugs.json"


def labels() -> dict:
    """The labelled bugs (bench/data/assist_bugs.json), written apart from prompt and scoring."""
    return json.loads(LABELS.read_text())


@dataclass(frozen=True)
class Case:
    bug: str
    event: dict  # normalized
    exceptions: tuple[str, ...]
    locations: tuple[str, ...]
    cause: list[list[str]]
    fix: list[list[str]]

    @property
    def platform(self) -> str:
        return self.bug.split(".", 1)[0]


@dataclass(frozen=True)
class Score:
    exception: bool
    location: bool
    cause: bool
    fix: bool = False

    @property
    def all(self) -> bool:
        return self.exception and self.location and self.cause


def _facts(event: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    full = [e.get("type") or "" for e in (exceptions[:1] + exceptions[-1:])]
    types = tuple(dict.fromkeys(full + [t.rsplit(".", 1)[-1] for t in full]))
    frames = [f for f in ((exceptions[0].get("stacktrace") or {}).get("frames") or [])
              if is_in_app(f)] if exceptions else []
    site = frames[-1] if frames else {}
    locations = [clean_function(site.get("function") or "")]
    module = (site.get("module") or "").rsplit(".", 1)[-1]
    filename = (site.get("filename") or "").rsplit("/", 1)[-1].split(".")[0]
    locations += [x for x in (module, filename) if x and "$$" not in x]
    return tuple(t for t in types if t), tuple(x for x in locations if x and x != "?")


def sdk_event(bug: dict) -> dict:
    """A labelled bug's event in the shape its SDK sends (frames oldest first, crash last)."""
    frames = []
    for where, function, line, code in bug["frames"]:
        frame = {"function": function, "lineno": line, "context_line": code, "in_app": True}
        frame["filename" if "/" in where else "module"] = where
        if bug["platform"] == "java":
            frame["filename"] = where.rsplit(".", 1)[-1] + ".java"
        frames.append(frame)
    exceptions = [{"type": t, "value": v} for t, v in bug["exception"]]
    exceptions[-1]["stacktrace"] = {"frames": frames}
    contexts = {}
    if "runtime" in bug:
        contexts["runtime"] = {"name": bug["runtime"][0], "version": bug["runtime"][1]}
    if "browser" in bug:
        contexts["browser"] = {"name": bug["browser"][0], "version": bug["browser"][1]}
    return {"platform": bug["platform"], "exception": {"values": exceptions},
            "contexts": contexts, "release": "shop@2.4.0", "environment": "production"}


def cases(seed: int = 7) -> list[Case]:
    """One event per labelled bug, normalized as ingest stores it."""
    from ingest.normalize import normalize_event
    from lab.generate.devset.generate import java_events, js_events, python_events

    data = labels()
    rng = random.Random(seed)
    rows = python_events(rng, per_release=1) + js_events(rng, per_variant=1) + java_events(
        rng, per_variant=1)
    rows = [r for r in rows if r["bug"] in data["devset"]]
    rows += [{"bug": b["bug"], "event": sdk_event(b)} for b in data["bugs"]]
    wanted = {**data["devset"], **{b["bug"]: b for b in data["bugs"]}}
    out, seen = [], set()
    for row in rows:
        if row["bug"] in seen:
            continue
        seen.add(row["bug"])
        event = normalize_event(row["event"], time.time(), "0" * 32)
        exceptions, locations = _facts(event)
        label = wanted[row["bug"]]
        out.append(Case(row["bug"], event, exceptions, locations, label["cause"], label["fix"]))
    return out


def named(name: str, lower: str) -> bool:
    """`name` appears as a whole identifier ("send" does not count inside "sendReceipt")."""
    return re.search(rf"(?<![a-z0-9_$]){re.escape(name.lower())}(?![a-z0-9_])", lower) is not None


def score(case: Case, text: str, fix_text: str | None = None) -> Score:
    """`text` is the whole answer; the fix is judged on `fix_text` (the fix line) when given."""
    lower = text.lower()
    fixed = lower if fix_text is None else fix_text.lower()
    return Score(
        exception=any(named(t, lower) for t in case.exceptions),
        location=any(named(x, lower) for x in case.locations),
        cause=all(any(p in lower for p in group) for group in case.cause),
        fix=bool(case.fix) and all(any(p in fixed for p in group) for group in case.fix),
    )
