"""The warehouse dock: a returned parcel is scanned in."""

import logging
from decimal import Decimal

from returnsdesk import store

log = logging.getLogger(__name__)


def _dock(code):
    return next(d for d in store.DOCKS if d["code"] == code)


def _parse_weight(raw):
    """Kilograms, as the scale sends them."""
    return float(raw)


def receive(scan):
    log.info("scan %s at %s", scan.get("rma"), scan.get("dock"))
    rma = store.load_return(scan["rma"])
    dock = _dock(scan["dock"])
    weight = _parse_weight(scan["weight"])
    declared = Decimal(scan["declared"])
    rma["received"] = {"dock": dock["code"], "weight": weight, "declared": str(declared)}
    return {"rma": rma["id"], "dock": dock["name"], "kg": weight}
