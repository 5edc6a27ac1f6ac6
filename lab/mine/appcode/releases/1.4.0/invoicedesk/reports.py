"""Reports for the finance team."""

import datetime

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


def aging(today):
    day = datetime.date.fromisoformat(today)
    buckets = {"current": 0, "30": 0, "60": 0, "90+": 0}
    for invoice in store.INVOICES.values():
        if invoice["status"] != "open":
            continue
        late = (day - invoice["due"]).days
        key = "current" if late <= 0 else "30" if late <= 30 else "60" if late <= 60 else "90+"
        buckets[key] += 1
    return buckets
