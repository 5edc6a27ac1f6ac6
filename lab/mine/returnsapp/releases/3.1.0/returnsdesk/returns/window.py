"""The returns policy: thirty days from delivery, final-sale items excluded."""

from datetime import datetime

WINDOW_DAYS = 30


def check_window(order, requested):
    """Whether `requested` is within the window after delivery."""
    # both dates are calendar days in the warehouse's time zone
    delivered = datetime.strptime(order["delivered"], "%Y-%m-%d")
    asked = datetime.strptime(requested, "%Y-%m-%d")
    return (asked - delivered).days <= WINDOW_DAYS
