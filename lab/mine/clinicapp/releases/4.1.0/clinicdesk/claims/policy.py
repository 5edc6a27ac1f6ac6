"""Policy numbers as the insurers print them: PREFIX-NUMBER."""

from clinicdesk.errors import ClaimError


def policy_number(patient):
    policy = patient.insurance["policy"]
    try:
        return policy.split("-")[1]
    except IndexError as err:
        raise ClaimError(f"unreadable policy number {policy!r}") from err
