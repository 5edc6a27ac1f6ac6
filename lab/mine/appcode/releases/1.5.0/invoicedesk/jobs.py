"""Scheduled jobs, run by the scheduler process one after another."""

import logging

import sentry_sdk

from invoicedesk import export, notify, reports

log = logging.getLogger(__name__)


def nightly_reminders(invoice_ids):
    return [notify.send_reminder(invoice_id) for invoice_id in invoice_ids]


def nightly_export(invoice_ids):
    return [export.push_invoice(invoice_id) for invoice_id in invoice_ids]


def monthly_report(customer_id=None, region=None, today=None):
    if customer_id is not None:
        return reports.average_invoice(customer_id)
    if region is not None:
        return reports.top_customer(region)
    return reports.aging(today)


JOBS = {"reminders": nightly_reminders, "export": nightly_export, "report": monthly_report}


def run(name, **kwargs):
    try:
        return JOBS[name](**kwargs)
    except Exception:
        log.exception("job %s failed", name)
        sentry_sdk.capture_exception()
        return None
