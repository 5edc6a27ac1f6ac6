"""Chat and push services through Apprise (Slack, Discord, Mattermost, Teams, Telegram, ntfy,
Matrix, Gotify, generic JSON and ~100 more), one Apprise URL per destination.

Apprise URLs carry tokens; members see them masked (Apprise's own privacy rendering). Services
whose URL names the host (ntfy, Mattermost, Gotify, json://, …) go through the SSRF guard;
services with a fixed public endpoint (slack://, discord://, tgram://) need no check.
"""

from __future__ import annotations

import logging

import apprise
from django.core.exceptions import ValidationError

from alerts.destinations.base import Delivery, Destination, Notification, require
from alerts.netguard import BlockedURL, check_host


def _plugin(url: str):
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        raise ValidationError({"url": "not an Apprise URL this server understands"})
    return plugin


def _names_a_host(plugin) -> bool:
    """True when the URL's host part is where Apprise connects (its templates use {host})."""
    return any("{host}" in template for template in getattr(plugin, "templates", ()))


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
    def describe(cls, config: dict) -> str:
        try:
            return _plugin(config.get("url", "")).url(privacy=True)
        except ValidationError:
            return "(invalid URL)"

    def send(self, notification: Notification) -> Delivery:
        try:
            plugin = _plugin(self.config["url"])
            if _names_a_host(plugin):
                check_host(plugin.host, getattr(plugin, "port", None), self.allow_private)
        except (ValidationError, BlockedURL) as exc:
            return Delivery(ok=False, error=f"blocked: {exc}", permanent=True)
        sender = apprise.Apprise()
        sender.add(plugin)
        with apprise.LogCapture(level=logging.WARNING) as logs:
            ok = sender.notify(title=notification.subject, body=notification.text)
            captured = logs.getvalue()
        if ok:
            return Delivery(ok=True)
        return Delivery(ok=False, error=(captured.strip() or "Apprise reported a failure")[:1000])
