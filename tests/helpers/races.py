"""Real processing racing another writer: three threads drain queued events while a fourth
repeats an action (a merge, an unmerge) until they are done. Helpers, no tests here."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from django.db import connection

from ingest.accept import store_raw_event
from ingest.processing import process_pending


def race_processing(project, body: Callable[[int], bytes], action: Callable[[], bool | None],
                    ready: int = 12, queued: int = 600, timeout: float = 240) -> list:
    """Process `ready` events first (so their issues exist), queue `queued` more, then drain
    them in three threads while `action` repeats in a fourth until the drains finish or it
    returns False. Returns what any thread raised."""
    for i in range(ready):
        store_raw_event(project.id, uuid.uuid4(), "event", body(i))
    while process_pending(100):
        pass
    for i in range(queued):
        store_raw_event(project.id, uuid.uuid4(), "event", body(i))
    errors: list[BaseException] = []
    stop = threading.Event()

    def drain():
        try:
            while process_pending(9):
                pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            stop.set()
            connection.close()

    def repeat():
        try:
            while not stop.is_set() and action() is not False:
                pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(3)] + [threading.Thread(target=repeat)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return errors
