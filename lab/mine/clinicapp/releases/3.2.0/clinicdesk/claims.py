"""Insurance claims for attended visits."""

from clinicdesk import db, fees, insurer
from clinicdesk.errors import ClaimError, ClaimRejected


def submit_claim(appointment_id):
    appointment = db.get_appointment(appointment_id)
    patient = db.get_patient(appointment["patient_id"])
    doctor = db.DOCTORS[appointment["doctor_id"]]
    amount = fees.visit_fee(doctor, appointment)
    policy = policy_number(patient)
    try:
        response = insurer.send(patient.insurance["insurer"], policy, amount)
        approval = response["approval"]
    except (TimeoutError, KeyError) as err:
        raise ClaimRejected(f"claim for appointment {appointment_id} rejected") from err
    appointment["claim"] = approval
    return {"id": appointment_id, "amount": amount, "approval": approval}


def policy_number(patient):
    policy = patient.insurance["policy"]
    try:
        return policy.split("-")[1]
    except IndexError as err:
        raise ClaimError(f"unreadable policy number {policy!r}") from err
