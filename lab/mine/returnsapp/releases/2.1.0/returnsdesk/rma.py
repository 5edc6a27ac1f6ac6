"""Opening a return (an RMA) for lines of a delivered order."""

import logging

from returnsdesk import policy, store
from returnsdesk.errors import PolicyViolation

log = logging.getLogger(__name__)


def create_return(payload):
    """Open an RMA; the lines must be on the order and the window still open."""
    log.info("return requested for order %s", payload.get("order_id"))
    order = store.order(payload["order_id"])
    lines = {line["sku"]: line for line in order["lines"]}
    items = []
    for item in payload["items"]:
        line = lines[item["sku"]]
        if line.get("final_sale"):
            raise PolicyViolation("item is not returnable")
        if item["qty"] > line["qty"]:
            raise PolicyViolation(f"only {line['qty']} of {item['sku']} were ordered")
        items.append({"sku": item["sku"], "qty": item["qty"], "price": line["price"]})
    if not policy.within_window(order, payload["requested"]):
        raise PolicyViolation("return window closed")
    rma_id = store.add_rma({"order_id": order["id"], "items": items, "grade": None})
    return {"rma": rma_id, "items": len(items)}
