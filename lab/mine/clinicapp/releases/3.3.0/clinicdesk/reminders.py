"""Reminders sent the day before an appointment."""

from clinicdesk import db, sms

TEMPLATES = {
    "en": "Hello {name}, you see Dr {doctor} on {start:%d %b at %H:%M}, room {room}.",
    "de": "Hallo {name}, Ihr Termin bei Dr {doctor}: {start:%d.%m. um %H:%M}, Raum {room}.",
    "fr": "Bonjour {name}, rendez-vous avec Dr {doctor} le {start:%d/%m à %H:%M}, salle {room}.",
}


def send_reminder(appointment_id):
    appointment = db.get_appointment(appointment_id)
    patient = db.find_patient(appointment["patient_id"])
    return sms.send(patient.phone, compose(patient.lang, patient.name, appointment))


def compose(lang, name, appointment):
    template = TEMPLATES[lang]
    doctor = db.DOCTORS[appointment["doctor_id"]]
    fields = {k: v for k, v in appointment.items() if k != "id"}
    return template.format(name=name, doctor=doctor["name"], **fields)
