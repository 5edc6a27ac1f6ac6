"""How many events an hour are too many for an issue: the escalation limit, from its hourly
counts over the previous week. Pure functions of the counts.

`sentry_limit` is Sentry's forecast as its public code describes it; `limit` is the one Faultline
uses: the same formula with the week's busiest hour replaced by its 99th percentile (one past
outage hour no longer blinds the issue for a week), plus two guards: no forecast for an issue
with fewer than MIN_HISTORY_HOURS hours of history (a brand-new issue's first hours are not a
baseline), and never a limit under MIN_LIMIT events an hour (3 → 30 an hour is not an
outage). bench/priority_replay.py measures both on replayed traffic (docs/priority.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

WEEK_HOURS = 7 * 24
YOUNG_MULTIPLIER = 10
MIN_HISTORY_HOURS = 3
MIN_LIMIT = 20.0
PEAK_PERCENTILE = 99.0


def _weighted_average(counts: np.ndarray) -> float:
    """Recent days weigh more: day d of the week (1 oldest … 7 newest) weighs d."""
    days = np.arange(len(counts)) * 7 // max(1, len(counts)) + 1
    return float(np.average(counts, weights=days))


def sentry_limit(counts: Sequence[float], young: bool, peak_percentile: float = 100.0) -> float:
    """max(spike, bursty) for issues a week old or more; a younger issue's limit is its busiest
    hour × 10. Counts are the previous hours, oldest first. `peak_percentile` < 100 takes that
    percentile of the hours for the busiest (Faultline's variant)."""
    values = np.asarray(counts, dtype=np.float64)
    if values.size == 0:
        return 0.0
    peak = float(np.percentile(values, peak_percentile))
    if young:
        return peak * YOUNG_MULTIPLIER
    average = float(values.mean())
    if average <= 0:
        return 0.0
    deviation = float(values.std())
    multiplier = min(max((average + 5 * deviation) / average, 5), 8)
    spike = _weighted_average(values) + multiplier * average
    cv = deviation / average
    bursty = peak * min(max(2.0, 5 * math.exp(-0.65 * cv)), 5.0)
    return max(spike, bursty)


def limit(counts: Sequence[float], history_hours: int) -> float | None:
    """Faultline's limit, or None when the issue has too little history to have one.
    `history_hours`: hours since the issue's first counted hour (received time, not the SDK's)."""
    if history_hours < MIN_HISTORY_HOURS:
        return None
    value = sentry_limit(counts, young=history_hours < WEEK_HOURS,
                         peak_percentile=PEAK_PERCENTILE)
    if not math.isfinite(value):
        return None
    return max(value, MIN_LIMIT)


def crossed(count: float, limit_value: float | None) -> bool:
    return limit_value is not None and math.isfinite(limit_value) and count > limit_value
