"""The invitation e-mail, through Django's e-mail backend (settings EMAIL_*)."""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from members.models import Invitation


def send_invitation(invitation: Invitation, link: str, expires: dt.datetime) -> None:
    """Raises the backend's error (smtplib.SMTPException, OSError) when it is not sent."""
    context = {"invitation": invitation, "link": link, "expires": expires,
               "inviter": invitation.invited_by}
    subject = render_to_string("members/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=render_to_string("members/invitation_email.txt",
                                                                 context),
        to=[invitation.email], connection=get_connection(fail_silently=False),
    )
    message.attach_alternative(render_to_string("members/invitation_email.html", context),
                               "text/html")
    message.send()
