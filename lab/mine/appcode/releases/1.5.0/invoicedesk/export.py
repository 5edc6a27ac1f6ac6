"""Pushing invoices to the accounting system."""

from invoicedesk import store
from invoicedesk.errors import ExportError


def pdf_filename(invoice):
    customer = store.get_customer(invoice["customer_id"])
    name = f"{customer.name.lower().replace(' ', '-')}-{invoice['number']}.pdf"
    return name.encode("ascii").decode()


def push_invoice(invoice_id):
    invoice = store.get_invoice(invoice_id)
    try:
        sequence = int(invoice["number"].split("-")[1])
    except IndexError as exc:
        raise ExportError(f"cannot export invoice {invoice_id}") from exc
    return {"sequence": sequence, "file": pdf_filename(invoice)}
