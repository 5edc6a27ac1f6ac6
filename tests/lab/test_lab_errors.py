"""lab.errors: the splits and wrong merges it lists, and the causes it reads from fingerprint
components."""

from __future__ import annotations

from lab.errors import causes, merges, representatives, splits


def test_splits_and_merges_of_a_partition():
    labels = ["a", "a", "b", "a", "c", "c"]
    clusters = [0, 1, 1, 2, 3, 3]
    assert representatives(clusters) == {0: 0, 1: 1, 2: 3, 3: 4}
    assert splits(labels, clusters) == {"a": [0, 1, 2]}
    assert merges(labels, clusters) == {1: ["a", "b"]}


def exc(value: str, exc_type: str = "Error") -> dict:
    return {"exception": [{"type": exc_type, "value": value}]}


def test_causes_name_what_differs():
    base = ["type:Error", "value:x", "frame:app|cards/renderCard", "frame:app|compile"]
    assert causes(exc("You passed null"), exc("You passed undefined"), (base, base)) == [
        "message template"]
    assert causes(exc("bad 'a'"), exc("bad 'b'"), (base, base)) == ["message parameters"]
    wrapped = ["type:Error", "value:x", "frame:sentry|", *base[2:]]
    assert causes(exc("x"), exc("x"), (base, wrapped)) == ["frame count"]
    moved = [*base[:2], "frame:app|cards/renderStrictCard", "frame:app|compile"]
    assert causes(exc("x"), exc("x"), (base, moved)) == ["call path"]
    crashed = [*base[:3], "frame:app|parse"]
    assert causes(exc("x"), exc("x", "TypeError"), (base, ["type:TypeError", *crashed[1:]])) == [
        "type", "crash frame"]
    assert causes(exc("x"), exc("x"), (base, base)) == ["same fingerprint components"]
