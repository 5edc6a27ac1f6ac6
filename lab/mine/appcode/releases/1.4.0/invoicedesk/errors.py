"""The service's own exceptions."""


class InvoiceDeskError(Exception):
    """Base of every error the service raises on purpose."""


class NotFound(InvoiceDeskError):
    pass


class CustomerNotFound(NotFound):
    pass


class InvoiceNotFound(NotFound):
    pass


class ValidationError(InvoiceDeskError):
    pass


class PaymentFailed(InvoiceDeskError):
    pass


class ImportFailed(InvoiceDeskError):
    pass


class ExportError(InvoiceDeskError):
    pass
