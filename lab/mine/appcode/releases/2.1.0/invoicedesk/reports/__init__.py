"""Reports for the finance team."""

from invoicedesk.reports.aging import aging
from invoicedesk.reports.revenue import average_invoice, top_customer

__all__ = ["aging", "average_invoice", "top_customer"]
