"""Codebases for lab.select's tests: real events, cleaning and keys, with vectors placed by hand
so each event's cosine distance from the first is known."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from grouping import rules
from lab import select
from training import metrics


def crash_event(crash_function: str, crash_line: str, caller: str,
                caller_line: str = "return cart.average()", module: str = "shop.cart",
                exc_type: str = "ZeroDivisionError", value: str = "division by zero") -> dict:
    """A Python exception raised in `crash_function` of `module` (its code line `crash_line`),
    called from `caller` in the same module."""
    path = module.replace(".", "/") + ".py"

    def frame(name: str, line: str) -> dict:
        return {"function": name, "module": module, "filename": path,
                "abs_path": f"/srv/{path}", "lineno": 10, "context_line": line, "in_app": True}

    return {"platform": "python", "exception": {"values": [{
        "type": exc_type, "value": value, "stacktrace": {"frames": [
            frame(caller, caller_line), frame(crash_function, crash_line)]}}]}}


def placed_codebase(name: str, groups: Sequence[tuple[str, str, float]],
                    event: Callable[[str, int], dict]) -> select.Codebase:
    """A Python codebase of two events per (bug, what varies, distance) group: `event(what, n)`
    is the n-th row's event, its 2-d vector `distance` from the first row's."""
    rows, vectors = [], []
    for bug, what, distance in groups:
        for _ in range(2):
            rows.append({"bug": f"{name}/{bug}", "event": event(what, len(rows))})
            theta = math.acos(1.0 - distance)
            vectors.append(np.array([math.cos(theta), math.sin(theta)], dtype=np.float32))
    data = metrics.prepare(rows, rules.CURRENT, scope=name)
    return select.Codebase(name, "python", data, np.stack(vectors), False)
