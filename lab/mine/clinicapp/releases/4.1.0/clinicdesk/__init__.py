"""Clinic Desk: appointments, reminders, rosters, insurance claims and statistics for a group
of outpatient clinics."""

__version__ = "4.1.0"
