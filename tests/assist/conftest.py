"""Fixtures of the assist tests."""

from tests.helpers.assist import owner  # noqa: F401 - an owner of the organisation
