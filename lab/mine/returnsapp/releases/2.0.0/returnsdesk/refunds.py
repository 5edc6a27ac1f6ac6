"""Refunds: the amount owed for a graded return, paid back through the payment provider."""

from decimal import Decimal

from returnsdesk import payments, store
from returnsdesk.errors import RefundFailed


def refund_amount(rma):
    total = sum(Decimal(item["price"]) * item["qty"] for item in rma["items"])
    kept = Decimal(str(rma["grade"]["deduction"]))
    return (total * (1 - kept)).quantize(Decimal("0.01"))


def issue_refund(rma_id):
    rma = store.rma(rma_id)
    order = store.order(rma["order_id"])
    amount = refund_amount(rma)
    try:
        answer = payments.post_refund(order["psp"], str(amount), rma_id)
    except Exception as exc:
        raise RefundFailed(f"refund of {amount} for {rma_id} failed") from exc
    return {"rma": rma_id, "amount": str(amount), "status": answer["status"]}
