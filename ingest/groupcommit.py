"""Group commit: concurrent callers' items written by one flush, each caller returning only once
the flush that carried its item has finished.

No background thread: the first caller that finds no flush running becomes the leader, takes
every item queued so far (its own included) and flushes them on its own thread (so on its own
database connection); callers that arrive meanwhile queue behind it, and the next leader takes
them all at once. Under load a flush carries about as many items as arrived during the last
one; alone, a caller flushes its own item at once and waits for nobody.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Ticket(Generic[T, R]):
    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: T):
        self.item = item
        self.done = False
        self.result: R | None = None
        self.error: BaseException | None = None

    def outcome(self) -> R:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class GroupCommit(Generic[T, R]):
    """`submit(item)` → the item's result from `flush(items)`, which returns one result per item
    in order, or an exception per item that failed. An exception raised by `flush` is every
    item's outcome."""

    def __init__(self, flush: Callable[[Sequence[T]], Sequence[R | BaseException]],
                 max_items: int = 256):
        self._flush = flush
        self.max_items = max_items
        self._cond = threading.Condition(threading.Lock())
        self._queue: list[_Ticket[T, R]] = []
        self._flushing = False
        self.flushes = 0  # how many flushes ran, and how many items they carried
        self.items = 0

    def submit(self, item: T) -> R:
        ticket: _Ticket[T, R] = _Ticket(item)
        with self._cond:
            self._queue.append(ticket)
        while True:
            with self._cond:
                while self._flushing and not ticket.done:
                    self._cond.wait()
                if ticket.done:
                    return ticket.outcome()
                batch = self._queue[: self.max_items]  # ours is in it unless the queue is long
                del self._queue[: self.max_items]
                self._flushing = True
            try:
                self._run(batch)
            finally:
                with self._cond:
                    for each in batch:
                        each.done = True
                    self._flushing = False
                    self.flushes += 1
                    self.items += len(batch)
                    self._cond.notify_all()

    def _run(self, batch: list[_Ticket[T, R]]) -> None:
        try:
            results = self._flush([ticket.item for ticket in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"flush gave {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # every caller of the batch gets the flush's failure
            for ticket in batch:
                ticket.error = exc
            return
        for ticket, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                ticket.error = result
            else:
                ticket.result = result
