"""Errors the returns service raises on purpose."""


class ReturnsError(Exception):
    """Base of the service's own errors."""


class OrderMissing(ReturnsError):
    pass


class ReturnMissing(ReturnsError):
    pass


class PolicyViolation(ReturnsError):
    pass


class RefundFailed(ReturnsError):
    pass
