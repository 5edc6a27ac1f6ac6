"""Fixtures of the alerts tests."""

from tests.helpers.clients import people  # noqa: F401 - the cast's API clients
