"""The embedding text's crash-line and message shapes (grouping.clean.LINE_SHAPES,
MESSAGE_SHAPES): the exact texts each shape writes, per family as the rules and a model's
manifest choose them, and, through the shipped model, that a renamed local no longer moves the
vector while the lookalike twin of one function stays beyond the served Python threshold."""

from __future__ import annotations

import pytest

from grouping import rules
from grouping.clean import (
    clean_event,
    exception_header,
    line_operations,
    normalized_line,
    operations_text,
)
from grouping.policy import shaped
from lab.never_seen import shape_for
from tests.helpers.events import normalize, normalized
from tests.helpers.served_encoder import distance, served_encode

MESSAGE = "while parsing a flow sequence in 'config.yml', line 3, column 5"
LOOKALIKE = "return self.discount / sum(self.items)"
CRASH = "return sum(self.items) / len(self.items)"


def text(line: str, message: str = "raw", **kwargs) -> str:
    return clean_event(normalized(**kwargs),
                       rules=rules.Rules(frames=1, context="crash", line=line, message=message))


def test_the_normalized_line_keeps_what_the_line_does_and_not_what_it_named():
    assert (normalized_line("data = yaml.safe_load(payload)", "python")
            == normalized_line("value = yaml.safe_load(text)  # the manifest", "python")
            == "x = x.safe_load(x)")
    assert normalized_line(CRASH) == "return sum(self.items) / len(self.items)"
    assert normalized_line(LOOKALIKE) == "return self.discount / sum(self.items)"
    assert (normalized_line("const cfg = JSON.parse(raw, 'utf8'); // why", "javascript")
            == "const x = x.parse(x, <str>);")
    assert (normalized_line("if err := json.Unmarshal(body, &req); err != nil {", "go")
            == "if x := x.Unmarshal(x, &x); x != nil {")
    assert normalized_line("total = data['amount'] * 3", "python") == "x = x[<str>] * <int>"
    assert normalized_line("x = a // b", "python") == "x = x // x"  # floor division stays


def test_the_operations_read_as_code():
    assert operations_text(line_operations("data = yaml.safe_load(payload)")) == ".safe_load()"
    assert operations_text(line_operations(CRASH)) == ".items len() sum()"
    assert operations_text(line_operations(LOOKALIKE)) == ".discount .items sum()"
    assert (operations_text(line_operations("new semver.Range(input.range)"))
            == ".Range() .range")
    assert operations_text("") == ""


def test_each_shape_writes_its_text():
    crash = "data = yaml.safe_load(payload)  # the manifest"
    head = "ZeroDivisionError: while parsing a flow sequence in"
    assert text("raw", crash_line=crash, value=MESSAGE) == (
        f"{head} 'config.yml', line <int>, column <int>\n"
        "  average in shop.cart: data = yaml.safe_load(payload)  # the manifest")
    assert text("normalized", "template", crash_line=crash, value=MESSAGE) == (
        f"{head} <str>, line <int>, column <int>\n  average in shop.cart: x = x.safe_load(x)")
    assert text("operations", crash_line=crash, value=MESSAGE) == (
        f"{head} 'config.yml', line <int>, column <int>\n  average in shop.cart: .safe_load()")
    # a line that does nothing the operations name shows no code at all
    assert text("operations", crash_line="total = a / b") == (
        "ZeroDivisionError: division by zero\n  average in shop.cart")
    header = normalize({"exception": {"values": [{"type": "KeyError", "value": "'sku-1'"}]}})
    assert exception_header(header["exception"][0], message="template") == "KeyError: <str>"


def test_a_renamed_local_leaves_the_text_where_the_raw_line_moves():
    renamed = ("avg = sum(items) / len(items)", "avg = sum(prices) / len(prices)")
    for shape in ("normalized", "operations"):
        assert text(shape, crash_line=renamed[0]) == text(shape, crash_line=renamed[1])
        assert text(shape, crash_line=CRASH) != text(shape, crash_line=LOOKALIKE)
    assert text("raw", crash_line=renamed[0]) != text("raw", crash_line=renamed[1])


def test_a_familys_shape_reaches_its_texts_and_the_manifests_lays_over_the_rules():
    per_family = rules.Rules(frames=1, context="crash", line={"python": "normalized",
                                                              "default": "raw"},
                             message={"go": "template", "default": "raw"})
    python = normalized(crash_line="data = yaml.safe_load(payload)")
    go = {**python, "platform": "go"}
    assert clean_event(python, rules=per_family).endswith("x = x.safe_load(x)")
    assert clean_event(go, rules=per_family).endswith("data = yaml.safe_load(payload)")
    served = shaped(rules.Rules(frames=2, context="crash"), {"python": 1},
                    {"line": {"python": "operations"}, "message": {"python": "template"}})
    assert (served.frames_for("python"), served.line_for("python"),
            served.message_for("python")) == (1, "operations", "template")
    assert (served.frames_for("go"), served.line_for("go"), served.message_for("go")) == (
        2, "raw", "raw")
    # lab.never_seen scores each family in the shape grouping.policy serves it in
    manifest = {"frames": {"python": 1}, "lines": {"python": "operations"},
                "messages": {"python": "template"}}
    base = rules.Rules(frames=2, context="crash")
    for family in ("python", "go"):
        assert shape_for(manifest, family, base) == (
            served.frames_for(family), served.line_for(family), served.message_for(family))


@pytest.fixture(scope="module")
def encode():
    return served_encode()


@pytest.mark.parametrize("shape", ["normalized", "operations"])
def test_through_the_served_model_a_renamed_local_stays_put_and_the_twin_apart(encode, shape):
    """The shipped model, Python's served text of 1 frame: the raw line moves the vector for a
    renamed local; the shape leaves it where it was, and the lookalike twin of the same
    function (grouping's twin test) stays beyond the served Python threshold."""
    from embeddings import shipped

    threshold = shipped.load().choices["thresholds"]["python"]
    original, renamed = "avg = sum(items) / len(items)", "avg = sum(prices) / len(prices)"
    assert distance(encode, text("raw", crash_line=original),
                    text("raw", crash_line=renamed)) > 0.01
    assert distance(encode, text(shape, crash_line=original),
                    text(shape, crash_line=renamed)) < 1e-6
    assert distance(encode, text(shape, crash_line=CRASH),
                    text(shape, crash_line=LOOKALIKE)) > threshold


def test_in_the_served_python_shape_the_twin_stays_apart(encode):
    """The manifest's Python shape (its exception type without a library's message): the
    lookalike twin of one function stays beyond the served threshold, as the twin test asks of
    the served shape."""
    from embeddings import shipped

    choices = shipped.load().choices
    served = rules.Rules(frames=choices["frames"]["python"], context="crash",
                         line=choices["lines"]["python"], message=choices["messages"]["python"])
    crash, twin = (clean_event(normalized(crash_line=line), rules=served)
                   for line in (CRASH, LOOKALIKE))
    assert distance(encode, crash, twin) > choices["thresholds"]["python"]


@pytest.mark.django_db
def test_the_served_python_text_reads_the_message_in_the_manifests_shape(project, no_breaker):
    """The shipped model's manifest chose Python's message shape (lab.select, `choices.messages`:
    the exception's type without a library's message, the template of the application's own):
    the live pipeline embeds exactly that, so one fault reached with two inputs (two quoted
    values, two call paths: two fingerprints) joins by ML at no distance, and the lookalike twin
    of the same function stays apart."""
    from embeddings import shipped
    from grouping.policy import policy_for
    from monitor.models import GroupHash, Issue
    from tests.helpers.events import decide, event, ingest

    chosen = shipped.load().choices["messages"]["python"]
    assert policy_for(project).rules.message_for("python") == chosen == "type"
    bad = "invalid literal for int() with base 10: '{}'"
    ingest(project, event(exc_type="ValueError", value=bad.format("12 apples")))
    decide()
    ingest(project, event(exc_type="ValueError", value=bad.format("n/a"),
                          caller="nightly_report", caller_line="total = cart.average()"))
    decide()
    joined = GroupHash.objects.get(decided_by=GroupHash.DecidedBy.ML)
    assert Issue.objects.count() == 1 and joined.ml_distance < 1e-6
    ingest(project, event(exc_type="ValueError", value=bad.format("12 apples"),
                          crash_line=LOOKALIKE))
    decide()
    assert Issue.objects.count() == 2
