"""Times as the clinics write them."""

import datetime

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_when(text):
    return datetime.datetime.fromisoformat(text)


def weekday(moment):
    return DAYS[moment.weekday()]
