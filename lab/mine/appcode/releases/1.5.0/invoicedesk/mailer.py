"""Outgoing mail (queued for the SMTP relay in production)."""

OUTBOX: list[dict] = []


def send(to, subject, body):
    OUTBOX.append({"to": to, "subject": subject, "body": body})
    return {"queued": len(OUTBOX)}
