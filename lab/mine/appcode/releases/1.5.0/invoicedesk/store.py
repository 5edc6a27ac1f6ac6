"""In-process store of customers, invoices and coupons (the database in production).

Every lookup by id either returns the record or raises NotFound; the find_* helpers return
None instead, for callers that can do without.
"""

from invoicedesk.errors import CustomerNotFound, InvoiceNotFound
from invoicedesk.models import Customer

CUSTOMERS: dict[int, Customer] = {}
INVOICES: dict[int, dict] = {}
COUPONS: dict[str, dict] = {}


def reset(customers=(), invoices=(), coupons=None):
    CUSTOMERS.clear()
    INVOICES.clear()
    COUPONS.clear()
    for customer in customers:
        CUSTOMERS[customer["id"]] = Customer(**customer)
    for invoice in invoices:
        INVOICES[invoice["id"]] = dict(invoice)
    COUPONS.update(coupons or {})


def get_customer(customer_id):
    customer = CUSTOMERS.get(customer_id)
    if customer is None:
        raise CustomerNotFound(f"no customer with id {customer_id}")
    return customer


def find_customer(customer_id):
    return CUSTOMERS.get(customer_id)


def get_invoice(invoice_id):
    invoice = INVOICES.get(invoice_id)
    if invoice is None:
        raise InvoiceNotFound(f"invoice {invoice_id} does not exist")
    return invoice


def find_coupon(code):
    return COUPONS.get(code.upper())


def save_invoice(invoice):
    invoice_id = max(INVOICES, default=1000) + 1
    invoice = {**invoice, "id": invoice_id, "number": f"INV-{invoice_id:06d}"}
    INVOICES[invoice_id] = invoice
    return invoice
