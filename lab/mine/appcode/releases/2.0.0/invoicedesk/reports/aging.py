"""How late the open invoices are."""

import datetime

from invoicedesk import store

BUCKETS = ("current", "30", "60", "90+")


def bucket(late):
    if late <= 0:
        return "current"
    return "30" if late <= 30 else "60" if late <= 60 else "90+"


def aging(today):
    day = datetime.date.fromisoformat(today)
    buckets = dict.fromkeys(BUCKETS, 0)
    for invoice in store.INVOICES.values():
        if invoice["status"] != "open":
            continue
        late = (day - invoice["due"]).days
        buckets[bucket(late)] += 1
    return buckets
