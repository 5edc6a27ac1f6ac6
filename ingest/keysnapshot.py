"""The last known good DSN keys of this host, on disk next to its spool (`keys.json`).

A web process that starts, or meets a key for the first time, while PostgreSQL is down has no
cached answer in memory; this snapshot lets it authenticate keys the host has seen before, so
their events can be spooled instead of refused. Loads from the database are remembered in memory
and written by the replayer thread at most every few seconds (never on the request path); keys
the database no longer knows are removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import threading
from pathlib import Path

from ingest import spool
from monitor import limits

log = logging.getLogger(__name__)
FILE_NAME = "keys.json"

_lock = threading.Lock()
_changes: dict[str, dict | None] = {}  # key → fields to write, or None to remove
_loaded: tuple[Path, float, dict[str, dict]] | None = None  # path, mtime, keys


def path() -> Path:
    return spool.host_dir() / FILE_NAME


def remember(public_key: str, info) -> None:
    """Note the database's answer for a key (a KeyInfo, or None when it has no such key)."""
    fields = dataclasses.asdict(info) if info is not None else None
    with _lock:
        current = _loaded[2].get(public_key) if _loaded else "unknown"
        if current != fields:
            _changes[public_key] = fields


def lookup(public_key: str) -> dict | None:
    """The snapshot's fields of a key, or None."""
    global _loaded
    file = path()
    try:
        mtime = file.stat().st_mtime
    except FileNotFoundError:
        return None
    with _lock:
        if _loaded is None or _loaded[0] != file or _loaded[1] != mtime:
            try:
                _loaded = (file, mtime, json.loads(file.read_bytes()))
            except (OSError, ValueError) as exc:
                log.warning("key snapshot %s unreadable: %s", file, exc)
                return None
        return _loaded[2].get(public_key)


def flush() -> None:
    """Merge the remembered answers into the snapshot file (atomically, one writer at a time)."""
    global _loaded
    with _lock:
        if not _changes:
            return
        changes = dict(_changes)
        _changes.clear()
    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file.parent / (FILE_NAME + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        keys: dict[str, dict] = {}
        with contextlib.suppress(FileNotFoundError, ValueError):
            keys = json.loads(file.read_bytes())
        for key, fields in changes.items():
            if fields is None:
                keys.pop(key, None)
            else:
                keys[key] = fields
        if len(keys) > limits.KEY_SNAPSHOT_KEYS:
            keys = dict(list(keys.items())[-limits.KEY_SNAPSHOT_KEYS:])
        tmp = file.with_suffix(".tmp")
        tmp.write_text(json.dumps(keys))
        os.chmod(tmp, 0o600)
        os.replace(tmp, file)
        with _lock:
            _loaded = (file, file.stat().st_mtime, keys)
    except OSError as exc:
        log.warning("cannot write the key snapshot %s: %s", file, exc)
        with _lock:
            for key, fields in changes.items():
                _changes.setdefault(key, fields)
    finally:
        os.close(fd)
