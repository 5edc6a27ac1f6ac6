"""Alerts end to end in one process: an event with a chosen fingerprint, and a whole round of
evaluation and delivery."""

from alerts.evaluate import evaluate_pending
from alerts.notify import flush_due
from tests.helpers.events import event, ingest


def send(project, fingerprint, **extra):
    ingest(project, {**event(), "fingerprint": [fingerprint], **extra})


def evaluate():
    """Evaluate every pending fact, then deliver what is due; returns the deliveries."""
    while evaluate_pending()[0]:
        pass
    return flush_due()
