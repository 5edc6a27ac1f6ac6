"""The test session's Celery workers, paused while a transactional test's tables are flushed.

A session worker consumes every test's messages. A transactional test commits its rows, so the
worker may still be processing them when the test ends; the flush after the test (a TRUNCATE of
every table) then waits for the worker's batch while the batch waits for a table the TRUNCATE
already holds (or for its own second connection, which Postgres cannot see as a deadlock).
So before that flush the workers stop taking messages and finish what they hold, and they take
messages again when the next test starts: what was published meanwhile then finds its rows gone.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

REPLY_SECONDS = 5.0  # a live worker answers a control command in milliseconds
IDLE_SECONDS = 120.0  # the longest batch a test may leave behind


@dataclass(frozen=True)
class Worker:
    node: str  # the worker's node name (`celery worker -n`), hostname expanded
    queues: tuple[str, ...]
    alive: Callable[[], bool]


def node_name(name: str) -> str:
    """`-n name@%h` as the worker expands it, for addressing control commands to it."""
    return f"{name}@{socket.gethostname()}"


class SessionWorkers:
    """The workers started for the whole session; `pause` before a flush, `resume` after."""

    def __init__(self) -> None:
        self.workers: list[Worker] = []
        self.paused: list[Worker] = []

    def add(self, worker: Worker) -> None:
        """Register a started worker once it answers: one still starting could not be paused."""
        from faultline.celery import app

        deadline = time.monotonic() + IDLE_SECONDS
        while not _control(app, lambda **c: app.control.ping(destination=[worker.node], limit=1,
                                                              timeout=1.0, **c)):
            if not worker.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{worker.node} did not start")
        self.workers.append(worker)

    def remove(self, node: str) -> None:
        self.workers = [w for w in self.workers if w.node != node]
        self.paused = [w for w in self.paused if w.node != node]

    def pause(self) -> None:
        """Every live worker stops consuming its queues and finishes the tasks it holds."""
        from faultline.celery import app

        for worker in self.workers:
            if worker in self.paused or not worker.alive():
                continue
            for queue in worker.queues:
                _control(app, lambda queue=queue, worker=worker, **c: app.control.cancel_consumer(
                    queue, destination=[worker.node], reply=True, limit=1,
                    timeout=REPLY_SECONDS, **c))
            self.paused.append(worker)
            _wait_idle(app, worker)

    def resume(self) -> None:
        """Workers take messages again, and no drain slot is left silenced (`clear_wake_flags`)."""
        from faultline.celery import app

        if self.workers:
            clear_wake_flags()
        for worker in self.paused:
            if worker.alive():
                for queue in worker.queues:
                    _control(app, lambda queue=queue, worker=worker, **c: app.control.add_consumer(
                        queue, destination=[worker.node], reply=True, limit=1,
                        timeout=REPLY_SECONDS, **c))
        self.paused = []


def clear_wake_flags() -> None:
    """Delete every drain slot's wake-up flag. A process killed between setting its slot's flag
    and publishing the drain task silences the slot until the flag expires; in production the
    beat's sweepers then take the rows, but no beat runs here, so one test's killed server would
    strand the next test's rows. A flag deleted while its drain task is pending costs one more
    drain, nothing else."""
    from monitor import wakeup
    from monitor.redis import client

    names = list(client().scan_iter(match=wakeup.FLAG_PREFIX + "*", count=1000))
    if names:
        client().delete(*names)


def _control(app, command: Callable[..., object]) -> object:
    """A control command over a connection of its own: a test that restarts the broker leaves the
    app's pooled connections closed."""
    with app.connection_for_write() as connection:
        return command(connection=connection)


def _wait_idle(app, worker: Worker) -> None:
    """Until the worker runs and holds no task; a worker that stops answering is left alone."""
    def inspect(connection):
        return app.control.inspect(destination=[worker.node], limit=1, timeout=REPLY_SECONDS,
                                   connection=connection)

    deadline = time.monotonic() + IDLE_SECONDS
    while worker.alive():
        active = _control(app, lambda connection: inspect(connection).active())
        reserved = _control(app, lambda connection: inspect(connection).reserved())
        if active is None or reserved is None:
            return  # no answer: it is not processing anything either
        if not active.get(worker.node) and not reserved.get(worker.node):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{worker.node} still busy after {IDLE_SECONDS:.0f}s: {active}")
        time.sleep(0.02)


session_workers = SessionWorkers()
