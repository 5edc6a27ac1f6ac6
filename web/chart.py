"""The issue page's events-over-time chart, drawn server-side as SVG from the stored hourly
counts (monitor.IssueHourlyCount, by received time): pure functions from counts to bars and
marks, so a page view reads at most 720 small rows and never scans events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WIDTH = 600  # the SVG's own units; it scales to the card's width
HEIGHT = 100
GAP = 0.15  # of a bar's slot, left empty between bars


@dataclass
class Bar:
    start: dt.datetime
    count: int
    x: float
    y: float
    width: float
    height: float
    label: str  # the hover text: count and the bucket's time span


@dataclass
class Mark:
    kind: str  # "first-seen", "regression" or "release"
    at: dt.datetime
    x: float
    label: str


@dataclass
class Chart:
    key: str  # "24h" or "30d"
    title: str
    bars: list[Bar]
    marks: list[Mark]
    total: int
    peak: int
    start: dt.datetime
    end: dt.datetime

    @property
    def mark_kinds(self) -> list[tuple[str, str]]:
        """(kind, legend text) of the marks shown, once each."""
        kinds = dict.fromkeys(mark.kind for mark in self.marks)
        return [(kind, kind.replace("-", " ")) for kind in kinds]


@dataclass(frozen=True)
class Window:
    key: str
    title: str
    step: dt.timedelta
    buckets: int
    label_format: str

    def start(self, now: dt.datetime) -> dt.datetime:
        """The first bucket: the current hour (or UTC day) is the last one."""
        now = now.astimezone(dt.UTC)
        last = now.replace(minute=0, second=0, microsecond=0)
        if self.step >= dt.timedelta(days=1):
            last = last.replace(hour=0)
        return last - self.step * (self.buckets - 1)


DAY = Window("24h", "Last 24 hours", dt.timedelta(hours=1), 24, "%Y-%m-%d %H:00")
MONTH = Window("30d", "Last 30 days", dt.timedelta(days=1), 30, "%Y-%m-%d")
WINDOWS = (DAY, MONTH)


def earliest(now: dt.datetime) -> dt.datetime:
    """The oldest hour any window needs (what the page asks the database for)."""
    return min(window.start(now) for window in WINDOWS)


def buckets(hourly: dict[dt.datetime, int], window: Window,
            now: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """Hourly counts summed into the window's buckets; hours outside it are left out."""
    start = window.start(now)
    sums = [0] * window.buckets
    for hour, count in hourly.items():
        index = int((hour - start) / window.step)
        if 0 <= index < window.buckets:
            sums[index] += count
    return [(start + window.step * i, count) for i, count in enumerate(sums)]


def draw(window: Window, counts: list[tuple[dt.datetime, int]],
         events: list[tuple[str, dt.datetime, str]]) -> Chart:
    """Bars scaled to the peak (at least one pixel for a non-zero bucket) and a mark for each
    (kind, time, label) in `events` that falls inside the window."""
    peak = max((count for _, count in counts), default=0)
    slot = WIDTH / window.buckets
    bars = []
    for i, (start, count) in enumerate(counts):
        height = 0.0 if not peak else max(count / peak * HEIGHT, 1.0 if count else 0.0)
        end = start + window.step
        span = (f"{start:{window.label_format}}–{end:%H:00} UTC" if window is DAY
                else f"{start:{window.label_format}} UTC")
        bars.append(Bar(start, count, round(i * slot + slot * GAP / 2, 2),
                        round(HEIGHT - height, 2), round(slot * (1 - GAP), 2), round(height, 2),
                        f"{count} event{'s' if count != 1 else ''} · {span}"))
    start = counts[0][0] if counts else window.start(dt.datetime.now(dt.UTC))
    end = start + window.step * window.buckets
    marks = [Mark(kind, at, round((at - start) / (end - start) * WIDTH, 2),
                  f"{label} · {at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC")
             for kind, at, label in events if at is not None and start <= at < end]
    return Chart(window.key, window.title, bars, marks, sum(c for _, c in counts), peak,
                 start, end)


def charts(hourly: dict[dt.datetime, int], events: list[tuple[str, dt.datetime, str]],
           now: dt.datetime) -> list[Chart]:
    return [draw(window, buckets(hourly, window, now), events) for window in WINDOWS]
