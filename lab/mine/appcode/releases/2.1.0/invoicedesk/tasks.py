"""Background tasks (Celery): webhooks from the card processor and partners, mail, exports."""

from celery import Celery

from invoicedesk import billing, export, imports, notify, payments

app = Celery("invoicedesk", broker="memory://", backend="cache+memory://")
app.conf.task_always_eager = True


@app.task(name="invoicedesk.create_invoice")
def create_invoice_task(payload):
    return billing.create_invoice(payload)


@app.task(name="invoicedesk.payment_webhook")
def payment_webhook_task(invoice_id, amount, reference):
    return payments.apply_payment(invoice_id, amount, reference)


@app.task(name="invoicedesk.send_receipt")
def send_receipt_task(invoice_id):
    return billing.send_receipt(invoice_id)


@app.task(name="invoicedesk.send_reminder")
def send_reminder_task(invoice_id):
    return notify.send_reminder(invoice_id)


@app.task(name="invoicedesk.import_csv")
def import_csv_task(text):
    return imports.import_csv(text)


@app.task(name="invoicedesk.import_json")
def import_json_task(body):
    return imports.import_json(body)


@app.task(name="invoicedesk.push_invoice")
def push_invoice_task(invoice_id):
    return export.push_invoice(invoice_id)
