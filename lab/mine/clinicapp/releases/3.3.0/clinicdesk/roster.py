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
    start = int(cols[2].split(":")[0])
    end = int(cols[3].split(":")[0])
    return int(cols[0]), cols[1], start, end
