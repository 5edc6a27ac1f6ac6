"""Parsing what clients and spreadsheets send."""

from datetime import datetime
from decimal import Decimal


def parse_due_date(text):
    return datetime.strptime(text, "%Y-%m-%d").date()


def parse_amount(text):
    return Decimal(text.strip().replace(",", "."))


def _column(cols, index, convert=str):
    return convert(cols[index])


def parse_csv_line(line):
    """One spreadsheet row: sku;title;qty;price;customer."""
    cols = line.split(";")
    sku = _column(cols, 0).strip()
    qty = _column(cols, 2, int)
    price = _column(cols, 3, float)
    customer_id = _column(cols, 4, int)
    return {"sku": sku, "title": cols[1], "qty": qty, "unit_price": price,
            "customer_id": customer_id}
