"""faultline-fp-3: a Go error chain is hashed by what each wrapper adds of its own, not by the
input its root cause's message carries (grouping.fingerprint.wrapped_chain_values).

The events are sentry-go's shape (mined dispatchq/stockd payloads, lab/corpus): the chain
innermost first, the stack on the outermost exception, frames without a usable context line
for the fingerprint (Go is "coarse"), so the values join the hash."""

from __future__ import annotations

import time

import pytest

from grouping.fingerprint import (
    DEFAULT_CONFIG,
    FP1,
    FP2,
    chain_values,
    components_hash,
    group,
    own_text,
    quoted_out,
    wrapped_chain_values,
)
from ingest.normalize import normalize_event
from monitor.models import GroupHash, Issue
from tests.helpers.events import ingest

TASKS = "/srv/go/src/github.com/acmecorp/dispatchq/tasks/billing.go"


def go_frames(function: str, line: int) -> list[dict]:
    return [
        {"abs_path": "/srv/go/src/github.com/acmecorp/dispatchq/main.go", "module": "main",
         "function": "(*pool).process", "lineno": 58, "in_app": True,
         "context_line": "\tif err := handler(ctx, []byte(msg.payload)); err != nil {"},
        {"abs_path": TASKS, "module": "github.com/acmecorp/dispatchq/tasks",
         "function": function, "lineno": line, "in_app": True,
         "context_line": '\t\treturn errors.Wrap(err, "allowlist")'},
    ]


def go_event(chain: list[tuple[str, str]], function: str = "allowlist", line: int = 47,
             platform: str = "go") -> dict:
    """A sentry-go event: (type, value) innermost first, the stack on the outermost."""
    values = [{"type": type_, "value": value} for type_, value in chain]
    values[-1]["stacktrace"] = {"frames": go_frames(function, line)}
    payload = {"platform": platform, "exception": {"values": values}}
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


def cidr(address: str) -> dict:
    """pkg/errors' Wrap of net.ParseCIDR's error: withMessage, then withStack, both repeating
    the root's text (dispatchq's `allowlist`)."""
    text = f"invalid CIDR address: {address}"
    return go_event([("*net.ParseError", text),
                     ("*errors.withMessage", f"allowlist: {text}"),
                     ("*errors.withStack", f"allowlist: {text}")])


def payload_error(type_: str, text: str) -> dict:
    """`fmt.Errorf("email: payload: %w", json.Unmarshal(...))` at one site."""
    return go_event([(type_, text), ("*fmt.wrapError", f"email: payload: {text}")],
                    function="sendEmail", line=88)


def test_one_bug_with_different_inputs_takes_one_fingerprint():
    inputs = ["192.168.yarrow.0/24", "3406.1374.0.0/16", "192.168.violet.0/8"]
    events = [cidr(address) for address in inputs]
    assert len({group(e).hash for e in events}) == 1
    assert len({group(e, FP2).hash for e in events}) == 3  # the previous configuration split it
    assert "value:allowlist: " in group(events[0]).components
    syntax = [payload_error("*json.SyntaxError",
                            f"invalid character '{c}' looking for beginning of value")
              for c in "mcy"]
    assert len({group(e).hash for e in syntax}) == 1
    assert len({group(e, FP2).hash for e in syntax}) == 3


def test_two_errors_wrapped_at_one_site_stay_apart_by_type():
    syntax = payload_error("*json.SyntaxError", "invalid character 'm' looking for beginning "
                           "of value")
    mistyped = payload_error("*json.UnmarshalTypeError", "json: cannot unmarshal number into "
                             "Go struct field email.to of type string")
    assert group(syntax).hash != group(mistyped).hash


def test_two_wrappers_with_their_own_text_stay_apart():
    """stockd's `report: to:` and `report: from:` wrap one parse error at one site: the
    wrappers' own text is what tells them apart, and it stays."""
    def report(field: str, value: str) -> dict:
        text = f'parsing time "{value}": month out of range'
        return go_event([("*time.ParseError", text),
                         ("*errors.withMessage", f"report: {field}: {text}"),
                         ("*errors.withStack", f"report: {field}: {text}")], "report", 30)

    assert group(report("to", "2026-13-01")).hash == group(report("to", "2026-14-09")).hash
    assert group(report("to", "2026-13-01")).hash != group(report("from", "2026-13-01")).hash


def test_an_unwrapped_error_keeps_its_value_but_not_its_quoted_input():
    """Nothing wraps `errors.New(...)`: its text is all that tells two bugs of one function
    apart; an input it quotes with %q is not."""
    def unwrapped(text: str) -> dict:
        return go_event([("*errors.errorString", text)], "checkQuota", 61)

    assert group(unwrapped("quota: no plan")).hash != group(unwrapped("quota: expired")).hash
    assert (group(unwrapped('value: strconv.ParseFloat: parsing "pepper": invalid syntax')).hash
            == group(unwrapped('value: strconv.ParseFloat: parsing "1,5": invalid syntax')).hash)
    assert "value:quota: no plan" in group(unwrapped("quota: no plan")).components


def test_chain_values_read_each_wrapper_by_its_own_text():
    root = "invalid CIDR address: x"
    assert own_text(f"allowlist: {root}", root) == "allowlist: "
    assert own_text(root, root) == ""  # withStack: adds nothing
    assert own_text("something else", root) is None and own_text(root, None) is None
    assert chain_values([root, f"allowlist: {root}", f"allowlist: {root}"]) == \
        [None, "allowlist: ", None]
    # wrappers that add nothing leave the root's value to tell the bug
    assert chain_values([root, root]) == [root, None]
    # a wrapper that does not repeat its inner value (a chain that broke the text): both stay
    assert chain_values(["EOF", "read failed"]) == ["EOF", "read failed"]
    assert wrapped_chain_values(['parsing "abc": x']) == ["parsing <str>: x"]


def test_quotations_become_placeholders_and_a_lone_quote_stays():
    assert quoted_out('parsing "a\\"b": x; `re(` y') == "parsing <str>: x; <str> y"
    assert quoted_out('extraneous or missing " in quoted-field') == \
        'extraneous or missing " in quoted-field'


@pytest.mark.parametrize("piece", ['"\\', '"', '"a', "`", '\\"', '"\n'])
def test_quotations_are_read_in_linear_time(piece):
    """An open quote never rescans the rest of its line per quote (`"\\"\\"…` took a minute
    on 200 KB with a backtracking pattern)."""
    text = piece * 100_000
    start = time.perf_counter()
    quoted_out(text)
    wrapped_chain_values([text, "wrap: " + text])
    assert time.perf_counter() - start < 1.0


def test_a_chain_without_frames_is_read_the_same_way():
    def frameless(address: str) -> dict:
        text = f"invalid CIDR address: {address}"
        return normalize_event({"platform": "go", "exception": {"values": [
            {"type": "*net.ParseError", "value": text},
            {"type": "*errors.withMessage", "value": f"allowlist: {text}"}]}},
            1_700_000_000.0, "0" * 32)

    one, other = group(frameless("10.0.0.300/8")), group(frameless("a.b.c.d/8"))
    assert one.variant == "exception" and one.hash == other.hash


def test_other_platforms_and_earlier_configurations_hash_as_before():
    """Only Go moves: a JVM-style chain of the same shape keeps faultline-fp-2's hash, and the
    earlier configurations' hashes are what they were (their components spelled out)."""
    java = go_event([("java.io.IOException", "disk full"),
                     ("java.lang.RuntimeException", "java.io.IOException: disk full")],
                    platform="java")
    assert group(java).hash == group(java, FP2).hash and group(java).previous_hash is None
    event = cidr("192.168.yarrow.0/24")
    # as the code before faultline-fp-3 made them (main at 6f9d4b6)
    expected = ["type:*net.ParseError", "value:invalid CIDR address: 192.168.yarrow.0/<int>",
                "type:*errors.withMessage",
                "value:allowlist: invalid CIDR address: 192.168.yarrow.0/<int>",
                "type:*errors.withStack",
                "value:allowlist: invalid CIDR address: 192.168.yarrow.0/<int>",
                "frame:main|(*pool).process", "frame:github.com/acmecorp/dispatchq/tasks|allowlist"]
    for config in (FP1, FP2):
        assert list(group(event, config).components) == expected
        assert group(event, config).hash == components_hash(expected)


def test_a_new_hash_names_the_previous_configurations_hash():
    event = cidr("192.168.yarrow.0/24")
    grouping = group(event)
    assert grouping.config == DEFAULT_CONFIG == "faultline-fp-6"  # Go hashes as under fp-3
    assert grouping.previous_hash == group(event, FP2).hash != grouping.hash


@pytest.mark.django_db
def test_issues_made_under_faultline_fp_2_keep_their_events(project, monkeypatch):
    """An installation that grouped Go under faultline-fp-2 (one issue per input) keeps its
    issues: the first event under faultline-fp-3 joins the issue its earlier hash has, and the
    bug's other inputs follow it there instead of opening issues of their own."""
    from ingest import processing

    def payload(address: str) -> dict:
        text = f"invalid CIDR address: {address}"
        return {"platform": "go", "exception": {"values": [
            {"type": "*net.ParseError", "value": text},
            {"type": "*errors.withMessage", "value": f"allowlist: {text}"},
            {"type": "*errors.withStack", "value": f"allowlist: {text}",
             "stacktrace": {"frames": go_frames("allowlist", 47)}}]}}

    project.grouping_mode = project.GroupingMode.FINGERPRINT
    project.save(update_fields=["grouping_mode"])
    with monkeypatch.context() as before_upgrade:
        before_upgrade.setattr(processing, "fingerprint_config_for", lambda project: FP2)
        ingest(project, payload("192.168.yarrow.0/24"))
    (issue,) = Issue.objects.all()
    ingest(project, payload("192.168.yarrow.0/24"))  # now under faultline-fp-3
    ingest(project, payload("3406.1374.0.0/16"))  # another input of the bug
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert Issue.objects.get().times_seen == 3
    configs = sorted(GroupHash.objects.values_list("fingerprint_config", "issue_id"))
    assert configs == [(FP2, issue.id), (DEFAULT_CONFIG, issue.id)]
