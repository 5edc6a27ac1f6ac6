"""A V8 name's `[as alias]` is read in one place (clean.v8_alias_start): the fingerprint's own
name (fingerprint.own_name) and the cleaned name's alias (clean.v8_alias) split a name at the
same point, so a name one reads as aliased the other does too."""

import pytest

from grouping.clean import v8_alias
from grouping.fingerprint import own_name


@pytest.mark.parametrize("name, own, alias", [
    ("Object.checkFeed [as feed/checkFeed]", "Object.checkFeed", "feed/checkFeed"),
    ("Object.formatImpl [as format]", "Object.formatImpl", "format"),
    ("f [as a] [as b]", "f [as a]", "b"),  # the last alias, as V8 appends it
    ("g [as a]b]", "g [as a]b]", None),  # a `]` inside is no alias
    ("h [as ]", "h [as ]", None),  # an empty alias is none
    ("plain.name", "plain.name", None),
    ("k\n[as x]", "k\n[as x]", None),  # the name's first line holds the `[as `
])
def test_own_name_and_alias_split_a_name_at_one_point(name, own, alias):
    assert own_name(name) == own
    assert v8_alias(name) == alias
    if alias is not None:
        assert name == f"{own} [as {alias}]"
