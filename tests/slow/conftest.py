"""The end-to-end tests: real web servers, Celery workers, SDKs and browsers. Every test in this
folder is marked `slow` (`pytest -m "not slow"` leaves them out)."""

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slow)
