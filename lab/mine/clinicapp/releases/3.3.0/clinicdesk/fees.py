"""What a visit costs."""


def visit_fee(doctor, appointment):
    minutes = (appointment["end"] - appointment["start"]).total_seconds() / 60
    fee = minutes / 60 * doctor["rate"]
    return round(fee + doctor.get("surcharge", 0), 2)
