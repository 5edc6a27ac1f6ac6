"""Stack traces as the issue page shows them: pure functions from the stored event to view data.

Frames are shown newest call first. The crash frame (the newest in-app frame) is expanded and
the rest folded; repeated frames and recursion cycles collapse into one entry with a count; long
runs hide behind "show N more"; a raw, copyable traceback is built from the same collapsed list.
Work is bounded: at most limits.PAGE_FRAMES frames per exception, limits.PAGE_EXCEPTIONS per chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from monitor import limits

JS_PLATFORMS = {"javascript", "node"}  # as sourcemaps.symbolicate names them
ANONYMOUS = "<anonymous>"  # how Sentry names a JavaScript function without a name
MIN_REPEATS = 3  # a block seen this many times in a row collapses
SYSTEM_RUN = 3  # longer runs of library frames fold after the first
LONG_RUN = 10  # any longer run shows its first LONG_RUN_HEAD frames
LONG_RUN_HEAD = 5


@dataclass
class Frame:
    data: dict
    repeats: int = 1  # how often this frame (or its cycle) ran in a row
    cycle: int = 1  # length of the repeated cycle this frame belongs to, in frames
    cycle_start: bool = False  # oldest frame of a repeated block
    cycle_end: bool = False  # newest frame of a repeated block
    crash: bool = False
    unnamed: str = "?"  # the name shown for a frame without one (ANONYMOUS for JavaScript)

    @property
    def in_app(self) -> bool:
        return bool(self.data.get("in_app"))

    @property
    def filename(self) -> str:
        return str(self.data.get("filename") or self.data.get("abs_path") or "")

    @property
    def module(self) -> str:
        return str(self.data.get("module") or "")

    @property
    def function(self) -> str:
        name = self.data.get("function")
        return str(name) if name and name != "?" else self.unnamed

    @property
    def lineno(self) -> int | None:
        value = self.data.get("lineno")
        return value if isinstance(value, int) else None

    @property
    def context(self) -> list[tuple[int | None, str, bool]]:
        """(line number, text, is the crash line) for the stored source context."""
        if not self.data.get("context_line") and not self.data.get("pre_context"):
            return []
        pre = [str(line) for line in self.data.get("pre_context") or []]
        post = [str(line) for line in self.data.get("post_context") or []]
        start = self.lineno - len(pre) if self.lineno is not None else None
        lines = [*pre, str(self.data.get("context_line") or ""), *post]
        return [
            (start + i if start is not None else None, text, i == len(pre))
            for i, text in enumerate(lines)
        ]

    @property
    def vars(self) -> list[tuple[str, str]]:
        values = self.data.get("vars")
        if not isinstance(values, dict):
            return []
        shown = list(values.items())[:limits.PAGE_FRAME_VARS]
        return [(str(name), show_value(value)) for name, value in shown]


@dataclass
class Run:
    """Frames shown one by one, then `hidden` behind a "show N more" toggle."""

    shown: list[Frame]
    hidden: list[Frame] = field(default_factory=list)


@dataclass
class ExceptionView:
    type: str
    value: str
    heading: str  # type and the first line of the value, cut to limits.PAGE_FRAME_TITLE_CHARS
    long_value: bool
    mechanism: dict
    runs: list[Run]
    frame_count: int
    omitted: list | None
    folded: bool  # per-exception folding in long chains
    raw: dict | None = None  # the minified frames when source maps resolved this one


def show_value(value: Any) -> str:
    """A local variable as the SDK sent it, cut to limits.PAGE_FRAME_VAR_CHARS."""
    text = as_sent(value)
    bound = limits.PAGE_FRAME_VAR_CHARS
    return text if len(text) <= bound else text[:bound] + "…"


def as_sent(value: Any, budget: int = 4 * limits.PAGE_FRAME_VAR_CHARS) -> str:
    """Data as the SDK sent it: strings as they are at any depth (the Python SDK already sends
    reprs such as `'abc'`; JSON-quoting them again would read `"'abc'"`), containers as
    `{key: value}` / `[a, b]`, other scalars in JSON spelling (null, true, 1.5). Stops adding
    items once `budget` characters are written (hostile payloads nest and repeat)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        items, size = [], 0
        for key, item in value.items():
            if size > budget:
                items.append("…")
                break
            items.append(f"{key}: {as_sent(item, budget - size)}")
            size += len(items[-1]) + 2
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        items, size = [], 0
        for item in value:
            if size > budget:
                items.append("…")
                break
            items.append(as_sent(item, budget - size))
            size += len(items[-1]) + 2
        return "[" + ", ".join(items) + "]"
    return json.dumps(value, default=str, ensure_ascii=False)


def _key(frame: dict) -> tuple:
    return (frame.get("abs_path") or frame.get("filename"), frame.get("module"),
            frame.get("function"), frame.get("lineno"), frame.get("context_line"))


def collapse(frames: list[dict]) -> list[Frame]:
    """Oldest first in, oldest first out; a block of up to limits.PAGE_RECURSION_PERIOD frames
    repeated at least MIN_REPEATS times in a row becomes one block with its count (recursion). The
    block shown is the innermost repetition, so a crash frame in it shows its own locals, not the
    first call's."""
    keys = [_key(f) for f in frames]
    out: list[Frame] = []
    i = 0
    while i < len(frames):
        best_period, best_repeats = 1, 1
        for period in range(1, limits.PAGE_RECURSION_PERIOD + 1):
            if i + 2 * period > len(frames):
                break
            repeats = 1
            while (
                i + (repeats + 1) * period <= len(frames)
                and keys[i + repeats * period : i + (repeats + 1) * period]
                == keys[i : i + period]
            ):
                repeats += 1
            if repeats >= MIN_REPEATS and repeats * period > best_repeats * best_period:
                best_period, best_repeats = period, repeats
        if best_repeats >= MIN_REPEATS:
            innermost = i + (best_repeats - 1) * best_period
            block = [Frame(dict(f)) for f in frames[innermost : innermost + best_period]]
            for frame in block:
                frame.repeats, frame.cycle = best_repeats, best_period
            block[0].cycle_start = block[-1].cycle_end = True
            out.extend(block)
            i += best_period * best_repeats
        else:
            out.append(Frame(dict(frames[i])))
            i += 1
    return out


def runs_of(frames: list[Frame]) -> list[Run]:
    """Newest-first frames → runs: the crash frame alone; library runs longer than SYSTEM_RUN
    show their first frame; any run longer than LONG_RUN shows LONG_RUN_HEAD."""
    groups: list[list[Frame]] = []
    for frame in frames:
        if frame.crash or not groups or groups[-1][0].crash or groups[-1][0].in_app != frame.in_app:
            groups.append([frame])
        else:
            groups[-1].append(frame)
    runs = []
    for group in groups:
        if not group[0].in_app and not group[0].crash and len(group) > SYSTEM_RUN:
            runs.append(Run(group[:1], group[1:]))
        elif len(group) > LONG_RUN:
            runs.append(Run(group[:LONG_RUN_HEAD], group[LONG_RUN_HEAD:]))
        else:
            runs.append(Run(group))
    return runs


def unnamed_for(platform: Any) -> str:
    return ANONYMOUS if platform in JS_PLATFORMS else "?"


def newest_first(frames: list[dict], platform: Any = None) -> list[Frame]:
    collapsed = collapse(frames[-limits.PAGE_FRAMES:])[::-1]
    for frame in collapsed:
        frame.unnamed = unnamed_for(frame.data.get("platform") or platform)
    if collapsed:
        crash = next((f for f in collapsed if f.in_app), collapsed[0])
        crash.crash = True
    return collapsed


def exceptions_of(data: dict) -> list[ExceptionView]:
    """The chain newest (raised last) first; in chains of three or more all but the first fold."""
    chain = [e for e in data.get("exception") or []
             if isinstance(e, dict)][-limits.PAGE_EXCEPTIONS:]
    if not chain and isinstance(data.get("stacktrace"), dict):
        chain = [{"type": "", "value": "", "stacktrace": data["stacktrace"]}]
    views = []
    for index, exc in enumerate(reversed(chain)):
        stacktrace = exc.get("stacktrace") if isinstance(exc.get("stacktrace"), dict) else {}
        frames = [f for f in stacktrace.get("frames") or [] if isinstance(f, dict)]
        value = str(exc.get("value") or "")
        first_line = value.split("\n", 1)[0]
        heading = ": ".join(filter(None, [str(exc.get("type") or ""), first_line]))
        views.append(ExceptionView(
            type=str(exc.get("type") or ""), value=value,
            heading=heading[:limits.PAGE_FRAME_TITLE_CHARS]
            + ("…" if len(heading) > limits.PAGE_FRAME_TITLE_CHARS else ""),
            long_value=len(heading) > limits.PAGE_FRAME_TITLE_CHARS or "\n" in value,
            mechanism=exc.get("mechanism") if isinstance(exc.get("mechanism"), dict) else {},
            runs=runs_of(newest_first(frames, data.get("platform"))), frame_count=len(frames),
            omitted=stacktrace.get("frames_omitted"),
            folded=len(chain) >= 3 and index > 0,
            raw=exc.get("raw_stacktrace") if isinstance(exc.get("raw_stacktrace"), dict) else None,
        ))
    return views


def raw_traceback(data: dict) -> str:
    """A plain-text traceback, Python style for Python events, `at fn (file:line:col)` style
    otherwise; collapsed recursion reads as Python prints it."""
    python = (data.get("platform") or "python") == "python"
    chain = [e for e in data.get("exception") or []
             if isinstance(e, dict)][-limits.PAGE_EXCEPTIONS:]
    if not chain and isinstance(data.get("stacktrace"), dict):
        chain = [{"type": "", "value": "", "stacktrace": data["stacktrace"]}]
    blocks = []
    for exc in chain:
        stacktrace = exc.get("stacktrace") if isinstance(exc.get("stacktrace"), dict) else {}
        frames = collapse([f for f in stacktrace.get("frames") or [] if isinstance(f, dict)]
                          [-limits.PAGE_FRAMES:])
        for frame in frames:
            frame.unnamed = unnamed_for(frame.data.get("platform") or data.get("platform"))
        header = ": ".join(filter(None, [str(exc.get("type") or ""), str(exc.get("value") or "")]))
        lines = []
        for frame in frames if python else frames[::-1]:
            if python:
                lines.append(f'  File "{frame.data.get("abs_path") or frame.filename}", '
                             f"line {frame.lineno}, in {frame.function}")
                if frame.data.get("context_line"):
                    lines.append(f"    {str(frame.data['context_line']).strip()}")
            else:
                column = f":{frame.data['colno']}" if frame.data.get("colno") else ""
                lines.append(f"    at {frame.function} ({frame.filename}:{frame.lineno}{column})")
            if frame.repeats > 1 and (frame.cycle_end if python else frame.cycle_start):
                what = "line" if frame.cycle == 1 else f"{frame.cycle} lines"
                lines.append(f"  [Previous {what} repeated {frame.repeats - 1} more times]")
        blocks.append("\n".join(
            ["Traceback (most recent call last):", *lines, header] if python
             else [header, *lines]
        ))
    joiner = ("\n\nThe above exception was the direct cause of the following exception:\n\n"
              if python else "\n\nCaused:\n")
    return joiner.join(blocks)

