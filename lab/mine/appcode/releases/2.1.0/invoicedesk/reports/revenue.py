"""Revenue per customer and region."""

from invoicedesk import store


def average_invoice(customer_id):
    totals = [invoice["total"] for invoice in store.INVOICES.values()
              if invoice["customer_id"] == customer_id]
    return round(sum(totals) / len(totals), 2)


def top_customer(region):
    revenue = {}
    for invoice in store.INVOICES.values():
        customer = store.CUSTOMERS.get(invoice["customer_id"])
        if customer is not None and customer.region == region:
            revenue[customer.name] = revenue.get(customer.name, 0) + invoice["total"]
    ranked = sorted(revenue, key=revenue.get, reverse=True)
    return ranked[0]
