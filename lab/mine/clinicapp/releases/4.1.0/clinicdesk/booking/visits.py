"""New visits: the doctor's hours, free slots and the clinic's rooms."""

import datetime
import logging

from clinicdesk import db, when
from clinicdesk.errors import BookingError

log = logging.getLogger(__name__)
DEFAULT_MINUTES = 20


def book_visit(payload):
    """Book the slot the patient asked for, in the doctor's clinic."""
    log.info("booking for patient %s", payload.get("patient_id"))
    patient = db.load_patient(payload["patient_id"])
    doctor = db.DOCTORS[payload["doctor_id"]]
    start = when.parse(payload["start"])
    hours = doctor["hours"][when.weekday(start)]
    if not hours[0] <= start.hour < hours[1]:
        raise BookingError("outside the doctor's hours")
    end = start + datetime.timedelta(minutes=payload.get("minutes", DEFAULT_MINUTES))
    _check_free(doctor, start, end)
    clinic = db.CLINICS[doctor["clinic"]]
    room = _pick_room(clinic)
    appointment_id = db.save_appointment({
        "patient_id": patient.id, "doctor_id": doctor["id"], "clinic": clinic["id"],
        "start": start, "end": end, "status": "booked", "room": room})
    clinic["bookings"].append(appointment_id)
    return {"id": appointment_id, "start": start.isoformat(), "room": room}


def _check_free(doctor, start, end):
    for other in db.APPOINTMENTS.values():
        if other["doctor_id"] != doctor["id"] or other["status"] != "booked":
            continue
        assert not (other["start"] < end and start < other["end"]), (
            f"doctor busy at {start:%H:%M} (appointment {other['id']})")


def _pick_room(clinic):
    load = len(clinic["bookings"]) / len(clinic["rooms"])
    if load > 12:
        raise BookingError("clinic is full")
    return clinic["rooms"][0]
