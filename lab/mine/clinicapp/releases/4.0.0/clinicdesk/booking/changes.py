"""Changes to booked visits: cancellations and arrivals."""

from clinicdesk import db, when
from clinicdesk.errors import BookingError

REASONS = {1: "patient", 2: "doctor", 3: "clinic", 4: "weather"}


def cancel(appointment_id, reason):
    """Cancel a booked appointment; the reason is a numeric code from the phone menu."""
    appointment = db.get_appointment(appointment_id)
    if appointment["status"] != "booked":
        raise BookingError(f"appointment {appointment_id} is {appointment['status']}")
    appointment.update(status="cancelled", reason=REASONS.get(_reason_code(reason), "other"))
    return {"id": appointment_id, "status": "cancelled"}


def _reason_code(reason):
    return int(reason.strip())


def check_in(appointment_id, arrived):
    """Mark the patient as arrived; the kiosk sends its local time."""
    appointment = db.get_appointment(appointment_id)
    if appointment["status"] != "booked":
        raise BookingError(f"cannot check in: appointment {appointment_id} is "
                           f"{appointment['status']}")
    late = when.parse(arrived) - appointment["start"]
    appointment.update(status="attended", late_minutes=late.total_seconds() // 60)
    return {"id": appointment_id, "late": appointment["late_minutes"]}
