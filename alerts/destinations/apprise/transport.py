"""Chat and push services through Apprise (Slack, Discord, Mattermost, Teams, Telegram, ntfy,
Matrix, Gotify, generic JSON and ~100 more), one Apprise URL per destination.

Apprise URLs carry tokens; members see only the scheme and host (of Apprise's own privacy
rendering). Where Apprise connects (the URL's host, an `smtp=` or `relay=` parameter, each
redirect it follows) is checked per socket by alerts.netguard during the attempt; owners and
admins may configure only the schemas in ALERTS_APPRISE_SCHEMAS, staff any.
"""

from __future__ import annotations

import logging

import apprise
from django.conf import settings
from django.core.exceptions import ValidationError

from alerts.destinations.base import (
    Delivery,
    Destination,
    Notification,
    redacted,
    require,
    unmentioned,
)


def _plugin(url: str):
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        raise ValidationError({"url": "not an Apprise URL this server understands"})
    return plugin


def schemas_of(plugin) -> set[str]:
    """Every schema the plugin answers to (a native https:// URL of a service names its
    plugin's schemas, not https)."""
    names: set[str] = set()
    for value in (getattr(plugin, "protocol", None), getattr(plugin, "secure_protocol", None)):
        names.update([value] if isinstance(value, str) else value or ())
    return names


class AppriseDestination(Destination):
    kind = "apprise"

    @classmethod
    def clean_config(cls, config: dict) -> dict:
        url = require(config, "url").strip()
        if len(url) > 2000:
            raise ValidationError({"url": "at most 2000 characters"})
        _plugin(url)
        return {"url": url}

    @classmethod
    def check_permitted(cls, config: dict, staff: bool) -> None:
        allowed = set(settings.ALERTS_APPRISE_SCHEMAS)
        if staff or schemas_of(_plugin(config["url"])) & allowed:
            return
        raise ValidationError({"url": "only staff may add this kind of Apprise URL; owners and "
                               f"admins may use {', '.join(sorted(allowed))}"})

    @classmethod
    def describe(cls, config: dict) -> str:
        try:
            return redacted(_plugin(config.get("url", "")).url(privacy=True))
        except ValidationError:
            return "(invalid URL)"

    def send(self, notification: Notification) -> Delivery:
        try:
            plugin = _plugin(self.config["url"])
        except ValidationError:
            return Delivery(ok=False, error="not an Apprise URL this server understands",
                            permanent=True)
        sender = apprise.Apprise()
        sender.add(plugin)
        with apprise.LogCapture(level=logging.WARNING) as logs:
            ok = sender.notify(title=unmentioned(notification.subject),
                               body=unmentioned(notification.text))
            captured = logs.getvalue()
        if ok:
            return Delivery(ok=True)
        return Delivery(ok=False, error="Apprise reported a failure",
                        detail=captured.strip()[:1000])
