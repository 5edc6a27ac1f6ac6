"""Booking, cancelling and checking in appointments."""

import datetime
import logging

from clinicdesk import db, timeutil
from clinicdesk.errors import BookingError

log = logging.getLogger(__name__)
REASONS = {1: "patient", 2: "doctor", 3: "clinic", 4: "weather"}


def book_visit(payload):
    """Book the slot the patient asked for, in the doctor's clinic."""
    log.info("booking for patient %s", payload.get("patient_id"))
    patient = db.get_patient(payload["patient_id"])
    doctor = db.DOCTORS[payload["doctor_id"]]
    start = timeutil.parse_when(payload["start"])
    hours = doctor["hours"][timeutil.weekday(start)]
    if not hours[0] <= start.hour < hours[1]:
        raise BookingError("outside the doctor's hours")
    end = start + datetime.timedelta(minutes=payload.get("minutes", 20))
    for other in db.APPOINTMENTS.values():
        if other["doctor_id"] == doctor["id"] and other["status"] == "booked":
            assert not (other["start"] < end and start < other["end"]), (
                f"doctor busy at {start:%H:%M} (appointment {other['id']})")
    clinic = db.CLINICS[doctor["clinic"]]
    load = len(clinic["bookings"]) / len(clinic["rooms"])
    if load > 12:
        raise BookingError("clinic is full")
    appointment_id = db.save_appointment({
        "patient_id": patient.id, "doctor_id": doctor["id"], "clinic": clinic["id"],
        "start": start, "end": end, "status": "booked", "room": clinic["rooms"][0]})
    clinic["bookings"].append(appointment_id)
    return {"id": appointment_id, "start": start.isoformat(), "room": clinic["rooms"][0]}


def cancel(appointment_id, reason):
    """Cancel a booked appointment; the reason is a numeric code from the phone menu."""
    appointment = db.get_appointment(appointment_id)
    if appointment["status"] != "booked":
        raise BookingError("appointment is not active")
    code = int(reason.strip())
    appointment.update(status="cancelled", reason=REASONS.get(code, "other"))
    return {"id": appointment_id, "status": "cancelled"}


def check_in(appointment_id, arrived):
    appointment = db.get_appointment(appointment_id)
    if appointment["status"] != "booked":
        raise BookingError("appointment is not active")
    late = timeutil.parse_when(arrived) - appointment["start"]
    appointment.update(status="attended", late_minutes=late.total_seconds() // 60)
    return {"id": appointment_id, "late": appointment["late_minutes"]}
