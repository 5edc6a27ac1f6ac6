"""Card payments through the processor, and refunds."""

import logging

from invoicedesk import gateway, parsing, store
from invoicedesk.errors import PaymentFailed, ValidationError

log = logging.getLogger(__name__)


def charge(invoice, amount):
    try:
        response = gateway.charge(invoice["card_token"], amount)
        return response["auth_code"]
    except (TimeoutError, KeyError) as exc:
        raise PaymentFailed(f"could not charge invoice {invoice['id']}") from exc


def apply_payment(invoice_id, amount, reference):
    invoice = store.get_invoice(invoice_id)
    assert invoice["status"] == "open", (
        f"cannot pay invoice {invoice_id}: status is {invoice['status']}")
    auth = charge(invoice, amount)
    invoice["status"] = "paid"
    invoice["payment"] = {"reference": reference, "auth": auth}
    return {"id": invoice_id, "status": "paid", "auth": auth}


def refund(invoice_id, amount):
    invoice = store.get_invoice(invoice_id)
    value = parsing.parse_amount(amount)
    if value <= 0:
        raise ValidationError("amount must be positive")
    invoice["paid"] = invoice["paid"] - value
    return {"id": invoice_id, "refunded": str(value)}
