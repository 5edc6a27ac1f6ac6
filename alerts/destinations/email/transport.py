"""Email through Django's email backend (SMTP in production, settings EMAIL_*). Recipients are
the destination's addresses plus, when `to_members` is set, the project's organisation members
who have not turned email off (alerts.recipients resolves them before sending)."""

from __future__ import annotations

import smtplib

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.template.loader import render_to_string

from alerts.destinations.base import Delivery, Destination, Notification
from monitor import limits


class EmailDestination(Destination):
    kind = "email"
    guarded = False  # connects only to the operator's EMAIL_HOST

    @classmethod
    def clean_config(cls, config: dict) -> dict:
        addresses = config.get("addresses") or []
        if isinstance(addresses, str):
            addresses = [a.strip() for a in addresses.replace(",", "\n").splitlines()]
        if not isinstance(addresses, list) or len(addresses) > limits.ALERT_EMAIL_ADDRESSES:
            raise ValidationError(
                {"addresses": f"a list of at most {limits.ALERT_EMAIL_ADDRESSES} addresses"})
        addresses = [a.strip() for a in addresses if isinstance(a, str) and a.strip()]
        for address in addresses:
            validate_email(address)
        to_members = bool(config.get("to_members", False))
        if not addresses and not to_members:
            raise ValidationError({"addresses": "give addresses or send to project members"})
        return {"addresses": addresses, "to_members": to_members}

    @classmethod
    def describe(cls, config: dict) -> str:
        parts = list(config.get("addresses", []))
        if config.get("to_members"):
            parts.append("project members")
        return ", ".join(parts)

    def send(self, notification: Notification) -> Delivery:
        recipients = self.config.get("recipients") or []
        if not recipients:
            return Delivery(ok=True, error="no recipient wants email")
        message = EmailMultiAlternatives(
            subject=notification.subject, body=notification.text, to=recipients[:1],
            bcc=recipients[1:], connection=get_connection(fail_silently=False),
        )
        message.attach_alternative(
            render_to_string("alerts/email.html", {"n": notification}), "text/html"
        )
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            return Delivery(ok=False, error=f"recipients refused: {exc}"[:1000], permanent=True)
        except (smtplib.SMTPException, OSError) as exc:
            return Delivery(ok=False, error=f"{type(exc).__name__}: {exc}"[:1000])
        return Delivery(ok=True)
