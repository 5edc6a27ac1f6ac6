"""Text of the messages sent to patients, per language."""

from clinicdesk import db

TEMPLATES = {
    "en": "Hello {name}, you see Dr {doctor} on {start:%d %b at %H:%M}, room {room}.",
    "de": "Hallo {name}, Ihr Termin bei Dr {doctor}: {start:%d.%m. um %H:%M}, Raum {room}.",
    "fr": "Bonjour {name}, rendez-vous avec Dr {doctor} le {start:%d/%m à %H:%M}, salle {room}.",
}


def render_sms(lang, name, appointment):
    template = TEMPLATES[lang]
    doctor = db.DOCTORS[appointment["doctor_id"]]
    fields = {k: v for k, v in appointment.items() if k != "id"}
    return template.format(name=name, doctor=doctor["name"], **fields)
