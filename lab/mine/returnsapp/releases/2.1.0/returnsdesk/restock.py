"""Putting graded returns back on the shelves."""

from returnsdesk import store
from returnsdesk.errors import PolicyViolation


def put_away(rma_id, bin_code):
    rma = store.rma(rma_id)
    if any(item.get("hazmat") for item in rma["items"]):
        raise PolicyViolation("item is not returnable")
    # bins are labelled <aisle>-<shelf>, e.g. B12-4
    aisle, shelf = bin_code.split("-")
    for item in rma["items"]:
        store.STOCK[item["sku"]] = store.STOCK.get(item["sku"], 0) + item["qty"]
    for sku, qty in store.STOCK.items():
        if qty == 0:
            del store.STOCK[sku]
    return {"rma": rma_id, "aisle": aisle, "shelf": int(shelf)}
