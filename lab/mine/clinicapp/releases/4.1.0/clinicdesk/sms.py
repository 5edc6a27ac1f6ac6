"""Outgoing text messages (handed to the SMS gateway in production)."""

OUTBOX: list[dict] = []


def normalize(phone):
    """+CC AREA NUMBER → the gateway's CC-AREANUMBER."""
    country, rest = phone.split(" ", 1)
    return f"{country.lstrip('+')}-{rest.replace(' ', '')}"


def send(number, text):
    OUTBOX.append({"to": number, "text": text})
    return {"queued": len(OUTBOX)}
