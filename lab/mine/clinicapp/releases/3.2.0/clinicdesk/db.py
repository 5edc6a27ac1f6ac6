"""In-process tables of patients, doctors, clinics and appointments (PostgreSQL in production)."""

from clinicdesk.errors import AppointmentNotFound, PatientNotFound
from clinicdesk.models import Patient

PATIENTS: dict[int, Patient] = {}
DOCTORS: dict[int, dict] = {}
CLINICS: dict[str, dict] = {}
APPOINTMENTS: dict[int, dict] = {}


def reset(patients=(), doctors=(), clinics=(), appointments=()):
    for table in (PATIENTS, DOCTORS, CLINICS, APPOINTMENTS):
        table.clear()
    for patient in patients:
        PATIENTS[patient["id"]] = Patient(**patient)
    for doctor in doctors:
        DOCTORS[doctor["id"]] = dict(doctor)
    for clinic in clinics:
        CLINICS[clinic["id"]] = dict(clinic)
    for appointment in appointments:
        APPOINTMENTS[appointment["id"]] = dict(appointment)


def get_patient(patient_id):
    patient = PATIENTS.get(patient_id)
    if patient is None:
        raise PatientNotFound(f"patient {patient_id} not found")
    return patient


def find_patient(patient_id):
    return PATIENTS.get(patient_id)


def get_appointment(appointment_id):
    appointment = APPOINTMENTS.get(appointment_id)
    if appointment is None:
        raise AppointmentNotFound(f"appointment {appointment_id} not found")
    return appointment


def save_appointment(appointment):
    appointment_id = max(APPOINTMENTS, default=5000) + 1
    APPOINTMENTS[appointment_id] = {**appointment, "id": appointment_id}
    return appointment_id
