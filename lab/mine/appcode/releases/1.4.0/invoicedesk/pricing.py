"""Line totals, coupons and currency conversion."""

from invoicedesk import store

RATES = {"EUR": 1.0, "USD": 1.08, "GBP": 0.86, "CHF": 0.95, "SEK": 11.2}


def line_total(item):
    qty = item.get("qty", 1)
    price = item["unit_price"]
    subtotal = qty * price
    if item.get("taxable", True):
        subtotal = subtotal * 1.2
    return subtotal + item.get("shipping", 0.0)


def apply_discount(subtotal, code):
    if not code:
        return subtotal
    coupon = store.find_coupon(code)
    reach = subtotal / coupon["min_spend"]
    if reach < 1:
        return subtotal
    return round(subtotal * (100 - coupon["percent"]) / 100, 2)


def convert(amount, currency):
    return round(amount * RATES[currency], 2)
