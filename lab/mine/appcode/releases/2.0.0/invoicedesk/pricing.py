"""Line totals, coupons and currency conversion."""

import logging

from invoicedesk import store

log = logging.getLogger(__name__)

def line_total(item):
    qty = item.get("qty", 1)
    price = item["unit_price"]
    subtotal = qty * price
    if item.get("taxable", True):
        subtotal = subtotal * 1.2
    return subtotal + item.get("shipping", 0.0)


def discounted(subtotal, code):
    """The subtotal after the customer's coupon, if it applies."""
    if not code:
        return subtotal
    coupon = store.find_coupon(code)
    reach = subtotal / coupon["min_spend"]
    if reach < 1:
        return subtotal
    return round(subtotal * (100 - coupon["percent"]) / 100, 2)
