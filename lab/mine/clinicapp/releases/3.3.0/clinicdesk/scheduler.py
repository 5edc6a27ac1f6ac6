"""Scheduled jobs, run by the scheduler process one after another."""

import logging

import sentry_sdk

from clinicdesk import claims, reminders, stats

log = logging.getLogger(__name__)


def evening_reminders(appointment_ids):
    return [reminders.send_reminder(a) for a in appointment_ids]


def nightly_claims(appointment_ids):
    return [claims.submit_claim(a) for a in appointment_ids]


def weekly_stats(clinic_id=None, day=None, which="no-show"):
    if which == "no-show":
        return stats.no_show_rate(clinic_id)
    if which == "busiest":
        return stats.top_doctor(clinic_id)
    return stats.utilization(day)


JOBS = {"reminders": evening_reminders, "claims": nightly_claims, "stats": weekly_stats}


def run(name, **kwargs):
    try:
        return JOBS[name](**kwargs)
    except Exception:
        log.exception("job %s failed", name)
        sentry_sdk.capture_exception()
        return None
