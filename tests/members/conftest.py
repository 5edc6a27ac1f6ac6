"""Fixtures of the members tests."""

from tests.helpers.members import acme  # noqa: F401 - owner, admin and member of acme
