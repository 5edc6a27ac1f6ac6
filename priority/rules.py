"""Which issues matter: a new issue's priority from its signals, with the reasons in words.

Pure: `signals_of` reads an event (SDK data is hostile: a level or `mechanism.handled` of the
wrong type is read as "not said", never an error), `assess` turns signals into a priority and
the words the issue page shows ("unhandled, new in 2.4.0, 37 users").

Sentry's rule is the starting point (fatal → high, debug/info → low, error and warning → high
when the severity score is ≥ 0.1, else medium). Faultline's: the level sets the start (fatal
high, error and warning medium, info and debug low); a crash the SDK did not handle makes an
error or warning high; otherwise it takes two of: a severe score, a regression, first seen in
the project's latest release, 10 or more users (100 or more count twice); a handled warning or a
captured warning message with none of them is low.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.models import Priority

LEVELS = ("debug", "info", "warning", "error", "fatal")
SEVERE_SCORE = 0.5  # the severity head's decision threshold (its JSON may carry another)
MANY_USERS = 10
VERY_MANY_USERS = 100
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}


@dataclass(frozen=True)
class Signals:
    level: str = "error"
    handled: bool | None = None  # None: the SDK did not say (or said it in a wrong type)
    crash: bool = True  # an exception (or native crash), not a captured message
    regressed: bool = False
    new_in_release: str = ""  # the project's latest release, when the issue was first seen in it
    users: int = 0
    severity: float | None = None  # the model's score; None without an embedding
    severe_at: float = SEVERE_SCORE


@dataclass(frozen=True)
class Assessment:
    priority: int
    factors: list[str]

    @property
    def label(self) -> str:
        return Priority(self.priority).label


def _flag(value) -> bool | None:
    """A boolean as SDKs send it, or None for anything else (lists, dicts, numbers ≠ 0/1)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def _level(value) -> str:
    if isinstance(value, str) and value.strip().lower() in LEVELS:
        return value.strip().lower()
    return "error"


def signals_of(data: dict) -> Signals:
    """The event's own signals (level, handled, crash); the issue adds the others."""
    data = data if isinstance(data, dict) else {}
    values = data.get("exception")  # normalized: a list; as the SDK sent it: {"values": [...]}
    values = values.get("values") if isinstance(values, dict) else values
    values = [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []
    handled = None
    for value in reversed(values):  # the outermost exception the SDK reports last
        mechanism = value.get("mechanism")
        if isinstance(mechanism, dict) and (flag := _flag(mechanism.get("handled"))) is not None:
            handled = flag
            break
    return Signals(level=_level(data.get("level")), handled=handled, crash=bool(values))


def _step(priority: int, steps: int) -> int:
    order = [Priority.LOW, Priority.MEDIUM, Priority.HIGH]
    index = order.index(priority) + steps
    return int(order[max(0, min(len(order) - 1, index))])


def assess(signals: Signals) -> Assessment:
    """The priority and its reasons. The level sets the start (fatal high, error and warning
    medium, info and debug low); each signal moves it at most one step, and fatal stays high."""
    factors: list[str] = [signals.level]
    if signals.level == "fatal":
        start = Priority.HIGH
    elif signals.level in ("debug", "info"):
        start = Priority.LOW
    else:
        start = Priority.MEDIUM
    up = down = 0
    if not signals.crash:
        factors.append("captured message")
        down += signals.level == "warning"
    elif signals.handled is False:
        factors.append("unhandled")
        up += 1
    elif signals.handled is True:
        factors.append("handled")
        down += signals.level == "warning"
    if signals.severity is not None:
        severe = signals.severity >= signals.severe_at
        factors.append(f"severity {signals.severity:.2f}{' (severe)' if severe else ''}")
        up += severe
    if signals.regressed:
        factors.append("regressed")
        up += 1
    if signals.new_in_release:
        factors.append(f"new in {signals.new_in_release}")
        up += 1
    if signals.users >= MANY_USERS:
        factors.append(f"{signals.users} users")
        up += 1 + (signals.users >= VERY_MANY_USERS)
    elif signals.users:
        factors.append(f"{signals.users} user{'s' if signals.users > 1 else ''}")
    if start == Priority.HIGH:
        return Assessment(int(Priority.HIGH), factors)
    if start == Priority.LOW:  # info and debug rise only with users or a regression
        up = int(signals.regressed) + (signals.users >= MANY_USERS)
        return Assessment(_step(start, min(up, 1)), factors)
    # medium: an unhandled crash is high; otherwise it takes two signals (the severity score
    # is one: a prior from generated data, not enough alone to page anyone).
    if signals.handled is False or up >= 2:
        return Assessment(int(Priority.HIGH), factors)
    if down and not up:
        return Assessment(int(Priority.LOW), factors)
    return Assessment(int(Priority.MEDIUM), factors)

