"""Times as the clinics write them (was timeutil)."""

import datetime

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekday(moment):
    return DAYS[moment.weekday()]


def parse(text):
    """An ISO 8601 time from a form, a kiosk or the phone line."""
    return datetime.datetime.fromisoformat(text)
