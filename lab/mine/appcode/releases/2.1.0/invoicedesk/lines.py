"""Invoice lines: quantity times price, VAT and shipping."""

VAT = 1.2


def line_amount(item):
    """What one line costs the customer, VAT and shipping included."""
    qty = item.get("qty", 1)
    price = item["unit_price"]
    subtotal = qty * price
    if item.get("taxable", True):
        subtotal = subtotal * VAT
    return subtotal + item.get("shipping", 0.0)
