"""The clinicbook service's bugs: one root cause each, a statement of the service's own code that
fails one way for one kind of input (docs/corpus.md, "clinicbook"). Each names its site (module
and function as release 1 calls them, and what fails), the operation that reaches it, the
releases it is in, the entry points that call it, and the families of input that hit it, each
drawing a fresh input per event."""

# ruff: noqa: E501  (the bug table keeps one input family per line)

from __future__ import annotations

from random import Random

from lab.mine.js import service

ALL = (1, 2, 3, 4)
PATIENTS = (501, 502, 503, 504)
INSURED = (501, 503, 504)
CLINICIANS = ("dr-hale", "dr-imai", "dr-ruiz")
TAKEN = {  # db.js
    "dr-hale": ("2027-01-11T09:00", "2027-01-11T10:00", "2027-01-12T11:00"),
    "dr-imai": ("2027-01-12T14:00", "2027-01-13T09:00"),
    "dr-ruiz": ("2027-01-11T07:00",),
}
FEES = ("CONSULT", "FOLLOWUP", "XRAY", "VACCINE")
NAMES = ("Ada", "Tomas", "Lena", "Yusuf", "Mira", "Owen", "Priya", "Jonas")

# Entry points: the web API (Express), the partner API (Koa), internal RPC (http), jobs
# (worker_threads) and the admin CLI.
API = ("express", "koa", "http")
FRONT = ("express", "koa", "cli")
DESK = ("express", "worker", "cli")
JOBS = ("http", "worker", "cli")

Make = service.Make


class Bug(service.Bug):
    """A fault of clinicbook."""

    NAME = "clinicbook"


def day(rng: Random) -> str:
    return f"2027-01-{rng.randint(11, 28):02d}"


def free_slot(rng: Random) -> tuple[str, str]:
    clinician = rng.choice(CLINICIANS)
    return clinician, f"{day(rng)}T{rng.randint(12, 14)}:30"


def booking(rng: Random, **extra) -> dict:
    clinician, slot = free_slot(rng)
    return {"patient": {"id": rng.choice(PATIENTS)}, "clinician": clinician, "when": slot, **extra}


def unknown_patient(rng: Random) -> int:
    return rng.randint(600, 9999)


def person(rng: Random, **extra) -> dict:
    name = rng.choice(NAMES)
    return {"name": f" {name} ", "contact": {"email": f"{name}{rng.randint(1, 99)}@mail.example"},
            "born": f"19{rng.randint(50, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", **extra}


def show(rng: Random, **extra) -> dict:
    return {"clinician": rng.choice(CLINICIANS), "at": f"{day(rng)}T10:00:00Z", **extra}


def reminder(rng: Random, **extra) -> dict:
    name = rng.choice(NAMES)
    return {"template": "Dear {{name}}, see you at {{time}}.",
            "vars": {"name": name, "time": f"{rng.randint(8, 16)}:00"},
            "note": f"Bring card #{rng.randint(100, 999)}", **extra}


def send(rng: Random, **extra) -> dict:
    return {"channel": rng.choice(("sms", "email")),
            "webhook": f"https://hooks.clinic.example/r/{rng.randint(1, 999)}", **extra}


def claim(rng: Random, **extra) -> dict:
    return {"patientId": rng.choice(INSURED), "ref": f"CLM-{rng.randint(1000, 9999)}",
            "amount": rng.randint(20, 400) * 100, **extra}


def roster_csv(rng: Random, broken: str) -> dict:
    rows = [f"{rng.choice(NAMES)},{rng.choice(CLINICIANS)},room-{rng.randint(1, 9)}"
            for _ in range(rng.randint(1, 3))]
    rows.insert(rng.randint(0, len(rows)), broken)
    return {"format": "csv", "roster": "\n".join(rows)}


BUGS: tuple[Bug, ...] = (
    # patients
    Bug("patients/lookupPatient:unknown", "MissingRecordError", "patients/get", API,
        (("unknown-id", lambda r: {"id": unknown_patient(r)}),
         ("id-as-string", lambda r: {"id": str(unknown_patient(r))}))),
    Bug("patients/lookupPatient:id", "InvalidRequestError", "patients/get", API,
        (("mrn-not-id", lambda r: {"id": f"MRN-{r.randint(1000, 9999)}"}),
         ("fractional-id", lambda r: {"id": r.randint(500, 510) + 0.5}))),
    Bug("patients/normalizePhone:phone", "TypeError", "patients/phone", DESK,
        (("no-phone", lambda r: {"name": r.choice(NAMES)}),
         ("null-phone", lambda r: {"phone": None, "name": r.choice(NAMES)}))),
    Bug("patients/registerPatient:name", "TypeError", "patients/register", FRONT,
        (("no-name", lambda r: {k: v for k, v in person(r).items() if k != "name"}),)),
    Bug("patients/registerPatient:contact", "TypeError", "patients/register", FRONT,
        (("no-contact", lambda r: {k: v for k, v in person(r).items() if k != "contact"}),
         ("contact-without-email", lambda r: person(r, contact={"phone": "0151 555 0100"})))),
    Bug("patients/registerPatient:born", "RangeError", "patients/register", FRONT,
        (("born-dmy", lambda r: person(r, born=f"{r.randint(13, 28)}/0{r.randint(1, 9)}/1980")),
         ("born-words", lambda r: person(r, born=r.choice(("unknown", "n/a", "tbc")))))),
    # schedule
    Bug("schedule/listSlots:clinician", "MissingRecordError", "schedule/slots", API,
        (("unknown-clinician", lambda r: {"clinician": f"dr-{r.choice(NAMES).lower()}", "day": day(r)}),)),
    Bug("schedule/listSlots:step", "RangeError", "schedule/slots", API,
        (("zero-step", lambda r: {"clinician": r.choice(CLINICIANS), "day": day(r), "step": 0}),
         ("negative-step", lambda r: {"clinician": r.choice(CLINICIANS), "day": day(r), "step": -r.randint(5, 60)}))),
    Bug("schedule/formatSlot:tz", "RangeError", "schedule/show", FRONT,
        (("bad-zone", lambda r: show(r, tz=r.choice(("Mars/Base", "GMT+25", "Europe/Springfield")))),
         ("zone-abbrev", lambda r: show(r, tz=r.choice(("CETT", "PSTX")))))),
    Bug("schedule/formatSlot:at", "RangeError", "schedule/show", FRONT,
        (("bad-time", lambda r: show(r, at=f"{day(r)} at {r.randint(8, 16)}")),
         ("no-time", lambda r: {"clinician": r.choice(CLINICIANS)}))),
    Bug("schedule/roomFor:room", "TypeError", "schedule/room", ("koa", "worker"),
        (("roomless-clinician", lambda r: {"clinician": "dr-ruiz", "day": day(r)}),)),
    Bug("schedule/bookAppointment:patient", "TypeError", "schedule/book", API + ("cli",),
        (("no-patient", lambda r: {k: v for k, v in booking(r).items() if k != "patient"}),
         ("patient-id-flat", lambda r: {**{k: v for k, v in booking(r).items() if k != "patient"},
                                        "patientId": r.choice(PATIENTS)}))),
    Bug("schedule/bookAppointment:when", "TypeError", "schedule/book", API + ("cli",),
        (("when-as-epoch", lambda r: booking(r, when=r.randint(1_790_000_000, 1_800_000_000) * 1000)),)),
    Bug("schedule/bookAppointment:slot", "SlotTakenError", "schedule/book", API + ("cli",),
        (("double-booking", lambda r: (lambda c: booking(r, clinician=c, when=r.choice(TAKEN[c])))(r.choice(CLINICIANS))),)),
    Bug("schedule/bookAppointment:id", "InvalidRequestError", "schedule/book", API + ("cli",),
        (("mrn-patient", lambda r: booking(r, patient={"id": f"MRN-{r.randint(1000, 9999)}"})),)),
    Bug("schedule/cancelAppointment:late", "InvalidRequestError", "schedule/cancel", DESK,
        (("same-day", lambda r: {"slot": "2027-01-20T15:00", "now": f"2027-01-20T{r.randint(8, 14):02d}:00"}),
         ("day-before", lambda r: {"slot": "2027-01-21T09:00", "now": f"2027-01-20T{r.randint(10, 20):02d}:00"}))),
    # billing
    Bug("billing/invoiceVisit:code", "TypeError", "billing/invoice", ("express", "http", "worker"),
        (("unknown-code", lambda r: {"patientId": r.choice(PATIENTS), "code": r.choice(("DENTAL", "MRI", "consult"))}),
         ("no-code", lambda r: {"patientId": r.choice(PATIENTS), "units": r.randint(1, 3)}))),
    Bug("billing/invoiceVisit:patient", "MissingRecordError", "billing/invoice", ("express", "http", "worker"),
        (("unknown-patient", lambda r: {"patientId": unknown_patient(r), "code": r.choice(FEES)}),)),
    Bug("billing/invoiceVisit:precision", "RangeError", "billing/invoice", ("express", "http", "worker"),
        (("precision-too-large", lambda r: {"patientId": r.choice(PATIENTS), "code": r.choice(FEES), "precision": r.randint(101, 300)}),
         ("negative-precision", lambda r: {"patientId": r.choice(PATIENTS), "code": r.choice(FEES), "precision": -r.randint(1, 9)}))),
    Bug("billing/splitInvoice:payers", "TypeError", "billing/split", ("express", "koa"),
        (("payers-as-string", lambda r: {"total": r.randint(50, 500) * 100, "payers": r.choice(NAMES)}),
         ("payers-as-map", lambda r: {"total": r.randint(50, 500) * 100, "payers": {r.choice(NAMES): 1}})),
        releases=(2, 3, 4)),
    # insurance
    Bug("insurance/submitClaim:ref", "ClaimRejectedError", "insurance/claim", JOBS,
        (("malformed-escape", lambda r: claim(r, ref=f"CLM-{r.randint(100, 999)}%E0%A4%A")),
         ("stray-percent", lambda r: claim(r, ref=f"CLM-{r.randint(100, 999)}%"))),
        cause="URIError"),
    Bug("insurance/submitClaim:insurer", "ClaimRejectedError", "insurance/claim", JOBS,
        (("uninsured-patient", lambda r: claim(r, patientId=502)),), releases=(1, 2, 3),
        cause="TypeError"),
    Bug("insurance/checkEligibility:policy", "SyntaxError", "insurance/eligibility", ("express", "koa"),
        (("policy-not-json", lambda r: {"policy": f"covers={r.choice(FEES)}", "code": r.choice(FEES)}),
         ("truncated-policy", lambda r: {"policy": '{"covers": ["' + r.choice(FEES), "code": r.choice(FEES)}))),
    # notify
    Bug("notify/renderReminder:var", "TypeError", "notify/render", ("http", "worker"),
        (("missing-var", lambda r: reminder(r, vars={"name": r.choice(NAMES)})),
         ("extra-placeholder", lambda r: reminder(r, template="Hi {{name}}, room {{room}} at {{time}}")))),
    Bug("notify/renderReminder:note", "TypeError", "notify/render", ("http", "worker"),
        (("no-note", lambda r: {k: v for k, v in reminder(r).items() if k != "note"}),)),
    Bug("notify/renderReminder:form", "RangeError", "notify/render", ("http", "worker"),
        (("bad-form", lambda r: reminder(r, form=r.choice(("nfc", "NFX", "utf8")))),)),
    Bug("notify/sendReminder:webhook", "TypeError", "notify/send", JOBS,
        (("schemeless-webhook", lambda r: send(r, webhook=f"hooks.clinic.example/r/{r.randint(1, 999)}")),
         ("webhook-path", lambda r: send(r, webhook=f"/r/{r.randint(1, 999)}")))),
    Bug("notify/sendReminder:channel", "InvalidRequestError", "notify/send", JOBS,
        (("whatsapp", lambda r: send(r, channel=r.choice(("whatsapp", "push", "fax")))),)),
    # admin
    Bug("admin/importRoster:row", "TypeError", "admin/roster", ("worker", "cli"),
        (("short-row", lambda r: roster_csv(r, f"{r.choice(NAMES)},{r.choice(CLINICIANS)}")),)),
    Bug("admin/importRoster:json", "SyntaxError", "admin/roster", ("worker", "cli"),
        (("json-comments", lambda r: {"format": "json", "roster": f'{{"clinicians": {{}} // {r.randint(1, 99)}}}'}),
         ("json-single-quotes", lambda r: {"format": "json", "roster": f"{{'clinicians': {r.randint(1, 9)}}}"}))),
)
