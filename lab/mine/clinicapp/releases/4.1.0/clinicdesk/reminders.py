"""Reminders sent the day before an appointment."""

from clinicdesk import db, sms
from clinicdesk.templates import render_sms


def send_reminder(appointment_id):
    appointment = db.load_appointment(appointment_id)
    patient = db.find_patient(appointment["patient_id"])
    number = sms.normalize(patient.phone)
    return sms.send(number, render_sms(patient.lang, patient.name, appointment))
