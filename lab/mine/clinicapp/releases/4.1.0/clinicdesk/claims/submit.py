"""Sending a claim to the patient's insurer."""

from clinicdesk import db, insurer
from clinicdesk.claims.fees import fee_for
from clinicdesk.claims.policy import policy_number
from clinicdesk.errors import ClaimRejected


def submit_claim(appointment_id):
    appointment = db.load_appointment(appointment_id)
    patient = db.load_patient(appointment["patient_id"])
    doctor = db.DOCTORS[appointment["doctor_id"]]
    amount = fee_for(doctor, appointment)
    policy = policy_number(patient)
    try:
        response = insurer.send(patient.insurance["insurer"], policy, amount)
        approval = response["approval"]
    except (TimeoutError, KeyError) as err:
        raise ClaimRejected(f"insurer rejected claim {appointment_id}") from err
    appointment["claim"] = approval
    return {"id": appointment_id, "amount": amount, "approval": approval}
