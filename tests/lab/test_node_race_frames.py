"""The Node miners' tidy drops the frames of the race in Node's scheduling (where the microtasks
after a timer callback are drained), so a second capture of one trigger writes the same bytes;
a timer callback's own frames, which every capture sends, stay."""

from __future__ import annotations

from lab.mine.js.tidy import race_frames, tidy


def frame(filename: str, function: str) -> dict:
    return {"filename": filename, "function": function, "in_app": filename.startswith("/srv")}


DRAIN = frame("/srv/stockroom/app/plain.js", "Timeout.drain [as _onTimeout]")
ROUTE = frame("/srv/stockroom/app/orders/pricing.js", "Object.priceOrder [as orders/quote]")
TIMERS = frame("node:internal/timers", "process.processTimers")
TICKS = frame("node:internal/process/task_queues", "runNextTicks")


def test_the_drain_inside_the_timer_loop_reads_as_the_drain_after_it():
    assert race_frames([DRAIN, TIMERS, TICKS, ROUTE]) == [DRAIN, ROUTE]


def test_a_timer_callbacks_own_frames_stay():
    listed = frame("node:internal/timers", "listOnTimeout")
    assert race_frames([TIMERS, listed, DRAIN, ROUTE]) == [TIMERS, listed, DRAIN, ROUTE]
    assert race_frames([TICKS, TIMERS, ROUTE]) == [TICKS, TIMERS, ROUTE]


def test_tidy_applies_it_to_every_exception():
    event = {"exception": {"values": [{"stacktrace": {"frames": [DRAIN, TIMERS, TICKS, ROUTE]}},
                                      {"stacktrace": {"frames": [TIMERS, TICKS, ROUTE]}}]}}
    tidied = tidy(event, [], "/harness", "stockroom.internal:8080")
    assert [v["stacktrace"]["frames"] for v in tidied["exception"]["values"]] == [
        [DRAIN, ROUTE], [ROUTE]]
