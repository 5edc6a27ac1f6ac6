"""Replay: move spooled raw events into PostgreSQL once it takes writes again.

One replayer at a time per spool directory (`replay.lock`, flock). Segments go oldest first, a
batch per transaction, `INSERT ... ON CONFLICT (project_id, event_id) DO NOTHING`; a segment is
deleted only after all of its batches committed. A crash in between replays the segment again
next time: pending rows conflict and are skipped, processed ones are dropped by processing
(an event id already stored is not stored or counted again), so nothing is duplicated. Records
of deleted projects are dropped, and so are records older than their organisation's retention
and those of end users erased since they were received (privacy.register), with the
attachments and feedback of those events.

Who replays: every web process, in a background thread, at start, every SPOOL_REPLAY_INTERVAL
seconds while its host has segments and soon after an accept succeeds again; and the
`ingest.replay_spool` beat task for the host it runs on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, transaction

from ingest import database, keysnapshot, spool
from privacy import register

log = logging.getLogger(__name__)
LOCK_NAME = "replay.lock"
STALE_TMP_SECONDS = 60

INSERT_SQL = """
INSERT INTO ingest_rawevent (project_id, event_id, kind, payload, received_at, attempts, last_error)
VALUES (%s, %s, %s, %b, %s, 0, '')
ON CONFLICT (project_id, event_id) DO NOTHING
"""


@dataclass
class Result:
    replayed: int = 0  # records read from sealed segments and committed (or already there)
    dropped: int = 0  # records of projects deleted meanwhile
    expired: int = 0  # records received before their organisation's retention
    erased: int = 0  # records of end users erased meanwhile (privacy.register)
    segments: int = 0
    busy: bool = False  # another replayer holds the directory
    skipped: list[str] = field(default_factory=list)  # segments still being written


@contextlib.contextmanager
def directory_lock(directory: Path) -> Iterator[bool]:
    """Hold `replay.lock` of a spool directory if nobody else does; yields whether we do."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        yield spool.try_lock(fd)
    finally:
        os.close(fd)


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


PROJECTS_SQL = """
SELECT p.id, p.organization_id, o.retention_days
FROM monitor_project p JOIN monitor_organization o ON o.id = p.organization_id
WHERE p.id = ANY(%s)
"""


@dataclass
class Dropped:
    """Records not inserted, by reason."""

    deleted: int = 0  # their project was deleted meanwhile
    expired: int = 0  # received before their organisation's retention
    erased: int = 0  # their end user was erased since (privacy.register)

    def add(self, other: Dropped) -> None:
        self.deleted += other.deleted
        self.expired += other.expired
        self.erased += other.erased

    @property
    def total(self) -> int:
        return self.deleted + self.expired + self.erased


def insert_batch(records: list[spool.Record], now: float | None = None) -> Dropped:
    """Insert one batch in one transaction; returns what was dropped instead: records of
    deleted projects, records older than their organisation's retention (the daily purge has
    removed their peers already), and records of end users erased since they were received,
    with those events' attachments and feedback."""
    now = time.time() if now is None else now
    dropped = Dropped()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(PROJECTS_SQL, [sorted({r.project_id for r in records})])
            projects = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        known = [r for r in records if r.project_id in projects]
        dropped.deleted = len(records) - len(known)
        live = [r for r in known if r.received_at >= now - projects[r.project_id][1] * 86400]
        dropped.expired = len(known) - len(live)
        erased = register.erased([register.Waiting(projects[r.project_id][0],
                                                   _utc(r.received_at), r.payload)
                                  for r in live])
        for n in erased:
            register.forget_side_items(live[n].project_id, [live[n].event_id])
        dropped.erased = len(erased)
        rows = [
            [r.project_id, r.event_id, r.kind, r.payload, _utc(r.received_at)]
            for n, r in enumerate(live)
            if n not in erased
        ]
        if rows:
            with psycopg.Cursor(connection.connection) as cursor:
                cursor.executemany(INSERT_SQL, rows)
    return dropped


def replay_segment(path: Path, batch: int) -> tuple[int, Dropped] | None:
    """Replay and delete one sealed segment: (replayed, dropped), or None while it is written."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if not spool.try_lock(fd):
            return None
        total = 0
        dropped = Dropped()
        records = iter(spool.decode(_read(fd)))
        while chunk := list(itertools.islice(records, batch)):
            dropped.add(insert_batch(chunk))
            total += len(chunk)
        path.unlink()
        spool.fsync_dir(path.parent)
        if dropped.deleted:
            log.warning("%s: dropped %d events of deleted projects", path.name, dropped.deleted)
        if dropped.expired or dropped.erased:
            log.info("%s: dropped %d events past their retention and %d of erased end users",
                     path.name, dropped.expired, dropped.erased)
        return total - dropped.total, dropped
    finally:
        os.close(fd)


def _read(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    chunks, read = [], 0
    while read < size:
        chunk = os.pread(fd, min(size - read, 16 * 2**20), read)
        if not chunk:
            break
        chunks.append(chunk)
        read += len(chunk)
    return b"".join(chunks)


def _remove_stale_tmp(directory: Path) -> None:
    """Segments that a killed writer created but never named (empty, never acknowledged)."""
    for path in directory.glob(spool.TMP_PREFIX + "*"):
        with contextlib.suppress(FileNotFoundError):
            if time.time() - path.stat().st_mtime > STALE_TMP_SECONDS:
                path.unlink()


def replay(directory: Path | None = None, batch: int | None = None) -> Result:
    """Replay every sealed segment of a spool directory (this host's by default), oldest first.
    Database errors propagate (the segment stays for the next try)."""
    directory = spool.host_dir() if directory is None else directory
    batch = batch or settings.SPOOL_REPLAY_BATCH
    result = Result()
    if not spool.segments(directory):
        return result
    with directory_lock(directory) as locked:
        if not locked:
            result.busy = True
            return result
        _remove_stale_tmp(directory)
        for path in spool.segments(directory):
            done = replay_segment(path, batch)
            if done is None:
                result.skipped.append(path.name)
                continue
            replayed, dropped = done
            result.replayed += replayed
            result.dropped += dropped.deleted
            result.expired += dropped.expired
            result.erased += dropped.erased
            result.segments += 1
    if result.replayed:
        _wake_workers()
        log.info("replayed %d spooled events from %d segments", result.replayed, result.segments)
    return result


def _wake_workers() -> None:
    from ingest.accept import wake

    for slot in range(settings.INGEST_DRAIN_SLOTS):
        wake(slot)


def replay_if_reachable(directory: Path | None = None) -> Result | None:
    """Seal this process's open segments and replay, if the database answers; None if not."""
    directory = spool.host_dir() if directory is None else directory
    if not spool.segments(directory):
        return Result()
    if not database.reachable():
        return None
    for writer in spool.open_writers():
        if writer.directory == directory:
            writer.seal()
    try:
        return replay(directory)
    except database.DB_UNAVAILABLE as exc:
        database.discard_connection()
        log.warning("spool replay interrupted: %s", exc)
        return None


class Replayer(threading.Thread):
    """The web process's replay loop: at start, then every SPOOL_REPLAY_INTERVAL seconds, or at
    once when poked after an accept succeeded while segments wait. It also writes the host's
    key snapshot (ingest.keysnapshot)."""

    def __init__(self, interval: float):
        super().__init__(name="spool-replayer", daemon=True)
        self.interval = interval
        self.wakeup = threading.Event()

    def poke(self) -> None:
        self.wakeup.set()

    def run(self) -> None:
        while True:
            try:
                keysnapshot.flush()
                replay_if_reachable()
            except Exception:  # the loop must outlive any one failure
                log.exception("spool replay failed")
            finally:
                database.discard_connection()  # no idle connection held between rounds
            self.wakeup.wait(self.interval)
            self.wakeup.clear()


_replayer: Replayer | None = None
_replayer_pid = 0
_replayer_lock = threading.Lock()


def start_replayer() -> Replayer:
    """Start this process's replay thread (again after a fork); idempotent."""
    global _replayer, _replayer_pid
    with _replayer_lock:
        if _replayer is None or _replayer_pid != os.getpid() or not _replayer.is_alive():
            _replayer = Replayer(settings.SPOOL_REPLAY_INTERVAL)
            _replayer_pid = os.getpid()
            _replayer.start()
        return _replayer


def poke() -> None:
    """Ask this process's replayer to run soon (no-op in processes without one)."""
    if _replayer is not None and _replayer_pid == os.getpid():
        _replayer.poke()
