"""Pushing invoices to the accounting system."""

from invoicedesk import customers, store
from invoicedesk.errors import ExportError


def pdf_filename(invoice):
    customer = store.get_customer(invoice["customer_id"])
    first, last = customers.split_name(customer.name)
    name = f"{last}-{first}-{invoice['number']}.pdf".lower().replace(" ", "-")
    return name.encode("ascii").decode()


def push_invoice(invoice_id):
    invoice = store.get_invoice(invoice_id)
    try:
        sequence = int(invoice["number"].split("-")[1])
    except IndexError as exc:
        raise ExportError(f"invoice {invoice_id} has no sequence number") from exc
    return {"sequence": sequence, "file": pdf_filename(invoice)}
