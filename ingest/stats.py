"""Counters of envelope items that are accepted but not stored (transactions, sessions, ...)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

import redis

from monitor.redis import client

log = logging.getLogger(__name__)
KEEP_DAYS = 35
# Envelope item types of the Sentry protocol; anything else is counted as "unknown", so a sender
# cannot add hash fields to the broker's memory by inventing types.
KNOWN_ITEM_TYPES = frozenset(
    {
        "event", "transaction", "attachment", "session", "sessions", "user_report", "feedback",
        "client_report", "replay_event", "replay_recording", "replay_video", "check_in",
        "profile", "profile_chunk", "statsd", "metric_buckets", "span", "otel_span", "log",
        "otel_log", "trace_metric", "security", "raw_security", "nel", "form_data",
        "unreal_report",
    }
)
# Counted by the server when it drops an attachment or feedback (attachments.accept,
# feedback.accept, ingest.side_items), never sender-chosen.
KNOWN_ITEM_TYPES |= {"attachment_without_event", "attachment_over_event_limit",
                     "attachment_over_project_limit", "attachment_database_unavailable",
                     "attachment_rate_limited", "feedback_database_unavailable",
                     "feedback_over_project_limit", "feedback_rate_limited"}


def item_type_name(item_type: str) -> str:
    return item_type if item_type in KNOWN_ITEM_TYPES else "unknown"


def _name(project_id: int) -> str:
    return f"faultline:items:{project_id}"


def count_items(project_id: int, counts: Counter, day: dt.date | None = None) -> None:
    if not counts:
        return
    day = day or dt.datetime.now(dt.UTC).date()
    try:
        pipe = client().pipeline()
        for item_type, n in counts.items():
            pipe.hincrby(_name(project_id), f"{day.isoformat()}:{item_type_name(item_type)}", n)
        pipe.expire(_name(project_id), KEEP_DAYS * 86400)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not count skipped items: %s", exc)


def item_counts(project_id: int) -> dict[str, dict[str, int]]:
    """{"2026-11-21": {"transaction": 3, ...}, ...}"""
    out: dict[str, dict[str, int]] = {}
    for field, value in client().hgetall(_name(project_id)).items():
        day, _, item_type = field.decode().partition(":")
        out.setdefault(day, {})[item_type] = int(value)
    return out
