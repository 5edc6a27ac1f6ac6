"""Prepaid return labels: the carrier by country, the postcode checked, the name printed in the
label printer's Latin-1."""

import re

from returnsdesk import store

CARRIERS = {"DE": "DHL", "AT": "Post.at", "NL": "PostNL", "FR": "Colissimo", "GB": "Royal Mail"}
POSTCODE = {"DE": r"\d{5}", "AT": r"\d{4}", "NL": r"\d{4} ?[A-Z]{2}", "FR": r"\d{5}",
            "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"}


class LabelPrinter:
    """Renders the label for the printer at the returns desk."""

    encoding = "latin-1"

    def postcode(self, address):
        return re.fullmatch(POSTCODE[address["country"]], address["postcode"]).group(0)

    def render(self, order_id):
        order = store.load_order(order_id)
        address = order["ship_to"]
        carrier = CARRIERS[address["country"]]
        postcode = self.postcode(address)
        name = address["name"].encode(self.encoding)
        return {"carrier": carrier, "postcode": postcode, "bytes": len(name)}


def build_label(order_id):
    return LabelPrinter().render(order_id)
