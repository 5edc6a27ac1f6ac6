"""The faults of clinic-desk, each with the inputs that reach it.

A bug is one root cause in the application's code: one faulty assumption at one place, fixed
by one change. Each bug names the operation that reaches it, the entry points that expose that
operation, the releases where it exists, and the exception chain it raises (as the SDK sends
it: the cause first, the exception raised last). `make` draws an event's data from a seeded
generator: the database's fixture, the operation's arguments, and the family of bad input.
"""

from __future__ import annotations

import datetime
import random

from lab.mine.appcode import machinery

APP = "clinic-desk"
VERSIONS = ("3.2.0", "3.3.0", "4.0.0", "4.1.0")
ALL = (0, 1, 2, 3)

ENTRIES = {  # operation → the entry points that expose it
    "book": ("flask", "django", "celery", "click"),
    "cancel": ("flask", "click"),
    "check_in": ("flask", "celery"),
    "remind": ("celery", "jobs"),
    "roster": ("flask", "celery", "click"),
    "claim": ("celery", "click", "jobs"),
    "no_show": ("django", "click", "jobs"),
    "busiest": ("django", "click", "jobs"),
    "utilization": ("django", "click", "jobs"),
}

FIRST = ["Amira", "Bram", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas",
         "Kaja", "Lars", "Mira", "Nils", "Olga", "Pavel"]
LAST = ["Aalto", "Berger", "Costa", "Dahl", "Eriksen", "Fischer", "Gallo", "Horvat", "Ivanova",
        "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Ortega", "Petrov"]
DOCTORS = ["Weiss", "Okafor", "Brandt", "Sato", "Varga", "Lemaire", "Quist", "Rahman"]
CLINICS = ["north", "harbour", "old-town", "westpark"]
LANGS = ["en", "de", "fr"]
UNKNOWN_LANGS = ["pt", "es", "it", "pl", "tr", "nl", "sv"]
INSURERS = ["aok", "tk", "barmer", "dak", "hkk"]
TZ = datetime.timezone(datetime.timedelta(hours=1))
WEEK = {"mon": [8, 17], "tue": [8, 17], "wed": [8, 13], "thu": [10, 19], "fri": [8, 15]}


def day(rng: random.Random, weekend: bool = False) -> datetime.date:
    while True:
        d = datetime.date(2026, 2, 2) + datetime.timedelta(days=rng.randrange(0, 200))
        if (d.weekday() >= 5) == weekend:
            return d


def slot(rng: random.Random, d: datetime.date | None = None) -> datetime.datetime:
    d = d or day(rng)
    return datetime.datetime(d.year, d.month, d.day, 10 + rng.randrange(0, 3),
                             rng.choice([0, 10, 20, 30, 40, 50]), tzinfo=TZ)


def phone(rng: random.Random) -> str:
    country, area = rng.choice([31, 33, 43, 49]), rng.randrange(150, 179)
    return f"+{country} {area} {rng.randrange(10**6, 10**7)}"


def patient(rng: random.Random, pid: int | None = None, **kw) -> dict:
    pid = pid if pid is not None else rng.randrange(100, 99999)
    out = {"id": pid, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "phone": phone(rng),
           "lang": rng.choice(LANGS),
           "insurance": {"insurer": rng.choice(INSURERS),
                         "policy": f"{rng.choice('ABKX')}{rng.randrange(1, 9)}-"
                                   f"{rng.randrange(10**7, 10**8)}"}}
    return {**out, **kw}


def doctor(rng: random.Random, clinic: str, did: int | None = None, **kw) -> dict:
    did = did if did is not None else rng.randrange(10, 999)
    out = {"id": did, "name": rng.choice(DOCTORS), "clinic": clinic, "hours": dict(WEEK),
           "rate": rng.choice([90, 110, 120, 150, 180])}
    return {**out, **kw}


def clinic(rng: random.Random, cid: str | None = None, **kw) -> dict:
    cid = cid or rng.choice(CLINICS)
    out = {"id": cid, "rooms": [f"{cid[0].upper()}{n}" for n in range(1, rng.randrange(2, 5))],
           "bookings": []}
    return {**out, **kw}


def appointment(rng: random.Random, p: dict, d: dict, aid: int | None = None, **kw) -> dict:
    aid = aid if aid is not None else rng.randrange(5001, 99999)
    start = slot(rng)
    out = {"id": aid, "patient_id": p["id"], "doctor_id": d["id"], "clinic": d["clinic"],
           "start": start, "end": start + datetime.timedelta(minutes=rng.choice([10, 20, 30])),
           "status": "booked", "room": "R1"}
    return {**out, **kw}


def world(rng: random.Random, patients=(), doctors=(), clinics=(), appointments=()) -> dict:
    """A database with a few unrelated patients beside the ones a fault needs, and the clinics
    of its doctors."""
    others = [patient(rng) for _ in range(rng.randrange(1, 4))]
    others = [o for o in others if all(o["id"] != p["id"] for p in patients)]
    clinics = list(clinics)
    for d in doctors:
        if all(c["id"] != d["clinic"] for c in clinics):
            clinics.append(clinic(rng, d["clinic"]))
    return {"patients": [*patients, *others], "doctors": list(doctors), "clinics": clinics,
            "appointments": list(appointments)}


class Bug(machinery.Bug):
    """A fault of clinic-desk; its id names the function as of 3.2.0."""

    APP = APP


# --- booking ---------------------------------------------------------------------------------

def _booking(rng, start=None, **kw):
    p = patient(rng)
    d = doctor(rng, rng.choice(CLINICS))
    start = start if start is not None else slot(rng).isoformat()
    payload = {"patient_id": p["id"], "doctor_id": d["id"], "start": start}
    if rng.random() < 0.5:
        payload["minutes"] = rng.choice([10, 20, 30])
    payload.update(kw)
    return p, d, payload


def _book_unknown_patient(rng):
    p, d, payload = _booking(rng)
    payload["patient_id"] = p["id"] + rng.randrange(1, 400)
    return world(rng, [p], [d]), {"payload": payload}, "deleted-record"


def _book_start_format(rng):
    when = slot(rng)
    text = rng.choice([when.strftime("%d/%m/%Y %H:%M"), when.strftime("%d.%m.%Y %H:%M"),
                       when.strftime("%m-%d-%Y %I:%M %p"), when.strftime("%B %d, %Y %H:%M"),
                       when.strftime("%d %b %H:%M")])
    p, d, payload = _booking(rng, start=text)
    return world(rng, [p], [d]), {"payload": payload}, "date-format"


def _book_weekend(rng):
    p, d, payload = _booking(rng, start=slot(rng, day(rng, weekend=True)).isoformat())
    return world(rng, [p], [d]), {"payload": payload}, "weekend"


def _book_minutes_text(rng):
    p, d, payload = _booking(rng, minutes=rng.choice(["20", "30", "15 min", "half hour", "10"]))
    return world(rng, [p], [d]), {"payload": payload}, "number-as-text"


def _book_overlap(rng):
    p, d, payload = _booking(rng)
    start = datetime.datetime.fromisoformat(payload["start"])
    payload["minutes"] = 30
    other = appointment(rng, patient(rng), d, start=start + datetime.timedelta(minutes=10),
                        end=start + datetime.timedelta(minutes=40))
    return world(rng, [p], [d], appointments=[other]), {"payload": payload}, "double-booking"


def _book_naive(rng):
    p, d, payload = _booking(rng)
    payload["start"] = payload["start"][:16]
    other = appointment(rng, patient(rng), d)
    return world(rng, [p], [d], appointments=[other]), {"payload": payload}, "naive-time"


def _book_no_rooms(rng):
    p, d, payload = _booking(rng)
    c = clinic(rng, d["clinic"], rooms=[])
    return world(rng, [p], [d], [c]), {"payload": payload}, "empty"


# --- cancelling and checking in --------------------------------------------------------------

def _visit(rng, **kw):
    p = patient(rng)
    d = doctor(rng, rng.choice(CLINICS))
    a = appointment(rng, p, d, **kw)
    return world(rng, [p], [d], appointments=[a]), a


def _cancel_no_reason(rng):
    fixture, a = _visit(rng)
    return fixture, {"appointment_id": a["id"], "reason": None}, "missing"


def _cancel_reason_text(rng):
    fixture, a = _visit(rng)
    reason = rng.choice(["sick", "patient ill", "2 (doctor)", "weather!", "moved away", "n/a"])
    return fixture, {"appointment_id": a["id"], "reason": reason}, "free-text"


def _cancel_twice(rng):
    fixture, a = _visit(rng, status=rng.choice(["cancelled", "attended", "no-show"]))
    return fixture, {"appointment_id": a["id"], "reason": str(rng.randrange(1, 5))}, "duplicate"


def _checkin_removed(rng):
    fixture, a = _visit(rng)
    arrived = (a["start"] - datetime.timedelta(minutes=rng.randrange(1, 15))).isoformat()
    return (fixture, {"appointment_id": a["id"] + rng.randrange(1, 300), "arrived": arrived},
            "deleted-record")


def _checkin_twice(rng):
    fixture, a = _visit(rng, status=rng.choice(["cancelled", "attended"]))
    return fixture, {"appointment_id": a["id"], "arrived": a["start"].isoformat()}, "duplicate"


def _checkin_naive(rng):
    fixture, a = _visit(rng)
    arrived = (a["start"] + datetime.timedelta(minutes=rng.randrange(-10, 20))).isoformat()[:19]
    return fixture, {"appointment_id": a["id"], "arrived": arrived}, "naive-time"


# --- reminders -------------------------------------------------------------------------------

def _remind_removed(rng):
    fixture, a = _visit(rng)
    return fixture, {"appointment_id": a["id"] + rng.randrange(1, 300)}, "deleted-record"


def _remind_no_patient(rng):
    p = patient(rng)
    d = doctor(rng, rng.choice(CLINICS))
    a = appointment(rng, {"id": p["id"] + rng.randrange(1, 50)}, d)
    return world(rng, [p], [d], appointments=[a]), {"appointment_id": a["id"]}, "deleted-record"


def _remind_lang(rng):
    p = patient(rng, lang=rng.choice(UNKNOWN_LANGS))
    d = doctor(rng, rng.choice(CLINICS))
    a = appointment(rng, p, d)
    return world(rng, [p], [d], appointments=[a]), {"appointment_id": a["id"]}, "unknown-code"


def _remind_no_room(rng):
    fixture, a = _visit(rng)
    del fixture["appointments"][0]["room"]
    return fixture, {"appointment_id": a["id"]}, "missing"


def _remind_phone(rng):
    p = patient(rng, phone=phone(rng).replace(" ", ""))
    d = doctor(rng, rng.choice(CLINICS))
    a = appointment(rng, p, d)
    return world(rng, [p], [d], appointments=[a]), {"appointment_id": a["id"]}, "unformatted"


# --- roster ----------------------------------------------------------------------------------

def _roster_line(rng, did, start=None, short=False):
    d = rng.choice(list(WEEK))
    start = start if start is not None else f"{rng.randrange(7, 11):02d}:00"
    cols = [str(did), d, start, f"{rng.randrange(13, 19)}:00"]
    return ";".join(cols[:3] if short else cols)


def _roster(rng, bad):
    did = rng.randrange(10, 999)
    lines = ["doctor;day;from;to"]
    lines += [_roster_line(rng, did) for _ in range(rng.randrange(0, 3))]
    lines.append(bad(did))
    lines += [_roster_line(rng, did) for _ in range(rng.randrange(0, 2))]
    return "\n".join(lines)


def _roster_short(rng):
    text = _roster(rng, lambda did: _roster_line(rng, did, short=True))
    return world(rng), {"text": text}, "short-row"


def _roster_hour(rng):
    start = rng.choice(["9h", "08.30", "nine", "", "9am", "8-9", "t.b.d."])
    return world(rng), {"text": _roster(rng, lambda did: _roster_line(rng, did, start))}, \
        "number-as-text"


# --- claims ----------------------------------------------------------------------------------

def _claim(rng, p=None, **doctor_kw):
    p = p or patient(rng)
    d = doctor(rng, rng.choice(CLINICS), **doctor_kw)
    a = appointment(rng, p, d, status="attended")
    return world(rng, [p], [d], appointments=[a]), {"appointment_id": a["id"]}


def _claim_no_rate(rng):
    return (*_claim(rng, rate=None), "null-field")


def _claim_surcharge_text(rng):
    surcharge = rng.choice(["12.50", "15", "7,50", "20.00"])
    return (*_claim(rng, surcharge=surcharge), "number-as-text")


def _claim_policy(rng):
    policy = rng.choice([f"{rng.randrange(10**8, 10**9)}", f"X{rng.randrange(10**6, 10**7)}",
                         f"{rng.randrange(10**4, 10**5)}/{rng.randrange(10, 99)}"])
    p = patient(rng)
    p["insurance"] = {**p["insurance"], "policy": policy}
    return (*_claim(rng, p), "legacy-record")


def _claim_timeout(rng):
    p = patient(rng)
    p["insurance"] = {**p["insurance"], "insurer": rng.choice(INSURERS) + "-slow"}
    return (*_claim(rng, p), "upstream-timeout")


def _claim_pending(rng):
    p = patient(rng)
    p["insurance"] = {**p["insurance"], "insurer": rng.choice(INSURERS) + "-manual"}
    return (*_claim(rng, p), "upstream-pending")


# --- statistics ------------------------------------------------------------------------------

def _stats_world(rng, status, **kw):
    c = clinic(rng)
    d = doctor(rng, c["id"])
    others = [appointment(rng, patient(rng), d, status=status, **kw)
              for _ in range(rng.randrange(1, 4))]
    return world(rng, [], [d], [c], others), c


def _no_show_empty(rng):
    fixture, c = _stats_world(rng, "booked")
    return fixture, {"clinic_id": c["id"]}, "empty"


def _busiest_empty(rng):
    fixture, c = _stats_world(rng, rng.choice(["booked", "cancelled", "no-show"]))
    return fixture, {"clinic_id": c["id"]}, "empty"


def _utilization_open(rng):
    c = clinic(rng)
    d = doctor(rng, c["id"])
    when = day(rng)
    apps = [appointment(rng, patient(rng), d, start=slot(rng, when))
            for _ in range(rng.randrange(0, 3))]
    apps.append(appointment(rng, patient(rng), d, start=slot(rng, when), end=None))
    rng.shuffle(apps)
    for a in apps:
        if a["end"] is not None:
            a["end"] = a["start"] + datetime.timedelta(minutes=20)
    return world(rng, [], [d], [c], apps), {"day": when.isoformat()}, "null-field"


BUGS: tuple[Bug, ...] = (
    Bug("db.get_patient/PatientNotFound-booking-for-deleted-patient", "db.get_patient:raise",
        "book", ("PatientNotFound",), _book_unknown_patient, kind="own exception, varying message"),
    Bug("timeutil.parse_when/ValueError-start-not-iso", "timeutil.parse_when:fromisoformat",
        "book", ("ValueError",), _book_start_format, kind="parsing, message varies"),
    Bug("booking.book/KeyError-weekend-slot", "booking.book:hours[weekday]", "book", ("KeyError",),
        _book_weekend, kind="KeyError on own dict"),
    Bug("booking.book/TypeError-minutes-as-text", "booking.book:timedelta(minutes)", "book",
        ("TypeError",), _book_minutes_text, kind="wrong type to the standard library"),
    Bug("booking.book/AssertionError-overlapping-slot", "booking.book:overlap", "book",
        ("AssertionError",), _book_overlap, kind="assertion, varying message"),
    Bug("booking.book/TypeError-naive-start", "booking.book:overlap", "book", ("TypeError",),
        _book_naive, kind="naive vs aware (same line as overlapping-slot; same type and function "
                         "as minutes-as-text)"),
    Bug("booking.book/ZeroDivisionError-clinic-without-rooms", "booking.book:load", "book",
        ("ZeroDivisionError",), _book_no_rooms, kind="division by zero"),
    Bug("booking.cancel/AttributeError-cancel-without-reason", "booking.cancel:reason-code",
        "cancel", ("AttributeError",), _cancel_no_reason, kind="attribute of None"),
    Bug("booking.cancel/ValueError-free-text-reason", "booking.cancel:reason-code", "cancel",
        ("ValueError",), _cancel_reason_text, kind="parsing (same line as cancel-without-reason)"),
    Bug("booking.cancel/BookingError-cancel-inactive", "booking.cancel:status", "cancel",
        ("BookingError",), _cancel_twice,
        kind="own exception, same message as check-in-inactive until 4.0.0"),
    Bug("db.get_appointment/AppointmentNotFound-check-in-for-removed-appointment",
        "booking.check_in:get_appointment", "check_in", ("AppointmentNotFound",),
        _checkin_removed, kind="own exception, varying message"),
    Bug("booking.check_in/BookingError-check-in-inactive", "booking.check_in:status", "check_in",
        ("BookingError",), _checkin_twice, kind="own exception, same message as cancel-inactive"),
    Bug("booking.check_in/TypeError-naive-arrival", "booking.check_in:late", "check_in",
        ("TypeError",), _checkin_naive, kind="naive vs aware subtraction"),
    Bug("db.get_appointment/AppointmentNotFound-reminder-for-removed-appointment",
        "reminders.send_reminder:get_appointment", "remind", ("AppointmentNotFound",),
        _remind_removed, kind="own exception from the same raise as check-in-for-removed"),
    Bug("reminders.send_reminder/AttributeError-reminder-for-deleted-patient",
        "reminders.send_reminder:patient.phone", "remind", ("AttributeError",),
        _remind_no_patient, kind="attribute of None returned by own lookup"),
    Bug("reminders.render/KeyError-no-template-for-language", "reminders.render:TEMPLATES",
        "remind", ("KeyError",), _remind_lang, kind="KeyError on own dict, message varies"),
    Bug("reminders.render/KeyError-appointment-without-room", "reminders.render:format",
        "remind", ("KeyError",), _remind_no_room,
        kind="KeyError (same type, same function as no-template-for-language)"),
    Bug("sms.normalize/ValueError-phone-without-spaces", "sms.normalize:unpack", "remind",
        ("ValueError",), _remind_phone, releases=(2, 3), kind="introduced by the 4.0.0 refactor"),
    Bug("roster.parse_row/IndexError-short-row", "roster.parse_row:cols[3]", "roster",
        ("IndexError",), _roster_short,
        kind="IndexError, same message as busiest-in-empty-clinic"),
    Bug("roster.parse_row/ValueError-hour-not-a-number", "roster.parse_row:int(hour)", "roster",
        ("ValueError",), _roster_hour, kind="parsing, message varies; moves to a helper in 4.0.0"),
    Bug("fees.visit_fee/TypeError-doctor-without-rate", "fees.visit_fee:*rate", "claim",
        ("TypeError",), _claim_no_rate, kind="arithmetic on None"),
    Bug("fees.visit_fee/TypeError-surcharge-as-text", "fees.visit_fee:+surcharge", "claim",
        ("TypeError",), _claim_surcharge_text,
        kind="arithmetic on text (same type, same function as doctor-without-rate)"),
    Bug("claims.policy_number/ClaimError-legacy-policy-number", "claims.policy_number:split",
        "claim", ("IndexError", "ClaimError"), _claim_policy, kind="re-raised, message varies"),
    Bug("claims.submit_claim/ClaimRejected-insurer-timeout", "claims.submit_claim:insurer.send",
        "claim", ("TimeoutError", "ClaimRejected"), _claim_timeout,
        kind="re-raised as own exception"),
    Bug("claims.submit_claim/ClaimRejected-pending-without-approval",
        "claims.submit_claim:approval", "claim", ("KeyError", "ClaimRejected"), _claim_pending,
        kind="re-raised as own exception (same raise line as insurer-timeout)"),
    Bug("stats.no_show_rate/ZeroDivisionError-clinic-without-visits", "stats.no_show_rate:len",
        "no_show", ("ZeroDivisionError",), _no_show_empty,
        kind="division by zero, same message as clinic-without-rooms"),
    Bug("stats.busiest_doctor/IndexError-busiest-in-empty-clinic", "stats.busiest_doctor:ranked[0]",
        "busiest", ("IndexError",), _busiest_empty, kind="IndexError on own list"),
    Bug("stats.utilization/TypeError-open-appointment-without-end", "stats.utilization:end-start",
        "utilization", ("TypeError",), _utilization_open, releases=(0, 1, 2),
        kind="None minus datetime (fixed in 4.1.0)"),
)
BY_ID = {bug.id: bug for bug in BUGS}
