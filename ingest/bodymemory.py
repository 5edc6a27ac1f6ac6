"""The web process's budget of request-body bytes: what all of its request threads hold at once
(the body as read, its decompressed forms, an envelope's item copies), whatever the number of
threads (docs/ingest.md, "Body memory").

A request keeps a `Ledger` of the bytes it holds and reserves them before it allocates them, in
the steps it reads and decodes in. Its first limits.BODY_FREE_BYTES come without touching the
process's `Budget` (ordinary bodies of a few KB never take its lock, let alone wait); past
them it takes from the budget, waiting at most limits.BODY_MEMORY_WAIT_SECONDS for other
requests to give bytes back, then refuses with a 503 and Retry-After. Whatever a request took is
given back when it ends, whether it answered or raised.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from django.conf import settings

from ingest.errors import IngestError
from monitor import limits

# A server-side overload, not the key's quota: a 503 (as Relay answers when its buffers are
# full) makes the Python SDK drop this envelope only, where a 429 without X-Sentry-Rate-Limits
# would stop it sending anything for Retry-After seconds; the JavaScript SDK backs off for
# Retry-After on either status.
RETRY_AFTER_SECONDS = 2


def overloaded() -> IngestError:
    return IngestError(503, "the server is short of memory for request bodies; retry later",
                       {"Retry-After": str(RETRY_AFTER_SECONDS)})


class Budget:
    """Bytes the requests of one process may take at once; `peak` and `waits` say what it saw."""

    def __init__(self, total: int):
        self.total = total
        self.taken = 0
        self.peak = 0
        self.waits = 0
        self._changed = threading.Condition()

    def take(self, size: int, deadline: float | None) -> float | None:
        """Take `size` bytes, waiting until `deadline` (time.monotonic; None: the
        limits.BODY_MEMORY_WAIT_SECONDS from this first wait) for them; a 503 then. Returns the
        deadline, set once a request has waited."""
        with self._changed:
            while self.taken + size > self.total:
                if deadline is None:
                    deadline = time.monotonic() + limits.BODY_MEMORY_WAIT_SECONDS
                left = deadline - time.monotonic()
                if left <= 0:
                    raise overloaded()
                self.waits += 1
                self._changed.wait(left)
            self.taken += size
            self.peak = max(self.peak, self.taken)
        return deadline

    def give(self, size: int) -> None:
        with self._changed:
            self.taken -= size
            self._changed.notify_all()


class Ledger:
    """The bytes one request holds; `hold` before allocating, `drop` after letting go."""

    def __init__(self, budget: Budget | None):
        self.budget = budget
        self.held = 0
        self.taken = 0  # of `held`, what came from the budget
        self._deadline: float | None = None

    def hold(self, size: int) -> None:
        self.held += size
        need = self.held - limits.BODY_FREE_BYTES - self.taken
        if need > 0 and self.budget is not None:
            try:  # one bounded wait for the whole request, from its first
                self._deadline = self.budget.take(need, self._deadline)
            except IngestError:
                self.held -= size
                raise
            self.taken += need

    def drop(self, size: int) -> None:
        self.held -= size
        spare = self.taken - max(0, self.held - limits.BODY_FREE_BYTES)
        if spare > 0 and self.budget is not None:
            self.budget.give(spare)
            self.taken -= spare

    def close(self) -> None:
        if self.taken and self.budget is not None:
            self.budget.give(self.taken)
        self.held = self.taken = 0


UNCOUNTED = Ledger(None)  # for bodies outside the ingest endpoints (its counts mean nothing)

_budget: Budget | None = None
_budget_lock = threading.Lock()


def process_budget() -> Budget:
    """This process's budget, of settings.INGEST_BODY_MEMORY bytes."""
    global _budget
    total = settings.INGEST_BODY_MEMORY
    if _budget is None or _budget.total != total:
        with _budget_lock:
            if _budget is None or _budget.total != total:
                _budget = Budget(total)
    return _budget


@contextlib.contextmanager
def ledger() -> Iterator[Ledger]:
    """A request's ledger on this process's budget, given back when the request ends."""
    own = Ledger(process_budget())
    try:
        yield own
    finally:
        own.close()


def declared_length(meta: dict) -> int:
    """A request's Content-Length, 0 when absent or not a number (Django then reads no body)."""
    try:
        return max(0, int(meta.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


@contextlib.contextmanager
def held(size: int) -> Iterator[Ledger]:
    """`size` bytes of a body that Django reads whole outside the ingest endpoints (a sourcemap
    chunk upload's multipart form, the legacy user-feedback JSON), held in this process's
    budget while the caller reads and uses it, so that those requests and the ingest
    endpoints' together stay within it; raises the 503 (IngestError) when it stays spent.
    Yields the request's ledger, for what the caller decodes from the body."""
    with ledger() as own:
        own.hold(size)
        yield own

