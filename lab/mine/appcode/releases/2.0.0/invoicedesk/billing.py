"""Invoices: creating them, taking payments, refunds and receipts."""

import datetime
import logging

from invoicedesk import currency, gateway, mailer, parsing, pricing, store
from invoicedesk.errors import PaymentFailed, ValidationError

log = logging.getLogger(__name__)


def create_invoice(payload):
    log.info("creating invoice for customer %s", payload.get("customer_id"))
    customer = store.get_customer(payload["customer_id"])
    due = parsing.parse_due_date(payload.get("due") or str(datetime.date(2026, 12, 31)))
    subtotal = sum(pricing.line_total(item) for item in payload["items"])
    subtotal = pricing.discounted(subtotal, payload.get("coupon"))
    total = currency.convert_amount(subtotal, payload.get("currency") or customer.currency)
    if total <= 0:
        raise ValidationError("amount must be positive")
    invoice = store.save_invoice({"customer_id": customer.id, "total": total, "due": due,
                                  "status": "open", "paid": 0})
    return {"id": invoice["id"], "number": invoice["number"], "total": total}


def charge(invoice, amount):
    try:
        response = gateway.charge(invoice["card_token"], amount)
        return response["auth_code"]
    except (TimeoutError, KeyError) as exc:
        raise PaymentFailed(f"could not charge invoice {invoice['id']}") from exc


def apply_payment(invoice_id, amount, reference):
    invoice = store.get_invoice(invoice_id)
    assert invoice["status"] == "open", f"invoice {invoice_id} is {invoice['status']}"
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


def void(invoice_id):
    invoice = store.get_invoice(invoice_id)
    invoice["status"] = "void"
    return {"id": invoice_id, "status": "void"}


def send_receipt(invoice_id):
    invoice = store.get_invoice(invoice_id)
    customer = store.find_customer(invoice["customer_id"])
    return mailer.send(customer.email, f"Receipt for {invoice['number']}",
                       f"We received {invoice['total']:.2f}. Thank you!")
