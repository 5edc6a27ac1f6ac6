"""Payment reminders."""

import logging

from invoicedesk import mailer, store

log = logging.getLogger(__name__)

TEMPLATES = {
    ("reminder", "en"): "Dear {name}, invoice {number} ({total}) was due on {due_date}.",
    ("reminder", "de"): "Hallo {name}, Rechnung {number} ({total}) war am {due_date} fällig.",
    ("reminder", "nl"): "Beste {name}, factuur {number} ({total}) verviel op {due_date}.",
    ("reminder", "fr"): "Bonjour {name}, la facture {number} ({total}) était due le {due_date}.",
}


def render_template(kind, locale, context):
    template = TEMPLATES[(kind, locale)]
    return template.format(**context)


def send_reminder(invoice_id):
    invoice = store.get_invoice(invoice_id)
    customer = store.find_customer(invoice["customer_id"])
    to = customer.email
    context = {"name": customer.name, "number": invoice["number"],
               "total": f"{invoice['total']:.2f}"}
    if invoice.get("due"):
        context["due_date"] = invoice["due"].isoformat()
    body = render_template("reminder", customer.locale, context)
    return mailer.send(to, f"Reminder: {invoice['number']}", body)
