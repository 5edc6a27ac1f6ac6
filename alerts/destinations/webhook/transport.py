"""Generic webhook following Sentry's integration-platform conventions, so receivers written
for Sentry work: a JSON body with `action`, `installation`, `data.issue` and `actor`, and the
headers Sentry-Hook-Resource, Sentry-Hook-Timestamp and Sentry-Hook-Signature (hex HMAC-SHA256
of the raw body with the destination's secret). A digest adds `data.issues` (all of them)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError

from alerts.destinations.base import Delivery, Destination, Notification, redacted, require
from alerts.netguard import BlockedURL, check_url

RETRYABLE_STATUS = {408, 425, 429}
EXCERPT_BYTES = 300  # of an error response, kept for owners and admins


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(notification: Notification, installation: str) -> dict:
    issues = [issue.as_sentry_issue() for issue in notification.issues]
    data: dict = {"issue": issues[0] if issues else None, "issues": issues,
                  "rule": notification.rule, "trigger": notification.trigger}
    return {"action": notification.action, "installation": {"uuid": installation},
            "data": data, "actor": {"type": "application", "id": "faultline",
                                    "name": "Faultline"}}


def _session() -> requests.Session:
    """No proxy, netrc or CA bundle from the environment: through a proxy the SSRF guard would
    see only the proxy's address, never the receiver's."""
    session = requests.Session()
    session.trust_env = False
    return session


class WebhookDestination(Destination):
    kind = "webhook"

    @classmethod
    def clean_config(cls, config: dict) -> dict:
        url = require(config, "url").strip()
        if not url.startswith(("http://", "https://")) or len(url) > 2000:
            raise ValidationError({"url": "an http(s) URL of at most 2000 characters"})
        return {"url": url}

    @classmethod
    def describe(cls, config: dict) -> str:
        return redacted(config.get("url", ""))

    def send(self, notification: Notification) -> Delivery:
        url = self.config["url"]
        try:
            check_url(url, self.allow_private)
        except BlockedURL as exc:
            return Delivery(ok=False, error=f"blocked: {exc.summary}", detail=str(exc),
                            permanent=True)
        body = json.dumps(body_of(notification, self.config.get("installation", "")),
                          default=str).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Faultline-Webhook/1",
            "Request-ID": uuid.uuid4().hex,
            "Sentry-Hook-Resource": "issue" if notification.trigger != "test" else "installation",
            "Sentry-Hook-Timestamp": str(int(time.time())),
            "Sentry-Hook-Signature": sign(body, self.secret),
        }
        try:
            with _session() as session, session.post(
                url, data=body, headers=headers, allow_redirects=False,
                timeout=settings.ALERTS_HTTP_TIMEOUT, stream=True,
            ) as response:
                if 200 <= response.status_code < 300:
                    return Delivery(ok=True, status_code=response.status_code)
                excerpt = response.raw.read(EXCERPT_BYTES, decode_content=False)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            return Delivery(ok=False, error=type(exc).__name__, detail=str(exc)[:1000])
        return Delivery(
            ok=False, status_code=response.status_code, error=f"HTTP {response.status_code}",
            detail=excerpt.decode(errors="replace"),
            permanent=400 <= response.status_code < 500
            and response.status_code not in RETRYABLE_STATUS,
        )
