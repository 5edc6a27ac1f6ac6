"""A labelled set of bugs with known causes, for measuring summaries (bench/assist_quality.py).

The events are the grouping dev set's (evaluation.devset.generate: real sentry-sdk captures of
real Python bugs, and JavaScript and Java events in real SDK shapes), one per bug. The labels
say what the cause is, as groups of phrases: every group must have one phrase in the answer.
The exception and the location are read from the event itself: the raised exception type (or
the root cause's, when wrapped) and the crash site's function or module.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass

from grouping.clean import clean_function, is_in_app

CAUSES: dict[str, list[list[str]]] = {
    "py.cart.average_of_empty": [["empty", "no items", "zero items", "0 items"]],
    "py.cart.discount_of_empty": [["empty", "total is 0", "total is zero", "zero total",
                                   "no items"]],
    "py.users.unknown_user": [["user"], ["unknown", "not in", "missing", "does not exist",
                                         "not found", "no such", "not exist"]],
    "py.users.missing_limits": [["limits"], ["missing", "no ", "not ", "lack", "without"]],
    "py.config.missing_file": [["missing", "not exist", "doesn't exist", "not found",
                                "no such file"]],
    "py.notify.no_customer": [["customer"], ["none", "null", "missing", "not set"]],
    "py.notify.no_shipping": [["shipping"], ["none", "null", "missing", "not set"]],
    "py.search.bad_page": [["page"], ["not a number", "non-numeric", "not numeric", "invalid",
                                      "not an integer", "string"]],
    "py.search.no_page": [["page"], ["missing", "no page", "not present", "absent", "without"]],
    "py.reports.string_amount": [["string", "str"]],
    "py.jobs.empty_queue": [["empty"]],
    "py.payments.charge_timeout": [["timeout", "timed out", "too long", "slow"]],
    "py.payments.refund_timeout": [["timeout", "timed out", "too long", "slow"]],
    "py.stock.out_of_stock": [["stock"]],
    "py.payments.card_declined": [["declined"]],
    "py.orders.not_found": [["order"], ["not found", "missing", "does not exist", "unknown"]],
    "py.customers.not_found": [["customer"], ["not found", "missing", "does not exist",
                                              "unknown"]],
    "js.cart.undefined_id": [["undefined", "missing", "null"], ["item"]],
    "js.cart.undefined_name": [["undefined", "missing", "null"], ["item", "name"]],
    "js.api.fetch_failed": [["network", "offline", "server", "unreachable", "cors",
                             "connection", "request"]],
    "js.api.bad_json": [["html", "not json", "not valid json", "<!doctype", "error page"]],
    "java.receipts.null_customer": [["customer"], ["null"]],
    "java.receipts.null_shipping": [["shipping", "address"], ["null"]],
    "java.payments.read_timeout": [["timeout", "timed out", "slow"]],
    "java.search.bad_page": [["number", "numeric", "invalid", "parse"]],
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    bug: str
    event: dict  # normalized
    exceptions: tuple[str, ...]
    locations: tuple[str, ...]
    cause: list[list[str]]


@dataclass(frozen=True)
class Score:
    exception: bool
    location: bool
    cause: bool

    @property
    def all(self) -> bool:
        return self.exception and self.location and self.cause


def _facts(event: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    types = tuple(dict.fromkeys(e.get("type") or "" for e in (exceptions[:1] + exceptions[-1:])))
    frames = [f for f in ((exceptions[0].get("stacktrace") or {}).get("frames") or [])
              if is_in_app(f)] if exceptions else []  # fmt: skip
    site = frames[-1] if frames else {}
    locations = [clean_function(site.get("function") or "")]
    module = (site.get("module") or "").rsplit(".", 1)[-1]
    filename = (site.get("filename") or "").rsplit("/", 1)[-1].split(".")[0]
    locations += [x for x in (module, filename) if x and "$$" not in x]
    return tuple(t for t in types if t), tuple(x for x in locations if x and x != "?")


def cases(seed: int = 7) -> list[Case]:
    """One event per labelled bug, normalized as ingest stores it."""
    from evaluation.devset.generate import java_events, js_events, python_events
    from ingest.normalize import normalize_event

    rng = random.Random(seed)
    rows = python_events(rng, per_release=1) + js_events(rng, per_variant=1) + java_events(
        rng, per_variant=1)  # fmt: skip
    out, seen = [], set()
    for row in rows:
        if row["bug"] in seen or row["bug"] not in CAUSES:
            continue
        seen.add(row["bug"])
        event = normalize_event(row["event"], time.time(), "0" * 32)
        exceptions, locations = _facts(event)
        out.append(Case(row["bug"], event, exceptions, locations, CAUSES[row["bug"]]))
    return out


def named(name: str, lower: str) -> bool:
    """`name` appears as a whole identifier ("send" does not count inside "sendReceipt")."""
    return re.search(rf"(?<![a-z0-9_$]){re.escape(name.lower())}(?![a-z0-9_])", lower) is not None


def score(case: Case, text: str) -> Score:
    lower = text.lower()
    return Score(
        exception=any(named(t, lower) for t in case.exceptions),
        location=any(named(x, lower) for x in case.locations),
        cause=all(any(p in lower for p in group) for group in case.cause),
    )
