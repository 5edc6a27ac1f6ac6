"""Booking, cancelling and checking in appointments."""

from clinicdesk.booking.changes import cancel, check_in
from clinicdesk.booking.visits import book_visit

__all__ = ["book_visit", "cancel", "check_in"]
