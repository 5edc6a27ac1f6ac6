"""Wake-ups of the drain slots sent from one background thread per web process, off the replies.

The group commit's leader used to send its flush's wake-ups (a Redis `SET NX` per drain slot,
and a Celery message when the flag was not set) on its own request thread before replying: a
round trip on the reply path, paid once per flush. The waker takes the slots instead and sends
them from its thread. After a pass that sent something it waits `interval` seconds (20 ms)
before the next: slots asked for while it sends or waits are sent once, in that next pass, so
under load the wake-ups cost one pass per interval rather than one per flush, and a lone event
after a quiet spell is woken at once. A drain task empties the backlog it finds, so waking it a
few milliseconds later only lets it find more.

Nothing acknowledged depends on it: a slot is asked for only after its rows committed, the
thread sends after that (so the drain it wakes sees them), and a wake-up lost with the process
(killed before its thread ran) leaves the rows in the table for the sweeper, as a broker outage
does (ingest.tasks.sweep_unprocessed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)


class Waker:
    """`ask(slots)` returns at once; a daemon thread calls `send(slot)` once for each slot asked
    for since its last pass, in slot order, at most one pass per `interval` seconds. Created
    per process (threads do not survive a fork): see ingest.accept.committer."""

    def __init__(self, send: Callable[[int], None], interval: float = 0.02,
                 name: str = "ingest-waker"):
        self._send = send
        self.interval = interval
        self._lock = threading.Lock()
        self._asked: set[int] = set()
        self._ready = threading.Event()
        self._idle = threading.Condition(self._lock)
        self._sending = False
        self.passes = 0  # how many passes sent something, and how many wake-ups they sent
        self.sent = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def ask(self, slots: Iterable[int]) -> None:
        with self._lock:
            self._asked.update(slots)
        self._ready.set()

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until every slot asked for so far was sent; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._asked and not self._sending, timeout)

    def _run(self) -> None:
        while True:
            self._ready.wait()
            self._ready.clear()  # an ask() after this line sets it again: no slot is missed
            with self._lock:
                slots, self._asked = sorted(self._asked), set()
                self._sending = bool(slots)
            for slot in slots:
                try:
                    self._send(slot)
                except Exception:  # noqa: BLE001 - the sweeper covers a wake-up that failed
                    log.exception("wake-up of drain slot %s failed", slot)
            with self._lock:
                self._sending = False
                if slots:
                    self.passes += 1
                    self.sent += len(slots)
                self._idle.notify_all()
            if slots:
                time.sleep(self.interval)  # the flushes of the next interval share one pass
