"""Reporting through the official sentry-sdk with a client of the test's own."""

import sentry_sdk


def capture(client, func, *args, user=None):
    """Call `func(*args)`, which must raise, and report the exception through `client`."""
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        if user:
            scope.set_user(user)
        try:
            func(*args)
        except Exception as exc:
            return scope.capture_exception(exc)
    raise AssertionError(f"{func.__name__} did not raise")
