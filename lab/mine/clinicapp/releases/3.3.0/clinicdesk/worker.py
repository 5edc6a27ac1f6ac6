"""Background tasks (Celery): bookings from the phone line, kiosk check-ins, SMS, claims."""

from celery import Celery

from clinicdesk import booking, claims, reminders, roster

app = Celery("clinicdesk", broker="memory://", backend="cache+memory://")
app.conf.task_always_eager = True


@app.task(name="clinicdesk.book")
def book_task(payload):
    return booking.book_visit(payload)


@app.task(name="clinicdesk.check_in")
def check_in_task(appointment_id, arrived):
    return booking.check_in(appointment_id, arrived)


@app.task(name="clinicdesk.remind")
def remind_task(appointment_id):
    return reminders.send_reminder(appointment_id)


@app.task(name="clinicdesk.roster")
def roster_task(text):
    return roster.import_roster(text)


@app.task(name="clinicdesk.claim")
def claim_task(appointment_id):
    return claims.submit_claim(appointment_id)
