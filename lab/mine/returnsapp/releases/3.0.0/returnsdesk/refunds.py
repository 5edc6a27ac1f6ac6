"""Refunds: the amount owed for a graded return, paid back through the payment provider."""

import logging
from decimal import Decimal

from returnsdesk import store
from returnsdesk.errors import RefundFailed
from returnsdesk.gateway import psp

log = logging.getLogger(__name__)


def refund_amount(rma):
    total = sum(Decimal(item["price"]) * item["qty"] for item in rma["items"])
    kept = Decimal(str(rma["grade"]["deduction"]))
    return (total * (1 - kept)).quantize(Decimal("0.01"))


def issue_refund(rma_id):
    rma = store.rma(rma_id)
    order = store.order(rma["order_id"])
    amount = refund_amount(rma)
    log.info("refunding %s for %s via %s", amount, rma_id, order["psp"])
    try:
        answer = psp.send_refund(order["psp"], str(amount), rma_id)
    except Exception as exc:
        raise RefundFailed(f"refund of {amount} for {rma_id} failed") from exc
    return {"rma": rma_id, "amount": str(amount), "status": answer["status"]}
