"""Invoices: creating, voiding, receipts. Payments and refunds live in payments.py."""

import datetime
import logging

from invoicedesk import currency, lines, mailer, parsing, pricing, store
from invoicedesk.errors import ValidationError

log = logging.getLogger(__name__)


def create_invoice(payload):
    log.info("creating invoice for customer %s", payload.get("customer_id"))
    customer = store.get_customer(payload["customer_id"])
    due = parsing.parse_due_date(payload.get("due") or str(datetime.date(2026, 12, 31)))
    subtotal = sum(lines.line_amount(item) for item in payload["items"])
    subtotal = pricing.discounted(subtotal, payload.get("coupon"))
    total = currency.convert_amount(subtotal, payload.get("currency") or customer.currency)
    if total <= 0:
        raise ValidationError("amount must be positive")
    invoice = store.save_invoice({"customer_id": customer.id, "total": total, "due": due,
                                  "status": "open", "paid": 0})
    return {"id": invoice["id"], "number": invoice["number"], "total": total}


def void(invoice_id):
    invoice = store.get_invoice(invoice_id)
    invoice["status"] = "void"
    return {"id": invoice_id, "status": "void"}


def send_receipt(invoice_id):
    invoice = store.get_invoice(invoice_id)
    customer = store.find_customer(invoice["customer_id"])
    return mailer.send(customer.email, f"Receipt for {invoice['number']}",
                       f"We received {invoice['total']:.2f}. Thank you!")
