"""Self-service password reset: Django's own views, forms and token generator, with the
project's templates. The e-mail's link starts with FAULTLINE_URL, not the request's Host.

The request never looks the address up: it counts the mail against the throttle and enqueues
`members.send_password_reset` on commit, the same work whether or not an account has the
address, so neither the answer nor its timing reveals accounts. The task finds the accounts
and sends."""

from __future__ import annotations

import logging
import smtplib

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from members import throttle

log = logging.getLogger(__name__)
EMAIL_TEMPLATE = "registration/password_reset_email.txt"
SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = EMAIL_TEMPLATE
    subject_template_name = SUBJECT_TEMPLATE
    success_url = reverse_lazy("members:password-reset-done")

    def form_valid(self, form):
        """The same answer for every valid address: enqueued when within the throttle (per
        address, per client address), dropped silently past it."""
        email = form.cleaned_data["email"]
        client = get_client_ip_address(self.request) or ""
        if throttle.take([
            ("reset-address", BaseUserManager.normalize_email(email).casefold(),
             settings.PASSWORD_RESET_MAILS_PER_ADDRESS),
            ("reset-client", client, settings.PASSWORD_RESET_MAILS_PER_CLIENT),
        ]):
            from members.tasks import send_password_reset

            transaction.on_commit(lambda: send_password_reset.delay(email))
        else:
            log.info("password reset e-mail throttled")
        return HttpResponseRedirect(self.get_success_url())


def send(email: str) -> None:
    """E-mail a reset link to each active account with a usable password at `email` (none when
    there is no such account). A refusing mail server is logged, not retried."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    try:
        form.save(domain_override=settings.FAULTLINE_URL, email_template_name=EMAIL_TEMPLATE,
                  subject_template_name=SUBJECT_TEMPLATE,
                  extra_email_context={"base_url": settings.FAULTLINE_URL})
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("password reset e-mail not sent: %s", exc)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("members:password-reset-complete")
