"""Coupons."""

import logging

from invoicedesk import store

log = logging.getLogger(__name__)

def discounted(subtotal, code):
    """The subtotal after the customer's coupon, if it applies."""
    if not code:
        return subtotal
    coupon = store.find_coupon(code)
    reach = subtotal / coupon["min_spend"]
    if reach < 1:
        return subtotal
    return round(subtotal * (100 - coupon["percent"]) / 100, 2)
