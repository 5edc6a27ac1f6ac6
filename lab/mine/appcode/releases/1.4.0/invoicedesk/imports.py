"""Importing line items from spreadsheets and partner systems."""

import json

from invoicedesk import parsing
from invoicedesk.errors import ImportFailed


def import_csv(text):
    rows = []
    for line in text.splitlines()[1:]:
        if line.strip():
            rows.append(parsing.parse_csv_line(line))
    return {"imported": len(rows)}


def import_json(body):
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ImportFailed(f"payload of {len(body)} bytes is not JSON") from exc
    return {"imported": len(data.get("items", []))}
