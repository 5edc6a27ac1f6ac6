"""A fresh installation serves the shipped grouping model: its committed severity head must be
keyed by that model's version, or priority loses its learned signal the day the manifest moves."""

from embeddings import shipped
from priority import severity


def test_the_shipped_models_version_has_its_committed_severity_head():
    version = shipped.load().version
    head = severity.default_head_for(version)
    assert head is not None, f"no committed severity head for the shipped model {version}"
    assert head.weights.size == 384
