"""Prepaid return labels: the carrier by country, the postcode checked, the name printed in the
label printer's Latin-1."""

import re

from returnsdesk import store

CARRIERS = {"DE": "DHL", "AT": "Post.at", "NL": "PostNL", "FR": "Colissimo", "GB": "Royal Mail"}
POSTCODE = {"DE": r"\d{5}", "AT": r"\d{4}", "NL": r"\d{4} ?[A-Z]{2}", "FR": r"\d{5}",
            "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"}


def build_label(order_id):
    """The label's fields; the printer takes Latin-1 only."""
    order = store.order(order_id)
    address = order["ship_to"]
    carrier = CARRIERS[address["country"]]
    postcode = re.fullmatch(POSTCODE[address["country"]], address["postcode"]).group(0)
    name = address["name"].encode("latin-1")
    return {"carrier": carrier, "postcode": postcode, "bytes": len(name)}
