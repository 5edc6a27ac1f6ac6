"""The "type" message shape leaves out only a library's words (grouping.clean
.raised_by_application): an exception the application raised keeps its message's template, its
own distinction between two faults of one helper (`fail("E_STOCK", ...)` and `fail("E_PAYMENT",
...)`: one site, type and code line), which no site label of the mined corpus can see; a
library's exception reads its type alone. Through the shipped model, in the served Python shape,
the helper's two faults stay beyond the served threshold."""

from __future__ import annotations

import pytest

from grouping import rules
from grouping.clean import clean_event, exception_header, raised_by_application
from tests.helpers.events import event, normalize
from tests.helpers.served_encoder import distance, served_encode

HELPER = {"crash_function": "fail", "crash_line": 'raise AppError(f"{code}: {detail}")',
          "exc_type": "AppError"}
STOCK, PAYMENT = "E_STOCK: item 12 is out of stock", "E_PAYMENT: card declined for order 7"


def in_library(payload: dict) -> dict:
    """The payload with a library frame below its crash line: the library raised it."""
    payload["exception"]["values"][0]["stacktrace"]["frames"].append(
        {"module": "yaml.parser", "function": "parse_node", "in_app": False,
         "context_line": "raise ParserError(...)"})
    return payload


def test_the_innermost_frame_says_who_raised():
    mine = normalize(event(value=STOCK, **HELPER))["exception"][0]
    theirs = normalize(in_library(event(value=STOCK, **HELPER)))["exception"][0]
    bare = {"type": "AppError", "value": STOCK}
    assert raised_by_application(mine) and not raised_by_application(theirs)
    assert not raised_by_application(bare)  # no frames: nothing says the application raised it
    assert exception_header(mine, message="type") == "AppError: E_STOCK: item <int> is out of stock"
    assert exception_header(theirs, message="type") == "AppError"
    assert exception_header(bare, message="type") == "AppError"


def test_two_faults_of_one_application_helper_keep_two_texts_in_the_type_shape():
    shaped = rules.Rules(frames=1, context="crash", message="type")
    stock, payment = (clean_event(normalize(event(value=v, **HELPER)), rules=shaped)
                      for v in (STOCK, PAYMENT))
    assert stock != payment
    # the same two messages from a library's frame: its words, one text
    assert len({clean_event(normalize(in_library(event(value=v, **HELPER))), rules=shaped)
                for v in (STOCK, PAYMENT)}) == 1


@pytest.fixture(scope="module")
def encode():
    return served_encode()


def test_through_the_shipped_model_the_helpers_two_faults_stay_apart_in_the_served_shape(encode):
    from embeddings import shipped

    choices = shipped.load().choices
    served = rules.Rules(frames=choices["frames"]["python"], context="crash",
                         line=choices["lines"]["python"], message=choices["messages"]["python"])
    stock, payment = (clean_event(normalize(event(value=v, **HELPER)), rules=served)
                      for v in (STOCK, PAYMENT))
    assert distance(encode, stock, payment) > choices["thresholds"]["python"]
