"""Fixtures of the attachment tests."""

from tests.helpers.clients import member  # noqa: F401 - a member's signed-in client
