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


def order(order_id):
    found = ORDERS.get(order_id)
    if found is None:
        raise OrderMissing(f"order {order_id} not found")
    return found


def rma(rma_id):
    found = RETURNS.get(rma_id)
    if found is None:
        raise ReturnMissing(f"no return {rma_id}")
    return found


def add_rma(record):
    rma_id = f"RMA-{len(RETURNS) + 7001}"
    RETURNS[rma_id] = {**record, "id": rma_id}
    return rma_id
