"""Opening a return (an RMA) for lines of a delivered order."""

import logging

from returnsdesk import store
from returnsdesk.errors import PolicyViolation
from returnsdesk.returns.window import check_window

log = logging.getLogger(__name__)


def _line_for(order, sku):
    lines = {line["sku"]: line for line in order["lines"]}
    return lines[sku]


def create_return(payload):
    """Open an RMA; the lines must be on the order and the window still open."""
    log.info("return requested for order %s", payload.get("order_id"))
    order = store.load_order(payload["order_id"])
    items = []
    for item in payload["items"]:
        line = _line_for(order, item["sku"])
        if line.get("final_sale"):
            raise PolicyViolation("item is not returnable")
        if item["qty"] > line["qty"]:
            raise PolicyViolation(f"only {line['qty']} of {item['sku']} were ordered")
        items.append({"sku": item["sku"], "qty": item["qty"], "price": line["price"]})
    if not check_window(order, payload["requested"]):
        raise PolicyViolation("return window closed")
    rma_id = store.add_rma({"order_id": order["id"], "items": items, "grade": None})
    return {"rma": rma_id, "items": len(items)}
