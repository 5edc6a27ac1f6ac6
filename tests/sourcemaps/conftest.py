"""Every source-map test starts with an empty fetch cache; `fetching` turns fetching on."""

import pytest

from sourcemaps import fetch


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(fetch, "_cache", None)


@pytest.fixture
def fetching(settings):
    """The installation allows fetching; loopback stands for the public site here."""
    settings.SOURCEMAPS_FETCH = True
    settings.SOURCEMAPS_FETCH_ALLOW_PRIVATE = True
    return settings
