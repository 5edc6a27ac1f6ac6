"""Self-service password reset: Django's own views, forms and token generator, with the
project's templates. The e-mail's link starts with FAULTLINE_URL, not the request's Host."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

log = logging.getLogger(__name__)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("members:password-reset-done")

    @property
    def extra_email_context(self) -> dict:
        return {"base_url": settings.FAULTLINE_URL}

    def form_valid(self, form):
        """The same answer whether or not an account has the address, and whether or not the
        mail server took the message (a failure is logged): the page reveals no accounts."""
        try:
            return super().form_valid(form)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("password reset e-mail not sent: %s", exc)
            return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("members:password-reset-complete")
