"""The warehouse dock: a returned parcel is scanned in."""

import logging
from decimal import Decimal

from returnsdesk import store

log = logging.getLogger(__name__)


def receive(scan):
    log.info("scan %s at %s", scan.get("rma"), scan.get("dock"))
    rma = store.rma(scan["rma"])
    dock = next(d for d in store.DOCKS if d["code"] == scan["dock"])
    weight = float(scan["weight"])
    declared = Decimal(scan["declared"])
    rma["received"] = {"dock": dock["code"], "weight": weight, "declared": str(declared)}
    return {"rma": rma["id"], "dock": dock["name"], "kg": weight}
