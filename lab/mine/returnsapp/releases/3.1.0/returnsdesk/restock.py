"""Putting graded returns back on the shelves."""

import logging

from returnsdesk import store
from returnsdesk.errors import PolicyViolation

log = logging.getLogger(__name__)


def put_away(rma_id, bin_code):
    log.info("restocking %s into %s", rma_id, bin_code)
    rma = store.load_return(rma_id)
    if any(item.get("hazmat") for item in rma["items"]):
        raise PolicyViolation(f"hazardous goods cannot be restocked ({rma_id})")
    # bins are labelled <aisle>-<shelf>, e.g. B12-4
    aisle, shelf = bin_code.split("-")
    for item in rma["items"]:
        store.STOCK[item["sku"]] = store.STOCK.get(item["sku"], 0) + item["qty"]
    for sku, qty in list(store.STOCK.items()):
        if qty == 0:
            del store.STOCK[sku]
    return {"rma": rma_id, "aisle": aisle, "shelf": int(shelf)}
