"""Simulated triage for bench/severity_learning.py: what a team does with a new issue, decided
from what it sees (the root exception's type, whether it was handled, which app), by the table
below, written for the benchmark and never read by the priority code. It is a guess at how
teams behave, not a measurement of any: it differs from the default head's notion (code defect
versus operational failure) where teams plausibly differ from it — malformed input from outside
is archived even when its type reads like a defect, and data-integrity or money errors are
acted on even when they read as operational.
"""

from __future__ import annotations

import random

MONEY_APPS = ("ledger-cli", "java-billing")
DATA_INTEGRITY = ("dataintegrity", "invalidoperation", "decimal", "overflow")
BAD_INPUT = ("syntaxerror", "parsererror", "scannererror", "jsondecode", "numberformat",
             "urierror", "validation", "coercion", "valueerror")
OPERATIONAL = ("timeout", "notfound", "permission", "filenotfound", "nosuchelement",
               "connection", "refused")
DEFECT = ("typeerror", "attributeerror", "keyerror", "nullpointer", "indexerror",
          "zerodivision", "assertion", "illegalstate", "illegalargument", "classcast",
          "arrayindex", "rangeerror", "nameerror")

SEVERE_ACTIONS = (("assigned", 0.45), ("commented", 0.25), ("resolved_next", 0.2),
                  ("escalating", 0.1))
OTHER_ACTIONS = (("ignored", 0.55), ("unopened", 0.45))
LEFT_OPEN = 0.15  # opened and left as it is: says nothing


def p_severe(exc_type: str, handled: bool | None, app: str) -> float:
    """How likely a team acts on the issue."""
    name = exc_type.lower().replace("_", "")
    if any(word in name for word in DATA_INTEGRITY):
        return 0.85
    if any(word in name for word in BAD_INPUT):
        return 0.15
    if any(word in name for word in OPERATIONAL):
        return 0.6 if app in MONEY_APPS else 0.2
    if any(word in name for word in DEFECT):
        return 0.85 if handled is False else 0.6
    return 0.5


def action(exc_type: str, handled: bool | None, app: str, rng: random.Random) -> str:
    """One team's action on the issue: a severe one, a dismissive one, or "opened"."""
    if rng.random() < LEFT_OPEN:
        return "opened"
    table = SEVERE_ACTIONS if rng.random() < p_severe(exc_type, handled, app) else OTHER_ACTIONS
    names, weights = zip(*table, strict=True)
    return rng.choices(names, weights)[0]
