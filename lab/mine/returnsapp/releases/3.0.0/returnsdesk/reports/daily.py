"""The daily returns report for the operations team."""

import statistics
from decimal import Decimal

from returnsdesk import store


def average_refund():
    return statistics.mean(Decimal(r) for r in store.DAY["refunds"])


def return_rate():
    returns = Decimal(len(store.RETURNS))
    return str((returns / Decimal(store.DAY["orders"])).quantize(Decimal("0.001")))
