"""Alert destinations, one folder per kind, behind destinations.base.Destination.

Adding a kind: copy a sibling folder, register its class in REGISTRY below.
"""

from __future__ import annotations

from alerts.destinations.apprise.transport import AppriseDestination
from alerts.destinations.base import Delivery, Destination, Notification
from alerts.destinations.email.transport import EmailDestination
from alerts.destinations.webhook.transport import WebhookDestination

REGISTRY: dict[str, type[Destination]] = {
    "email": EmailDestination,
    "webhook": WebhookDestination,
    "apprise": AppriseDestination,
}

__all__ = ["REGISTRY", "Delivery", "Destination", "Notification"]
