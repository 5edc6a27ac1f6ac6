"""The order and returns tables (an in-memory stand-in for the warehouse database)."""

from returnsdesk.errors import OrderMissing, ReturnMissing

ORDERS = {}
RETURNS = {}
DOCKS = []
STOCK = {}
DAY = {"orders": 0, "refunds": []}


def reset(orders=(), returns=(), docks=(), stock=None, day=None):
    ORDERS.clear()
    RETURNS.clear()
    DOCKS[:] = [dict(d) for d in docks]
    STOCK.clear()
    STOCK.update(stock or {})
    DAY.clear()
    DAY.update(day or {"orders": 0, "refunds": []})
    for o in orders:
        ORDERS[o["id"]] = dict(o)
    for r in returns:
        RETURNS[r["id"]] = dict(r)


def load_order(order_id):
    """The order, or OrderMissing: orders are purged two years after delivery."""
    found = ORDERS.get(order_id)
    if found is None:
        raise OrderMissing(f"unknown order {order_id}")
    return found


def load_return(rma_id):
    """The return, or ReturnMissing."""
    found = RETURNS.get(rma_id)
    if found is None:
        raise ReturnMissing(f"return {rma_id} does not exist")
    return found


def add_rma(record):
    rma_id = f"RMA-{len(RETURNS) + 7001}"
    RETURNS[rma_id] = {**record, "id": rma_id}
    return rma_id
