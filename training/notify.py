"""The alert that a grouping model stopped serving because its data was withdrawn: logged as an
error and mailed to every active staff member with an address (the staff models page says it
too). A mail failure is logged and never undoes the withdrawal."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

log = logging.getLogger(__name__)


def model_withdrawn(label: str, fallback: str | None, reason: str) -> int:
    """Tell staff that `label` stopped serving (`fallback` serves now; None: it was not served);
    returns how many were mailed."""
    serves = f"{fallback} serves now" if fallback else "it was not serving"
    subject = f"[Faultline] grouping model {label} withdrawn"
    body = (f"The grouping model {label} was trained on data that has since been withdrawn or "
            f"deleted, and no retrain replaced it within "
            f"{settings.FAULTLINE_STALE_SERVING_HOURS} hours. It stopped serving and its "
            f"weights were deleted; {serves}.\n\n{reason}\n\n"
            f"See the staff models page (/staff/models/).")
    log.error("%s: %s", subject, serves)
    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True)
                 .exclude(email="").values_list("email", flat=True))
    if not staff:
        return 0
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, staff)
    except (smtplib.SMTPException, OSError) as exc:
        log.error("could not mail the withdrawal of %s: %s", label, exc)
        return 0
    return len(staff)
