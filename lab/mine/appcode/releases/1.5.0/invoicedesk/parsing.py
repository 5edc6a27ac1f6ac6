"""Parsing what clients and spreadsheets send."""

from datetime import datetime
from decimal import Decimal


def parse_due_date(text):
    return datetime.strptime(text, "%Y-%m-%d").date()


def parse_amount(text):
    return Decimal(text.strip().replace(",", "."))


def parse_csv_line(line):
    cols = line.split(";")
    sku = cols[0].strip()
    qty = int(cols[2])
    price = float(cols[3])
    customer_id = int(cols[4])
    return {"sku": sku, "title": cols[1], "qty": qty, "unit_price": price,
            "customer_id": customer_id}
