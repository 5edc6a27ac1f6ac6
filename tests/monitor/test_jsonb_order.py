"""A stored payload's key order (monitor.eventstore.jsonb_order) is the order PostgreSQL's jsonb
gives the same document, checked against the real server for any JSON, ASCII keys or not."""

import json

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.eventstore import jsonb_order

# jsonb refuses U+0000 in text; anything else of Unicode goes
CHARACTERS = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
KEYS = st.one_of(st.text(CHARACTERS, max_size=6),
                 st.text(alphabet="abcAB_é€😀", max_size=4),
                 st.sampled_from(["a", "b", "aa", "ab", "B", "é", "z", "level", "title"]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.text(CHARACTERS, max_size=4))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=6)), max_leaves=30)


def as_jsonb(document) -> str:
    """The document's text as PostgreSQL's jsonb writes it back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT (%s::jsonb)::text", [json.dumps(document)])
        return cursor.fetchone()[0]


def text(document) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.django_db
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(KEYS, DOCUMENTS, max_size=8))
def test_the_key_order_is_jsonbs(document):
    assert text(jsonb_order(document)) == text(json.loads(as_jsonb(document)))


def test_keys_that_are_not_strings_are_ordered_as_their_text():
    assert list(jsonb_order({10: "x", 9: "y", "a": {2: 1, 1: 2}})) == [9, "a", 10]
    assert list(jsonb_order({"k": {2: 1, 1: 2}})["k"]) == [1, 2]
