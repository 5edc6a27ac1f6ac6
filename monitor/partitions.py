"""The time partitions of monitor_event and monitor_eventpayload (docs/storage.md).

Both tables are partitioned by RANGE on `received`, in spans of FAULTLINE_EVENT_PARTITION_DAYS
counted from the Unix epoch, each with a DEFAULT partition that catches a received time no span
covers (a skewed clock, a replay from long ago), so no event is ever refused. `ensure` creates
the spans ahead of time (a beat task); a span created over rows already in the default
partition takes them along. `detach` takes a whole span out once every organisation's
retention has passed it. The spans that exist are read from the catalog, never assumed from
the setting: an installation that changes the length keeps its older spans, and a new span
that would overlap one is cut to the free part. DDL takes the parents in one order (events,
then payloads), as every insert does, and waits at most `LOCK_TIMEOUT` for a lock, so it never
deadlocks ingest and never holds it up behind a long query: a span it could not lock is done
on the next run.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

PARENTS = ("monitor_event", "monitor_eventpayload")  # the lock order
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LOCK_TIMEOUT = "5s"
# ATTACH adds the events' foreign keys to the new table, which needs SHARE ROW EXCLUSIVE on the
# tables they reference; ingest's issue update holds those and then reads every partition, so
# `create` takes them first, and gives up before the deadlock detector (deadlock_timeout, 1 s
# by default) would pick a victim: ingest's transaction is never the one that fails.
REFERENCED = ("monitor_issue", "monitor_project")
CREATE_LOCK_TIMEOUT = "500ms"
# Set while rows move between partitions: the key and payload triggers leave them alone.
MOVING = "SET LOCAL faultline.moving_events = 'on'"
BOUNDS = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True, order=True)
class Span:
    start: dt.datetime
    end: dt.datetime

    @property
    def suffix(self) -> str:
        return f"p{self.start:%Y%m%d}"

    def table(self, parent: str) -> str:
        return f"{parent}_{self.suffix}"


def span_of(moment: dt.datetime, days: int | None = None) -> Span:
    """The span holding `moment`: whole multiples of the partition length since the epoch."""
    length = dt.timedelta(days=days or settings.FAULTLINE_EVENT_PARTITION_DAYS)
    start = EPOCH + length * ((moment - EPOCH) // length)
    return Span(start, start + length)


def existing(parent: str = "monitor_event") -> list[Span]:
    """The ranged partitions of `parent`, oldest first (the default one is not a span)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [parent])
        found = []
        for (bound,) in cursor.fetchall():
            match = BOUNDS.search(bound or "")
            if match:
                found.append(Span(*(_parse(text) for text in match.groups())))
    return sorted(found)


def _parse(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _literal(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("'%Y-%m-%d %H:%M:%S+00'")


def create(span: Span) -> bool:
    """Create the span in both tables, moving the default partitions' rows of its range into
    it; False when a lock was not had in time (try again later)."""
    missing = []
    with connection.cursor() as cursor:
        for parent in PARENTS:
            cursor.execute("SELECT to_regclass(%s)", [span.table(parent)])
            if cursor.fetchone()[0] is None:
                missing.append(parent)
    if not missing:
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{CREATE_LOCK_TIMEOUT}'")
            cursor.execute(MOVING)
            cursor.execute(f"LOCK TABLE {', '.join(REFERENCED)} IN SHARE ROW EXCLUSIVE MODE")
            for parent in PARENTS:
                cursor.execute("SELECT to_regclass(%s)", [span.table(parent)])
                if cursor.fetchone()[0] is not None:
                    continue
                table, low, high = span.table(parent), _literal(span.start), _literal(span.end)
                cursor.execute(f"LOCK TABLE {parent} IN SHARE UPDATE EXCLUSIVE MODE")
                cursor.execute(f"CREATE TABLE {table} (LIKE {parent} INCLUDING DEFAULTS)")
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {parent}_default WHERE received >= {low} "
                    f"AND received < {high} RETURNING *) INSERT INTO {table} SELECT * FROM moved")
                cursor.execute(f"ALTER TABLE {parent} ATTACH PARTITION {table} "
                               f"FOR VALUES FROM ({low}) TO ({high})")
    except OperationalError:  # lock_timeout: ingest or a long reader holds the table
        return False
    return True


def free_parts(wanted: Span, taken: list[Span]) -> list[Span]:
    """The parts of `wanted` no span in `taken` covers, oldest first: spans of another length,
    made before the setting changed, stay as they are and new ones fill around them."""
    parts, start = [], wanted.start
    for span in sorted(taken):
        if span.end <= start or span.start >= wanted.end:
            continue
        if span.start > start:
            parts.append(Span(start, span.start))
        start = max(start, span.end)
    if start < wanted.end:
        parts.append(Span(start, wanted.end))
    return parts


def ensure(now: dt.datetime | None = None, ahead: int | None = None) -> list[Span]:
    """Create the current span and `ahead` more (FAULTLINE_EVENT_PARTITIONS_AHEAD) where
    missing, each cut to what existing spans leave free; returns the spans created."""
    now = now or timezone.now()
    ahead = settings.FAULTLINE_EVENT_PARTITIONS_AHEAD if ahead is None else ahead
    events, payloads = existing("monitor_event"), existing("monitor_eventpayload")
    both, taken = set(events) & set(payloads), sorted(set(events) | set(payloads))
    span, made = span_of(now), []
    for _ in range(ahead + 1):
        if span in both:
            parts = []
        elif span in taken:
            parts = [span]  # in one table only (a run stopped half way): create finishes it
        else:
            parts = free_parts(span, taken)
        for part in parts:
            if create(part):
                made.append(part)
                taken = sorted({*taken, part})
        span = span_of(span.end)
    return made


def detach(span: Span) -> bool:
    """Take the span out of both tables, dropping its payloads at once; its events stay, as a
    table of their own, until retention has taken them out of what derives from them (see
    `detached`), its bounds kept as a CHECK constraint (`SPAN_CHECK`, not validated: no
    scan). False when a lock was not had in time."""
    table = span.table("monitor_event")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f"LOCK TABLE {', '.join(PARENTS)} IN ACCESS EXCLUSIVE MODE")
            for parent in PARENTS:
                cursor.execute(f"ALTER TABLE {parent} DETACH PARTITION {span.table(parent)}")
            cursor.execute(f"DROP TABLE {span.table('monitor_eventpayload')}")
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {SPAN_CHECK} CHECK (received >= "
                f"{_literal(span.start)} AND received < {_literal(span.end)}) NOT VALID")
    except OperationalError:
        return False
    return True


SPAN_CHECK = "detached_span"  # the constraint holding a detached table's bounds
CHECK_BOUNDS = re.compile(r"received >= '([^']+)'.*received < '([^']+)'")


def detached() -> list[tuple[str, Span]]:
    """Event partitions detached and not yet dropped (a retention run stopped half way):
    (table, span), oldest first. The span is the one the table was detached with (its
    `SPAN_CHECK`); a table detached before that was kept spans its rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_constraintdef(k.oid) FROM pg_class c "
            "LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.conname = %s "
            "WHERE c.relkind = 'r' AND NOT c.relispartition "
            "AND c.relname ~ '^monitor_event_p[0-9]{8}$' ORDER BY c.relname", [SPAN_CHECK])
        rows = cursor.fetchall()
    return sorted(((name, _detached_span(name, check)) for name, check in rows),
                  key=lambda found: found[1])


def _detached_span(table: str, check: str | None) -> Span:
    match = CHECK_BOUNDS.search(check or "")
    if match:
        return Span(*(_parse(text) for text in match.groups()))
    with connection.cursor() as cursor:  # detached by an older version: its rows' range
        cursor.execute(f"SELECT min(received), max(received) FROM {table}")
        low, high = cursor.fetchone()
    start = dt.datetime.strptime(table[-8:], "%Y%m%d").replace(tzinfo=dt.UTC)
    return Span(min(low or start, start), (high or start) + dt.timedelta(microseconds=1))


def progress(table: str) -> int:
    """The last event id of a detached table already accounted for (kept in its comment, so
    it commits with the work it records)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [table])
        note = cursor.fetchone()[0] or ""
    return int(note) if note.isdigit() else 0


def record_progress(table: str, last_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON TABLE {table} IS '{int(last_id)}'")


def drop_detached(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def expired(horizon: dt.datetime) -> list[Span]:
    """Spans wholly before `horizon`, oldest first."""
    return [span for span in existing("monitor_event") if span.end <= horizon]
