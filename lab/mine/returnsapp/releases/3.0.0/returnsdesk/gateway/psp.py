"""The payment provider's refund endpoint (a stand-in that answers as the sandbox does)."""

import json


def send_refund(psp, amount, reference):
    if psp.endswith("-offline"):
        raise ConnectionError(f"connection refused by {psp}")
    if psp.endswith("-maintenance"):
        body = "<html><body>502 Bad Gateway</body></html>"
    else:
        body = json.dumps({"status": "accepted", "reference": reference, "amount": amount})
    return json.loads(body)
