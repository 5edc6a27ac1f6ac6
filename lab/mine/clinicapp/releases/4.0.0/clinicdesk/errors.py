"""The service's own exceptions."""


class ClinicError(Exception):
    """Base of every error the service raises on purpose."""


class NotFound(ClinicError):
    pass


class PatientNotFound(NotFound):
    pass


class AppointmentNotFound(NotFound):
    pass


class BookingError(ClinicError):
    pass


class ClaimError(ClinicError):
    pass


class ClaimRejected(ClinicError):
    pass
