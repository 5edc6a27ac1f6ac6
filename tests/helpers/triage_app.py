"""Real bugs with awkward shapes for the triage browser test: deep recursion, a 200-frame call
chain, chained exceptions, a 5 KB message. Raised for real and captured by the official SDK."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def walk(node: dict, depth: int) -> int:
    if depth == 0:
        return node["missing"]  # KeyError at the bottom of a 200-deep recursion
    return walk(node, depth - 1)


def long_message() -> None:
    lines = [f"row {i}: value {'x' * 40} did not validate" for i in range(100)]
    raise ValueError("import failed:\n" + "\n".join(lines))


def connect(host: str) -> None:
    raise ConnectionRefusedError(f"connection to {host}:5432 refused")


def query_orders(customer: int) -> list:
    try:
        connect("db.internal")
    except ConnectionRefusedError as exc:
        raise RuntimeError(f"orders of customer {customer} unavailable") from exc
    return []


def render_invoice(customer: int) -> str:
    try:
        query_orders(customer)
    except RuntimeError as exc:
        raise LookupError("invoice could not be rendered") from exc
    return ""


def call_chain(directory: Path, length: int = 200):
    """A module of `length` distinct functions, each calling the next; the last divides by
    zero. Written to a file so the SDK reads real source context."""
    path = directory / "pipeline_steps.py"
    source = [f"def step_{i}(n):\n    return step_{i + 1}(n + 1)\n" for i in range(length)]
    source.append(f"def step_{length}(n):\n    return n / 0\n")
    path.write_text("\n".join(source))
    spec = importlib.util.spec_from_file_location("pipeline_steps", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.step_0
