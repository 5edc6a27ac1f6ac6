"""The end-to-end tests: real web servers, Celery workers, SDKs and browsers. Every test in this
folder is marked `slow` (`pytest -m "not slow"` leaves them out)."""

from pathlib import Path

import pytest

from tests.helpers.outage import postgres  # noqa: F401 - the stoppable server, for every file here

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slow)
