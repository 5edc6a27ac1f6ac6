"""Outgoing text messages (handed to the SMS gateway in production)."""

OUTBOX: list[dict] = []


def send(number, text):
    OUTBOX.append({"to": number, "text": text})
    return {"queued": len(OUTBOX)}
