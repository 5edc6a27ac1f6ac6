"""The "type" message shape (grouping.clean.MESSAGE_SHAPES): an exception a library raised is read
by its type alone, as Sentry's grouping reads an exception with a stack trace, so one fault whose
library words its failure differently per input (PyYAML's parser states) writes one text; a
message with no type, or an exception the application raised, keeps its template. lab.select may
choose it; through the shipped model, the lookalike twin of one function stays beyond the served
Python threshold in it."""

from __future__ import annotations

import pytest

from grouping import rules
from grouping.clean import MESSAGE_SHAPES, clean_event, exception_header
from lab import select
from tests.helpers.events import event, normalize
from tests.helpers.served_encoder import distance, served_encode

LOOKALIKE = "return self.discount / sum(self.items)"
CRASH = "return sum(self.items) / len(self.items)"
PARSER = ("while parsing a flow mapping in '<unicode string>', line 1, column 1",
          "found incompatible YAML document (version 1.* is required)")


def raised_in_yaml(**kwargs) -> dict:
    """event(**kwargs), raised inside PyYAML below the application's crash line, normalized."""
    payload = event(**kwargs)
    payload["exception"]["values"][0]["stacktrace"]["frames"].append(
        {"module": "yaml.parser", "function": "parse_node", "in_app": False,
         "context_line": "raise ParserError(...)"})
    return normalize(payload)


def text(message: str, line: str = "raw", **kwargs) -> str:
    """The event's text, raised by a library (PyYAML), in the message and line shape."""
    return clean_event(raised_in_yaml(**kwargs),
                       rules=rules.Rules(frames=1, context="crash", line=line, message=message))


def test_the_type_shape_writes_the_type_alone():
    assert "type" in MESSAGE_SHAPES and "type" in select.MESSAGES
    first, second = (text("type", exc_type="ParserError", value=value) for value in PARSER)
    assert first == second == (
        "ParserError\n  average in shop.cart: return sum(self.items) / len(self.items)")
    assert text("template", exc_type="ParserError", value=PARSER[0]) != text(
        "template", exc_type="ParserError", value=PARSER[1])
    # the crash line still parts two faults of one function
    assert text("type", crash_line=CRASH) != text("type", crash_line=LOOKALIKE)


def test_a_message_without_a_type_keeps_its_template():
    payload = normalize({"platform": "python", "exception": {"values": [
        {"value": "no such key 'sku-1'", "stacktrace": {"frames": [
            {"module": "shop.cart", "function": "average", "in_app": True}]}}]}})
    assert exception_header(payload["exception"][0], message="type") == exception_header(
        payload["exception"][0], message="template")
    threads = normalize({"platform": "python", "message": "lost 'sku-1' after 3 tries",
                         "threads": {"values": [{"crashed": True, "stacktrace": {"frames": [
                             {"module": "shop.cart", "function": "average",
                              "in_app": True}]}}]}})
    shaped = rules.Rules(frames=1, context="crash", message="type")
    assert clean_event(threads, rules=shaped).splitlines()[0] == "lost <str> after <int> tries"


def test_a_wrapped_exception_reads_its_types():
    payload = normalize({"platform": "python", "exception": {"values": [
        {"type": "KeyError", "value": "'sku-1'", "stacktrace": {"frames": [
            {"module": "shop.cart", "function": "average", "in_app": True,
             "context_line": "return PRICES.lookup(sku)"},
            {"module": "pricing.table", "function": "lookup", "in_app": False,
             "context_line": "return self._rows[key]"}]}},
        {"type": "LookupFailed", "value": "price of 'sku-1' unknown", "stacktrace": {"frames": [
            {"module": "shop.views", "function": "checkout", "in_app": True,
             "context_line": "raise LookupFailed(sku) from exc"}]}}]}})
    shaped = rules.Rules(frames=1, context="crash", message="type")
    # the library's KeyError reads its type; the application's own LookupFailed its template
    assert clean_event(payload, rules=shaped) == (
        "KeyError\n  average in shop.cart: return PRICES.lookup(sku)\n"
        "wrapped by LookupFailed: price of <str> unknown\n"
        "  checkout in shop.views: raise LookupFailed(sku) from exc")


def test_lab_select_names_the_shape_in_its_source():
    candidate = select.Candidate("site+callee", False, 0.99, frames=1, message="type")
    verdict = select.Verdict(candidate, (), 0.04)
    assert "its exception type without a library's message" in select.source_text("python", verdict)
    assert candidate.label.endswith("type")


@pytest.fixture(scope="module")
def encode():
    return served_encode()


@pytest.mark.parametrize("line", ["raw", "normalized"])
def test_through_the_shipped_model_the_twin_stays_apart_without_the_message(encode, line):
    """Python's served threshold (the shipped manifest's): the lookalike twin of one function
    (grouping's twin test) stays beyond it with the message left out, so the shape keeps the
    twin guarantee lab.select's cap stands for; the parser states, apart as templates, are one
    text."""
    from embeddings import shipped

    threshold = shipped.load().choices["thresholds"]["python"]
    assert distance(encode, text("type", line, crash_line=CRASH),
                    text("type", line, crash_line=LOOKALIKE)) > threshold
    assert distance(encode, *(text("template", line, exc_type="ParserError", value=value)
                              for value in PARSER)) > threshold
