"""Refunds: the amount owed for a graded return, paid back through the payment provider."""

import logging
from decimal import Decimal

from returnsdesk import store
from returnsdesk.errors import RefundFailed
from returnsdesk.gateway import psp

log = logging.getLogger(__name__)
CENT = Decimal("0.01")


class RefundService:
    """Works out and pays refunds; one instance per process."""

    def __init__(self, gateway=psp):
        self.gateway = gateway

    def amount_for(self, rma):
        total = sum(Decimal(item["price"]) * item["qty"] for item in rma["items"])
        kept = Decimal(str(rma["grade"]["deduction"]))
        return (total * (1 - kept)).quantize(CENT)

    def issue(self, rma_id):
        rma = store.load_return(rma_id)
        order = store.load_order(rma["order_id"])
        amount = self.amount_for(rma)
        log.info("refunding %s for %s via %s", amount, rma_id, order["psp"])
        try:
            answer = self.gateway.send_refund(order["psp"], str(amount), rma_id)
        except Exception as exc:
            raise RefundFailed(f"payment provider refused the refund for {rma_id}") from exc
        return {"rma": rma_id, "amount": str(amount), "status": answer["status"]}


service = RefundService()


def issue_refund(rma_id):
    return service.issue(rma_id)
