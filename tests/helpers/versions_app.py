"""Faults that the official sentry-sdk reports with its default options, run by whichever
sentry-sdk release comes first on the path (tests/slow/test_sdk_versions.py runs it under
older releases and the project's own). Usage, from the repository root:

    PYTHONPATH=<sdk dir>:. python -m tests.helpers.versions_app <dsn>

It sends five events: one fault (a TypeError in Order.total) with two inputs through a
handler that captures it, the same fault uncaught in a worker thread, another fault (a
TypeError in quantity_label), and a RuntimeError raised from a FileNotFoundError."""

from __future__ import annotations

import sys
import threading

import sentry_sdk


class Order:
    def __init__(self, lines: list[dict]):
        self.lines = lines

    def total(self) -> float:
        return sum(line["price"] * line["quantity"] for line in self.lines)  # bug: no price


def checkout(order: Order) -> float:
    return round(order.total(), 2)


def quantity_label(line: dict) -> str:
    return "quantity: " + line["quantity"]  # bug: a number


def load_config(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise RuntimeError(f"configuration {path} is missing") from exc


def serve(order: Order, report: bool = True) -> float | None:
    """The captured entry point; `report=False` leaves the exception uncaught."""
    try:
        return checkout(order)
    except TypeError as exc:
        if not report:
            raise
        sentry_sdk.capture_exception(exc)
        return None


def label(line: dict) -> str | None:
    try:
        return quantity_label(line)
    except TypeError as exc:
        sentry_sdk.capture_exception(exc)
        return None


def main(dsn: str) -> None:
    sentry_sdk.init(dsn=dsn, release="shop@1.0.0", environment="test")
    serve(Order([{"price": None, "quantity": 2}]))
    serve(Order([{"price": 4.5, "quantity": "3"}]))  # another input, another message
    worker = threading.Thread(target=serve, args=(Order([{"price": None, "quantity": 1}]), False))
    worker.start()
    worker.join()
    label({"quantity": 7})
    try:
        load_config("/nonexistent/shop.toml")
    except RuntimeError as exc:
        sentry_sdk.capture_exception(exc)
    sentry_sdk.flush(timeout=30)


if __name__ == "__main__":
    main(sys.argv[1])
