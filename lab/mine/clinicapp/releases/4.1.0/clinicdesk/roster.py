"""Doctors' weekly hours, imported from the clinics' roster sheets (CSV)."""

from clinicdesk import db


def import_roster(text):
    rows = [parse_row(line) for line in text.splitlines()[1:] if line.strip()]
    for doctor_id, day, start, end in rows:
        doctor = db.DOCTORS.setdefault(doctor_id, {"id": doctor_id, "hours": {}})
        doctor["hours"][day] = [start, end]
    return {"imported": len(rows)}


def parse_row(line):
    """doctor;day;from;to, hours as HH:MM."""
    cols = line.split(";")
    return int(cols[0]), cols[1], _hour(cols[2]), _hour(cols[3])


def _hour(text):
    return int(text.split(":")[0])
