"""Statistics for the clinics' managers."""

import collections
import datetime

from clinicdesk import db


def no_show_rate(clinic_id):
    done = [a for a in db.APPOINTMENTS.values()
            if a["clinic"] == clinic_id and a["status"] in ("attended", "no-show")]
    return sum(a["status"] == "no-show" for a in done) / len(done)


def top_doctor(clinic_id):
    counts = collections.Counter(a["doctor_id"] for a in db.APPOINTMENTS.values()
                                 if a["clinic"] == clinic_id and a["status"] == "attended")
    ranked = counts.most_common()
    return ranked[0][0]


def utilization(day):
    day = datetime.date.fromisoformat(day)
    booked = sum((a["end"] - a["start"]).total_seconds() for a in db.APPOINTMENTS.values()
                 if a["start"].date() == day and a["end"] is not None)
    return round(booked / (len(db.DOCTORS) * 8 * 3600), 3)
