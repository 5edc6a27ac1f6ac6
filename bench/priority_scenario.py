"""The traffic bench/priority_replay.py replays, and the labels it is scored against.

Written by hand, apart from the priority code (nothing here imports it): what a developer
should look at first (`LABELS`, per issue) and when an issue really spikes (`OUTAGES`, the
windows an escalation alert belongs in). Two weeks of hourly traffic:

- steady background issues (errors with a daily rhythm, handled and unhandled);
- noisy handled warnings that burst now and then (×3 for an hour: noise, not an outage);
- release 2.4.0 on day 10 introduces a fault (an unhandled TypeError for many users) and a
  harmless deprecation warning;
- dependency outages: an existing issue's rate jumps ×8 to ×60 for 20 minutes to 3 hours
  (the payments API, the search cluster, a DNS failure...);
- a young issue that trickles (1-3 an hour) and sometimes doubles: not an outage.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DAYS = 14
HOURS = DAYS * 24
RELEASE_HOUR = 9 * 24 + 10  # day 10, 10:00


@dataclass
class IssueSpec:
    key: str
    text: str  # "Type: value" and the crash frames, as the grouping worker embeds them
    level: str = "error"
    handled: bool | None = True
    crash: bool = True
    release: str = "2.3.0"
    start_hour: int = 0
    rate: float = 1.0  # events an hour on average
    daily: float = 0.5  # amplitude of the daily rhythm (0: flat)
    users_first_hour: int = 1
    bursts: list[tuple[int, float]] = field(default_factory=list)  # (hour, ×) noise bursts


def _text(exc: str, value: str, frames: list[str]) -> str:
    return f"{exc}: {value}\n" + "\n".join(f"  {f}" for f in frames)


def issues(seed: int = 1) -> list[IssueSpec]:
    rng = random.Random(seed)
    specs = [
        IssueSpec("bg-keyerror", _text("KeyError", "'currency'", [
            "price_for in shop.pricing: return table[item['currency']]",
            "checkout in shop.views"]), rate=4),
        IssueSpec("bg-validation", _text("ValidationError", "email is not valid", [
            "clean_email in accounts.forms: raise ValidationError(...)",
            "signup in accounts.views"]), rate=12),
        IssueSpec("bg-notfound", _text("NotFoundError", "order 1234 not found", [
            "get_order in orders.repo: raise NotFoundError(f'order {id} not found')",
            "order_detail in orders.api"]), rate=20),
        IssueSpec("bg-payments-conn", _text("ConnectionError", "payments.example.com: refused", [
            "charge in billing.gateway: resp = session.post(url, json=body)",
            "pay in billing.views"]), rate=2),
        IssueSpec("bg-search-timeout", _text("TimeoutError", "search cluster timed out after 5s", [
            "query in search.client: return self.conn.search(q, timeout=5)",
            "search in catalog.views"]), rate=5),
        IssueSpec("bg-dns", _text("OSError", "Temporary failure in name resolution", [
            "send in mailer.smtp: self.sock = socket.create_connection(host)",
            "deliver in mailer.tasks"]), rate=1),
        IssueSpec("bg-attr-unhandled", _text("AttributeError", "'NoneType' has no attribute 'id'",
                                             ["owner_of in projects.models: return p.owner.id",
                                              "dashboard in projects.views"]),
                  handled=False, rate=0.5, start_hour=0),
        IssueSpec("bg-zerodiv", _text("ZeroDivisionError", "division by zero", [
            "average in reports.stats: return sum(xs) / len(xs)",
            "weekly in reports.views"]), rate=0.3),
        IssueSpec("bg-rate-limit", _text("RateLimitError", "429 Too Many Requests", [
            "fetch in crm.client: resp.raise_for_status()", "sync in crm.tasks"]), rate=8),
        IssueSpec("bg-message", _text("", "cache rebuild took longer than 30s", []),
                  level="warning", crash=False, handled=None, rate=3),
    ]
    for n in range(5):  # noisy handled warnings
        bursts = [(rng.randrange(24, HOURS), 3.0) for _ in range(6)]
        specs.append(IssueSpec(
            f"noise-warning-{n}", _text("DeprecationWarning", f"setting {n} is deprecated", [
                f"load_{n} in config.settings: warnings.warn(...)"]),
            level="warning", rate=rng.choice([40, 80, 150]), bursts=bursts))
    for n in range(12):  # more background, some of which the outages hit
        exc, value, frame = rng.choice([
            ("TimeoutError", "upstream {n} timed out", "call in svc{n}.client: return http.get(u)"),
            ("ConnectionError", "service {n} unavailable", "post in svc{n}.client: s.post(u)"),
            ("ValueError", "invalid literal for int(): 'x{n}'", "parse in svc{n}.io: int(raw)"),
            ("TypeError", "unsupported operand for +: 'int' and 'str'",
             "total in svc{n}.calc: return a + b"),
        ])
        specs.append(IssueSpec(f"bg-service-{n}", _text(exc, value.format(n=n),
                                                         [frame.format(n=n)]),
                               rate=rng.choice([1, 2, 5, 10]), start_hour=rng.randrange(0, 48)))
    specs += [
        IssueSpec("release-typeerror", _text(
            "TypeError", "Cannot read properties of undefined (reading 'total')",
            ["renderCart in app/cart.js: return cart.summary.total.toFixed(2)",
             "CartPage in app/pages.js"]),
            handled=False, release="2.4.0", start_hour=RELEASE_HOUR, rate=30,
            users_first_hour=40),
        IssueSpec("release-deprecation", _text(
            "DeprecationWarning", "moment() is deprecated", ["formatDate in app/dates.js"]),
            level="warning", release="2.4.0", start_hour=RELEASE_HOUR, rate=25),
        IssueSpec("release-handled-404", _text(
            "HTTPError", "404 Not Found: /api/v2/banner", ["loadBanner in app/banner.js"]),
            release="2.4.0", start_hour=RELEASE_HOUR + 1, rate=6),
        IssueSpec("young-trickle", _text("KeyError", "'locale'", [
            "translate in i18n.core: return catalog[request.locale]"]),
            start_hour=11 * 24, rate=1.5, daily=0.0,
            bursts=[(11 * 24 + 5, 2.0), (12 * 24 + 2, 2.0), (12 * 24 + 20, 2.0)]),
    ]
    return specs


@dataclass(frozen=True)
class Outage:
    issue: str
    start_minute: int  # minutes since the start of the replay
    minutes: int
    factor: float


def outages(seed: int = 1) -> list[Outage]:
    """The real spikes: dependency outages on issues that already exist (days 8-14)."""
    rng = random.Random(seed * 7919)
    targets = ["bg-payments-conn", "bg-search-timeout", "bg-dns"] + [
        f"bg-service-{n}" for n in range(12)]
    found = []
    for _ in range(16):
        start = rng.randrange(8 * 24 * 60, (DAYS * 24 - 4) * 60)
        found.append(Outage(rng.choice(targets), start, rng.choice([20, 45, 90, 180]),
                            rng.choice([8.0, 15.0, 30.0, 60.0])))
    return found


# What a developer should look at first, written per issue by a person reading the scenario:
# a crash users hit (unhandled, or a defect many users see), the fault a release introduced.
# Not: expected operational errors at their usual rate, handled warnings, messages.
LABELS: dict[str, bool] = {
    "bg-keyerror": False,  # a known, steady, handled defect
    "bg-validation": False,
    "bg-notfound": False,
    "bg-payments-conn": False,  # matters only while its dependency is down (an outage)
    "bg-search-timeout": False,
    "bg-dns": False,
    "bg-attr-unhandled": True,  # an unhandled crash
    "bg-zerodiv": False,
    "bg-rate-limit": False,
    "bg-message": False,
    **{f"noise-warning-{n}": False for n in range(5)},
    **{f"bg-service-{n}": False for n in range(12)},
    "release-typeerror": True,  # the release's fault
    "release-deprecation": False,
    "release-handled-404": False,
    "young-trickle": False,
}
