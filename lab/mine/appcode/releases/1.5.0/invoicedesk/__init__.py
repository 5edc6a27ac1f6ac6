"""Invoice Desk: customers, invoices, payments, reminders and reports for a small agency."""

__version__ = "1.5.0"
