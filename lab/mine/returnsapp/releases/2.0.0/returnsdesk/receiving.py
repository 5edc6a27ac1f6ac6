"""The warehouse dock: a returned parcel is scanned in."""

from decimal import Decimal

from returnsdesk import store


def receive(scan):
    rma = store.rma(scan["rma"])
    dock = next(d for d in store.DOCKS if d["code"] == scan["dock"])
    weight = float(scan["weight"])
    declared = Decimal(scan["declared"])
    rma["received"] = {"dock": dock["code"], "weight": weight, "declared": str(declared)}
    return {"rma": rma["id"], "dock": dock["name"], "kg": weight}
