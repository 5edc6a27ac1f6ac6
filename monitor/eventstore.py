"""Writing events and reading their payloads (docs/storage.md).

An event is a row of the time-partitioned monitor_event (the columns the pages filter, sort and
count on) and its normalized JSON, zstd-compressed, in the payload store the setting
FAULTLINE_PAYLOAD_STORE names: `table` (monitor_eventpayload, partitioned like the events) or
`s3` (an S3-compatible bucket, monitor.objectstore). Every writer goes through `insert_events`
(ingest) or `bulk_insert` (fillers, benches); every reader through `Event.data`, which calls
`load_payload`, or `attach_payloads` for a page of events at once.

An object is written before its row, in the row's transaction: a failed write raises
PayloadStoreUnavailable (a DatabaseError), so the batch rolls back and its raw events stay to be
retried (ingest.processing); a rolled-back batch leaves at most unreferenced objects, which the
retention of their day deletes.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import zstandard
from django.conf import settings
from django.db import DatabaseError, connection
from psycopg.types.json import Jsonb

from monitor import roundtrips
from monitor.models import Event

log = logging.getLogger(__name__)

EVENT_COLUMNS = (
    "id", "project_id", "issue_id", "event_id", "timestamp", "received", "grouping_hash",
    "level", "platform", "title", "release", "environment", "user", "tags", "remote_addr",
)
JSON_COLUMNS = {"user", "tags"}
INSERT_EVENT_SQL = "INSERT INTO monitor_event ({}) VALUES ({})".format(
    ", ".join(f'"{column}"' for column in EVENT_COLUMNS), ", ".join(["%s"] * len(EVENT_COLUMNS))
)
NEW_IDS_SQL = ("SELECT nextval(pg_get_serial_sequence('monitor_event', 'id')) "
               "FROM generate_series(1, %s)")
INSERT_PAYLOAD_SQL = ("INSERT INTO monitor_eventpayload (event_id, received, body) "
                      "VALUES (%s, %s, %s)")
LOAD_SQL = "SELECT body FROM monitor_eventpayload WHERE event_id = %s AND received = %s"
LOAD_MANY_SQL = ("SELECT event_id, body FROM monitor_eventpayload "
                 "WHERE event_id = ANY(%s) AND received = ANY(%s)")


class PayloadStoreUnavailable(DatabaseError):
    """The object store refused or could not be reached: processing retries the batch."""


def _jsonb_key(key: Any) -> tuple[int, bytes]:
    text = str(key)
    return (len(text.encode()), text.encode())


# A dict's keys (as a tuple, in insertion order) → the same keys in jsonb's order. Normalized
# events repeat a few shapes (frames, exceptions, breadcrumbs), so most dicts of a payload find
# their order here instead of two sorts. Only all-string key tuples of at most ORDER_CACHE_KEYS
# keys and ORDER_CACHE_CHARS characters go in (a string equals only a string, so a tuple with
# another key never matches one of them), and the cache starts over at ORDER_CACHE_ENTRIES:
# a few MB at most, however hostile the keys.
ORDER_CACHE_KEYS = 16
ORDER_CACHE_CHARS = 512
ORDER_CACHE_ENTRIES = 2048
_ORDERS: dict[tuple, tuple] = {}
_CONTAINERS = (dict, list)


def _jsonb_keys(obj: dict, keys: tuple) -> tuple:
    """An object's keys in jsonb's order. Where every key is an ASCII string (nearly always),
    two sorts in C: by text (a string's code point order is its UTF-8 bytes' order), then,
    stably, by length (an ASCII key's length is its UTF-8 length); remembered in _ORDERS."""
    try:
        order = sorted(obj)
        text = "".join(order)
        if text.isascii():
            order.sort(key=len)
            ordered = tuple(order)
            if len(keys) <= ORDER_CACHE_KEYS and len(text) <= ORDER_CACHE_CHARS:
                if len(_ORDERS) >= ORDER_CACHE_ENTRIES:
                    _ORDERS.clear()
                _ORDERS[keys] = ordered
            return ordered
    except TypeError:  # a key that is not a string
        pass
    return tuple(sorted(obj, key=_jsonb_key))


def jsonb_order(value: Any) -> Any:
    """Objects' keys in the order PostgreSQL's jsonb keeps them (shorter first, then bytewise),
    so a payload reads back as it did when it was a jsonb column. Only containers are
    descended into: scalars are most of a payload's values."""
    if isinstance(value, dict):
        keys = tuple(value)
        order = _ORDERS.get(keys)
        if order is None:
            order = _jsonb_keys(value, keys)
        ordered = {}
        for key in order:
            item = value[key]
            ordered[key] = jsonb_order(item) if isinstance(item, _CONTAINERS) else item
        return ordered
    if isinstance(value, list):
        return [jsonb_order(item) if isinstance(item, _CONTAINERS) else item for item in value]
    return value


_COMPRESSORS = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    """This thread's compressor at the configured level: made once, not per payload (a one-shot
    compress() starts a fresh frame, so the bytes are those of a new compressor)."""
    level = settings.FAULTLINE_PAYLOAD_ZSTD_LEVEL
    made = getattr(_COMPRESSORS, "made", None)
    if made is None or made[0] != level:
        made = _COMPRESSORS.made = (level, zstandard.ZstdCompressor(level=level))
    return made[1]


def encode(data: Mapping[str, Any]) -> bytes:
    """Compact JSON, zstd-compressed (the frame records its size, bounding decompression)."""
    raw = json.dumps(jsonb_order(data), separators=(",", ":"), ensure_ascii=False,
                     allow_nan=False)
    return _compressor().compress(raw.encode())


def decode(body: bytes) -> dict:
    return json.loads(zstandard.ZstdDecompressor().decompress(bytes(body)))


def remote_addr_of(data: Mapping[str, Any]) -> str:
    """request.env.REMOTE_ADDR, the address erasure by IP matches besides user.ip_address."""
    request = data.get("request")
    env = request.get("env") if isinstance(request, dict) else None
    value = env.get("REMOTE_ADDR") if isinstance(env, dict) else None
    return value[:64] if isinstance(value, str) else ""


def uses_object_store() -> bool:
    return settings.FAULTLINE_PAYLOAD_STORE == "s3"


def insert_events(events: Sequence[Event], payloads: Sequence[bytes] | None = None,
                  then: Sequence[tuple[str, list] | None] = ()) -> None:
    """Store events (their issue set) with their payloads, in the caller's transaction.
    `payloads`: the events' data already `encode`d, in order (ingest encodes before it locks
    the issues, so the compression is not done while other batches wait for those locks).
    `then`: (sql, params) of writes that read nothing back, sent in the same round trip (None:
    nothing). executemany with Jsonb parameters: Django's bulk_create would quote every JSON
    document into a text array (UNNEST), which costs more than the rest of processing
    together."""
    if not events:
        return
    with connection.cursor() as cursor:
        cursor.execute(NEW_IDS_SQL, [len(events)])
        for event, (new_id,) in zip(events, cursor.fetchall(), strict=True):
            event.id = new_id
            event.remote_addr = remote_addr_of(event.data)
    _write(events, payloads, then)


def _write(events: Sequence[Event], payloads: Sequence[bytes] | None = None,
           then: Sequence[tuple[str, list] | None] = ()) -> None:
    """Rows and payloads of events that have their ids, and the caller's `then`."""
    if payloads is None:
        payloads = [encode(event.data) for event in events]
    bodies = [(event.id, event.received, payload)
              for event, payload in zip(events, payloads, strict=True)]
    if uses_object_store():  # the objects first: a row never points at nothing
        _put_objects(bodies)
    rows = [[Jsonb(getattr(event, c)) if c in JSON_COLUMNS else getattr(event, c)
             for c in EVENT_COLUMNS] for event in events]
    with roundtrips.together(), connection.cursor() as cursor:  # rows and payloads: one trip
        cursor.executemany(INSERT_EVENT_SQL, rows)
        if not uses_object_store():  # after the events: the lock order DDL takes too
            cursor.executemany(INSERT_PAYLOAD_SQL, bodies)
        for statement in filter(None, then):
            cursor.execute(*statement)
    for event in events:
        event._state.adding = False


def store_payloads(events: Iterable[Event]) -> None:
    """Write the payloads of events already stored (the ORM path, a legacy copy)."""
    bodies = [(event.id, event.received, encode(event.data)) for event in events]
    if uses_object_store():
        _put_objects(bodies)
        return
    with connection.cursor() as cursor:
        cursor.executemany(INSERT_PAYLOAD_SQL, bodies)


def _put_objects(bodies: Sequence[tuple[int, Any, bytes]]) -> None:
    from monitor import objectstore

    try:
        objectstore.put_many([(objectstore.key_for(i, at), body) for i, at, body in bodies])
    except objectstore.StoreError as exc:
        raise PayloadStoreUnavailable(f"payload store: {exc}") from exc


def bulk_insert(rows: Iterable[Mapping[str, Any]]) -> list[int]:
    """Insert events as a bulk filler would, through the same storage as ingest (partition,
    key, payload): each row holds project_id, issue_id, event_id (UUID), timestamp, received,
    grouping_hash, title and data (the normalized event), optionally level, platform, release,
    environment, user, tags. Returns the new ids. Call it inside a transaction for speed;
    issues and their counters are the caller's business."""
    events = []
    for row in rows:
        data = dict(row["data"])
        events.append(Event(
            project_id=row["project_id"], issue_id=row["issue_id"], event_id=row["event_id"],
            timestamp=row["timestamp"], received=row["received"],
            grouping_hash=row["grouping_hash"], title=row["title"],
            level=row.get("level", "error"), platform=row.get("platform", ""),
            release=row.get("release", ""), environment=row.get("environment", ""),
            user=row.get("user", {}), tags=row.get("tags", []), data=data,
        ))
    insert_events(events)
    return [event.id for event in events]


def load_payload(event: Event) -> dict:
    """The payload of one stored event ({} when it is gone, e.g. deleted under the reader)."""
    if event.pk is None:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(LOAD_SQL, [event.pk, event.received])
        row = cursor.fetchone()
    if row is not None:
        return decode(row[0])
    if uses_object_store():
        from monitor import objectstore

        body = objectstore.get(objectstore.key_for(event.pk, event.received))
        if body is not None:
            return decode(body)
    log.warning("event %s has no payload", event.pk)
    return {}


def attach_payloads(events: Sequence[Event]) -> Sequence[Event]:
    """Load the payloads of a page of events in one query (or one object read each)."""
    wanted = [event for event in events if event._data is None and event.pk is not None]
    if not wanted:
        return events
    with connection.cursor() as cursor:
        cursor.execute(LOAD_MANY_SQL, [[e.pk for e in wanted],
                                       sorted({e.received for e in wanted})])
        bodies = dict(cursor.fetchall())
    for event in wanted:
        if event.pk in bodies:
            event.data = decode(bodies[event.pk])
    return events


# The first event of each (project, fingerprint), as Event rows with their payload's body: the
# index on (project, fingerprint, timestamp) reads one row per fingerprint.
FIRST_EVENTS_SQL = """
SELECT e.*, p.body AS payload_body
FROM unnest(%s::bigint[], %s::text[]) AS wanted(project_id, grouping_hash)
CROSS JOIN LATERAL (
    SELECT * FROM monitor_event e
    WHERE e.project_id = wanted.project_id AND e.grouping_hash = wanted.grouping_hash
    ORDER BY e.timestamp, e.id LIMIT 1
) e
LEFT JOIN monitor_eventpayload p ON p.event_id = e.id AND p.received = e.received
"""


def first_events(fingerprints: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Event]:
    """(project id, fingerprint hash) → its first event (by time, then id), payload attached,
    in one statement (an event whose payload is in the object store loads it when read)."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    projects, hashes = (list(column) for column in zip(*wanted, strict=True))
    found = {}
    for event in Event.objects.raw(FIRST_EVENTS_SQL, [projects, hashes]):
        if event.payload_body is not None:
            event.data = decode(event.payload_body)
        del event.payload_body
        found[(event.project_id, event.grouping_hash)] = event
    return found


def _json(value: Any) -> Any:
    """A jsonb column as Django's cursor returns it: the text, decoded."""
    return json.loads(value) if isinstance(value, str) else value


def copy_legacy(batch: int = 5000) -> int:
    """Move one batch of rows from monitor_event_legacy (the unpartitioned table an existing
    installation had before partitioning) into the partitioned table, compressing payloads;
    returns rows moved (0: done, and the legacy table is dropped). Resumable: each batch is its
    own transaction and deletes what it copied."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('monitor_event_legacy')")
        if cursor.fetchone()[0] is None:
            return 0
        cursor.execute(
            "SELECT id, project_id, issue_id, event_id, timestamp, received, grouping_hash, "
            "level, platform, title, release, environment, \"user\", tags, data "
            "FROM monitor_event_legacy ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED", [batch])
        rows = cursor.fetchall()
        if not rows:
            cursor.execute("DROP TABLE monitor_event_legacy")
            return 0
        cursor.execute("SELECT project_id, event_id FROM monitor_eventkey "
                       "WHERE (project_id, event_id) IN (SELECT * FROM unnest(%s::bigint[], "
                       "%s::uuid[]))", [[r[1] for r in rows], [r[3] for r in rows]])
        taken = set(cursor.fetchall())
        cursor.execute("SELECT id FROM monitor_issue WHERE id = ANY(%s)", [[r[2] for r in rows]])
        issues = {row[0] for row in cursor.fetchall()}
        events = []
        for (pk, project_id, issue_id, event_id, timestamp, received, grouping_hash, level,
             platform, title, release, environment, user, tags, data) in rows:
            if (project_id, event_id) in taken or issue_id not in issues:
                continue  # a re-sent event stored since the upgrade wins; a deleted issue's go
            user, tags, data = (_json(value) for value in (user, tags, data))
            event = Event(id=pk, project_id=project_id, issue_id=issue_id, event_id=event_id,
                          timestamp=timestamp, received=received, grouping_hash=grouping_hash,
                          level=level, platform=platform, title=title, release=release,
                          environment=environment, user=user, tags=tags, data=data,
                          remote_addr=remote_addr_of(data))
            events.append(event)
        _write(events)
        cursor.execute("DELETE FROM monitor_event_legacy WHERE id = ANY(%s)",
                       [[r[0] for r in rows]])
    return len(rows)


def sweep_orphans(limit: int = 5000) -> int:
    """Delete the stored objects of events deleted row by row (monitor_eventpayloadorphan is
    filled by the delete trigger), a bounded batch per call; returns how many went."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT event_id, received FROM monitor_eventpayloadorphan "
                       "LIMIT %s FOR UPDATE SKIP LOCKED", [limit])
        rows = cursor.fetchall()
        if rows and uses_object_store():
            from monitor import objectstore

            objectstore.delete([objectstore.key_for(pk, at) for pk, at in rows])
        cursor.execute("DELETE FROM monitor_eventpayloadorphan WHERE (event_id, received) IN "
                       "(SELECT * FROM unnest(%s::bigint[], %s::timestamptz[]))",
                       [[r[0] for r in rows], [r[1] for r in rows]])
    return len(rows)
