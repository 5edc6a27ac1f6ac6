"""The local spool: where the accept path puts raw events while PostgreSQL cannot take them.

Layout: `SPOOL_DIR/<host>/` holds segment files `<ns>-<pid>-<token>-<n>.seg`, named so they
sort in the order they were started. Each process appends to its own open segment and holds an
exclusive `flock` on it while it is open; a segment nobody holds a lock on is sealed (its writer
closed it, or died) and may be replayed (ingest.replay) and deleted.

A record is `magic | body length | crc32(body) | body`, the body `project id | event id |
received at | kind | payload`. A record torn by a crash is at the end of its segment and was
never acknowledged: readers stop there. A record whose checksum fails is skipped; the reader
looks for the next magic.

Durability: `append` returns only after `fdatasync`. Appends from concurrent threads group-commit:
while one thread syncs, the others write behind it and the next sync covers all of them, so a
process does about one sync per disk round trip, not one per event.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from monitor import limits

log = logging.getLogger(__name__)

MAGIC = b"FLS1"
HEADER = struct.Struct("<4sII")  # magic, body length, crc32 of the body
BODY = struct.Struct("<Q16sdB")  # project id, event id, received at (unix seconds), kind length
SUFFIX = ".seg"
TMP_PREFIX = ".new-"


class SpoolFull(Exception):
    """The host's spool has reached SPOOL_MAX_BYTES."""


@dataclass(frozen=True)
class Record:
    project_id: int
    event_id: uuid.UUID
    kind: str
    received_at: float
    payload: bytes


def encode(record: Record) -> bytes:
    kind = record.kind.encode()
    body = (
        BODY.pack(record.project_id, record.event_id.bytes, record.received_at, len(kind))
        + kind
        + record.payload
    )
    return HEADER.pack(MAGIC, len(body), zlib.crc32(body)) + body


def _decode_body(body: bytes) -> Record:
    project_id, event_id, received_at, kind_length = BODY.unpack_from(body)
    start = BODY.size + kind_length
    return Record(
        project_id=project_id,
        event_id=uuid.UUID(bytes=event_id),
        kind=bytes(body[BODY.size : start]).decode(),
        received_at=received_at,
        payload=bytes(body[start:]),
    )


def decode(data: bytes) -> Iterator[Record]:
    """The intact records of a segment's bytes, in order."""
    view = memoryview(data)
    pos, end = 0, len(data)
    while pos + HEADER.size <= end:
        magic, length, crc = HEADER.unpack_from(view, pos)
        body_start = pos + HEADER.size
        body = view[body_start : body_start + length]
        if (magic == MAGIC and BODY.size <= length <= limits.SPOOL_RECORD_BYTES
                and zlib.crc32(body) == crc):
            try:
                yield _decode_body(body)
            except (struct.error, UnicodeDecodeError, ValueError) as exc:
                log.error("spool record at %d undecodable (%s); skipped", pos, exc)
            pos = body_start + length
            continue
        found = data.find(MAGIC, pos + 1)
        if found < 0:
            if body_start + length <= end:
                log.error("spool record at %d is corrupt; nothing readable after it", pos)
            return  # else a torn tail: its writer died before acknowledging it
        log.error("spool record at %d is corrupt; looking for the next one", pos)
        pos = found


def read_segment(path: Path) -> list[Record]:
    return list(decode(path.read_bytes()))


def count_records(data: bytes, start: int = 0) -> tuple[int, int]:
    """(records, offset after the last whole record) from `start`, reading headers only."""
    count, pos = 0, start
    while pos + HEADER.size <= len(data):
        magic, length, _ = HEADER.unpack_from(data, pos)
        if magic != MAGIC or pos + HEADER.size + length > len(data):
            break
        count += 1
        pos += HEADER.size + length
    return count, pos


def host_dir() -> Path:
    """This host's spool directory."""
    return Path(settings.SPOOL_DIR) / settings.SPOOL_HOST


def segments(directory: Path) -> list[Path]:
    """Sealed or open segment files, oldest first; never one still under its temporary name
    (created, maybe not yet locked: a replayer must not take it for an empty sealed one)."""
    try:
        return sorted(p for p in directory.iterdir()
                      if p.name.endswith(SUFFIX) and not p.name.startswith(TMP_PREFIX))
    except FileNotFoundError:
        return []


def created_at(path: Path) -> float:
    """When the segment was started (unix seconds), from its name."""
    try:
        return int(path.name.split("-", 1)[0]) / 1e9
    except ValueError:
        return path.stat().st_mtime


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def try_lock(fd: int) -> bool:
    """Exclusive, non-blocking flock: False when another open file holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


class Writer:
    """Appends records to this process's open segment in `directory`; thread-safe.

    Lock order: `_sync_lock` before `_lock`. Writes take `_lock` only; a sync takes `_sync_lock`
    and briefly `_lock` to read how far it may promise. A segment is closed only under both, so a
    sync never sees its file descriptor closed under it.
    """

    def __init__(self, directory: Path, segment_bytes: int, max_bytes: int):
        self.directory = directory
        self.segment_bytes = segment_bytes
        self.max_bytes = max_bytes
        self.pid = os.getpid()
        self.token = uuid.uuid4().hex[:8]  # pids repeat across containers sharing a volume
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0
        self._written = 0  # appends written so far (a ticket per append)
        self._synced = 0  # appends known to be on disk
        self._opened = 0
        self._usage_checked = -1e9
        self._usage = 0
        self.syncs = 0
        self.appends = 0

    # --- appending
    def append(self, records: list[Record]) -> None:
        """Write the records and return once they are on disk; SpoolFull past the limit."""
        data = b"".join(encode(record) for record in records)
        ticket = self._write(data)
        self._sync(ticket)

    def _write(self, data: bytes) -> int:
        while True:
            with self._lock:
                if self._fd is not None and not self._segment_full(len(data)):
                    self._check_limit(len(data))
                    self._write_all(data)
                    self._written += 1
                    self.appends += 1
                    return self._written
            with self._sync_lock, self._lock:
                if self._fd is None or self._segment_full(len(data)):
                    self._close_locked()
                    self._open_locked()

    def _segment_full(self, size: int) -> bool:
        return self._size > 0 and self._size + size > self.segment_bytes

    def _check_limit(self, size: int) -> None:
        now = time.monotonic()
        if now - self._usage_checked > 1.0:  # other processes write here too: look again
            self._usage = directory_bytes(self.directory)
            self._usage_checked = now
        if self._usage + size > self.max_bytes:
            raise SpoolFull(
                f"the spool of this host holds {self._usage} bytes; "
                f"the limit is {self.max_bytes} (SPOOL_MAX_BYTES)"
            )
        self._usage += size

    def _write_all(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError:
            os.ftruncate(self._fd, self._size)  # leave no half record for later appends
            raise
        self._size += len(data)

    def _sync(self, ticket: int) -> None:
        with self._sync_lock:
            if self._synced >= ticket:
                return  # another thread's sync covered this append
            with self._lock:
                fd, target = self._fd, self._written
            assert fd is not None
            try:
                os.fdatasync(fd)
            except OSError:
                # After a failed sync the kernel may have dropped the dirty pages: never trust
                # this segment again. Its records stay readable; their senders got an error.
                with self._lock:
                    os.close(fd)
                    self._fd = None
                raise
            self._synced = target
            self.syncs += 1

    # --- segments
    def _open_locked(self) -> None:
        """Create a segment under a temporary name, lock it, then give it its real name, so a
        replayer never sees an unlocked segment that is about to be written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._opened += 1
        name = f"{time.time_ns():020d}-{self.pid}-{self.token}-{self._opened:06d}{SUFFIX}"
        tmp = self.directory / (TMP_PREFIX + name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(tmp, self.directory / name)
        fsync_dir(self.directory)
        self._fd, self._size = fd, 0

    def _close_locked(self) -> None:
        if self._fd is None:
            return
        os.fdatasync(self._fd)
        self._synced = self._written
        os.close(self._fd)  # releases the flock: the segment is sealed
        self._fd = None

    def seal(self) -> None:
        """Close the open segment so that it can be replayed."""
        with self._sync_lock, self._lock:
            self._close_locked()

    @property
    def is_open(self) -> bool:
        return self._fd is not None


def directory_bytes(directory: Path) -> int:
    total = 0
    for path in segments(directory):
        with contextlib.suppress(FileNotFoundError):
            total += path.stat().st_size
    return total


_writers: dict[Path, Writer] = {}
_writers_lock = threading.Lock()


def writer() -> Writer:
    """This process's writer for this host's spool (a fresh one after a fork)."""
    directory = host_dir()
    with _writers_lock:
        current = _writers.get(directory)
        if current is None or current.pid != os.getpid():
            current = Writer(directory, settings.SPOOL_SEGMENT_BYTES, settings.SPOOL_MAX_BYTES)
            _writers[directory] = current
        return current


def open_writers() -> list[Writer]:
    with _writers_lock:
        return [w for w in _writers.values() if w.pid == os.getpid() and w.is_open]


@dataclass
class Depth:
    segments: int
    bytes: int
    events: int
    oldest: float | None  # unix seconds when the oldest segment was started

    def as_dict(self, now: float | None = None) -> dict:
        now = time.time() if now is None else now
        return {
            "segments": self.segments,
            "bytes": self.bytes,
            "events": self.events,
            "oldest_age_seconds": None if self.oldest is None else round(now - self.oldest, 1),
        }


_counted: dict[Path, tuple[int, int]] = {}  # segment → (records, offset counted up to)
_counted_lock = threading.Lock()


def depth(directory: Path | None = None) -> Depth:
    """How much waits in a spool directory; reads only the bytes added since the last call."""
    directory = host_dir() if directory is None else directory
    paths = segments(directory)
    total_bytes = events = 0
    with _counted_lock:
        for path in paths:
            known, offset = _counted.get(path, (0, 0))
            try:
                with path.open("rb") as file:
                    size = os.fstat(file.fileno()).st_size
                    file.seek(offset)
                    more, advanced = count_records(file.read())
            except FileNotFoundError:
                continue
            _counted[path] = (known + more, offset + advanced)
            events += known + more
            total_bytes += size
        for gone in [p for p in _counted if p.parent == directory and p not in set(paths)]:
            del _counted[gone]
    oldest = created_at(paths[0]) if paths else None
    return Depth(len(paths), total_bytes, events, oldest)
