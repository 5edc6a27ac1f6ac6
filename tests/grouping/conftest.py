"""Fixtures the grouping tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def ml_project(project, no_breaker):
    """The project, grouping by ML (its decisions join; shadow mode only records them)."""
    from monitor.models import Project

    project.grouping_mode = Project.GroupingMode.ML
    project.save()
    return project
