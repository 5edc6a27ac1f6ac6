"""Group commit: concurrent callers' items written by one flush, each caller returning only once
the flush that carried its item has finished.

No background thread: a caller that finds no open batch starts one and leads it; callers that
arrive while a flush runs join that open batch; when the running flush ends, the leader closes
its batch and flushes all of it on its own thread (so on its own database connection). Under
load a flush carries about as many items as arrived during the last one; alone, a caller
flushes its own item at once and waits for nobody.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Batch(Generic[T, R]):
    """Items flushed together; its followers wait on `done` and read their own result."""

    __slots__ = ("done", "error", "items", "results")

    def __init__(self):
        self.items: list[T] = []
        self.results: Sequence[R | BaseException] = ()
        self.error: BaseException | None = None
        self.done = threading.Event()

    def outcome(self, index: int) -> R:
        if self.error is not None:
            raise self.error
        result = self.results[index]
        if isinstance(result, BaseException):
            raise result
        return result


class GroupCommit(Generic[T, R]):
    """`submit(item)` → the item's result from `flush(items)`, which returns one result per item
    in order, or an exception per item that failed. An exception raised by `flush` is every
    item's outcome.

    Items join the open batch; its first item's caller leads it: it waits for the running flush
    (if any) to end, closes the batch and flushes it, then wakes the batch's other callers only
    (no thundering herd of every waiting thread under the GIL). `after(items, results)`, when
    given, runs on the leader's thread once the batch's callers are released and the next flush
    may start: follow-up work (a wake-up) that nobody's reply needs to wait for.
    """

    def __init__(self, flush: Callable[[Sequence[T]], Sequence[R | BaseException]],
                 max_items: int = 256,
                 after: Callable[[Sequence[T], Sequence[R | BaseException]], None] | None = None):
        self._flush = flush
        self._after = after
        self.max_items = max_items
        self._lock = threading.Lock()
        self._turn = threading.Condition(self._lock)  # leaders waiting for the running flush
        self._open: _Batch[T, R] = _Batch()
        self._flushing = False
        self.queued = 0  # items submitted and not yet taken into a flush
        self.flushes = 0  # how many flushes ran, and how many items they carried
        self.items = 0

    @property
    def flushing(self) -> bool:
        return self._flushing

    def submit(self, item: T) -> R:
        with self._lock:
            batch = self._open
            index = len(batch.items)
            batch.items.append(item)
            self.queued += 1
            if len(batch.items) >= self.max_items:
                self._open = _Batch()  # full: later items start the next batch
            if index == 0:
                while self._flushing:
                    self._turn.wait()
                if self._open is batch:
                    self._open = _Batch()
                self._flushing = True
                self.queued -= len(batch.items)
        if index > 0:
            batch.done.wait()
            return batch.outcome(index)
        try:
            self._run(batch)
        finally:
            with self._lock:
                self._flushing = False
                self.flushes += 1
                self.items += len(batch.items)
                self._turn.notify()
            batch.done.set()
        if self._after is not None and batch.error is None:
            self._after(batch.items, batch.results)
        return batch.outcome(index)

    def _run(self, batch: _Batch[T, R]) -> None:
        try:
            results = self._flush(batch.items)
            if len(results) != len(batch.items):
                raise RuntimeError(
                    f"flush gave {len(results)} results for {len(batch.items)} items"
                )
        except BaseException as exc:  # every caller of the batch gets the flush's failure
            batch.error = exc
            return
        batch.results = results
