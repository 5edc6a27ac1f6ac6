"""The end-to-end tests: real web servers, Celery workers, SDKs and browsers. Every test in this
folder is marked `slow` (`pytest -m "not slow"` leaves them out)."""

import uuid
from pathlib import Path

import pytest

from monitor.models import Organization, Project, ProjectKey
from tests.helpers.outage import postgres  # noqa: F401 - the stoppable server, for every file here

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def key() -> ProjectKey:
    """A key of a Python project of its own organization; browsers of https://shop.example may
    send to it."""
    org = Organization.objects.create(name="Ingest", slug=f"ingest-{uuid.uuid4().hex[:8]}")
    project = Project.objects.create(organization=org, name="API", slug="api", platform="python",
                                     allowed_origins="https://shop.example")
    return ProjectKey.objects.create(project=project)
