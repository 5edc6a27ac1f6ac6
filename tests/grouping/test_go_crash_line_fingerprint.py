"""faultline-fp-3 reads a Go event's crash line: the code statement of its last in-app frame
(grouping.fingerprint.crash_line). Two panics of one function (a nil map read and an index past
a slice's end, both `runtime error: ...` of one type) are two fingerprints, where under
faultline-fp-2 only their parameterized messages told them apart, and not always; an error
captured at one `CaptureException` line still parts by its wrappers' text, not by its input."""

from __future__ import annotations

from grouping.fingerprint import DEFAULT_CONFIG, FP2, crash_line, group
from ingest.normalize import normalize_event
from monitor import limits

MODULE = "github.com/acmecorp/stockd/inventory"


def go_event(value: str, line: str, lineno: int, type_: str = "runtime.boundsError",
             chain: list[tuple[str, str]] | None = None, platform: str = "go") -> dict:
    """sentry-go's shape: the chain innermost first, the stack on the outermost exception, the
    runtime's frames out of the app."""
    frames = [
        {"module": "main", "function": "main.func1", "abs_path": "/srv/stockd/main.go",
         "lineno": 40, "in_app": True, "context_line": "\t\trows := inventory.Load(path)"},
        {"module": MODULE, "function": "parseLine", "abs_path": "/srv/stockd/inventory/line.go",
         "lineno": lineno, "in_app": True, "context_line": line},
        {"module": "runtime", "function": "goPanicIndex", "abs_path": "runtime/panic.go",
         "lineno": 115, "in_app": False, "context_line": "\tpanic(boundsError{x: int64(x)})"},
    ]
    values = [{"type": t, "value": v} for t, v in (chain or [(type_, value)])]
    values[-1]["stacktrace"] = {"frames": frames}
    return normalize_event({"platform": platform, "exception": {"values": values}},
                           1_700_000_000.0, "0" * 32)


SKU = "\tsku := fields[2]"
QTY = "\tqty, err := strconv.Atoi(fields[3])"


def test_two_index_panics_of_one_function_are_two_fingerprints():
    sku = go_event("runtime error: index out of range [2] with length 2", SKU, 31)
    qty = go_event("runtime error: index out of range [3] with length 3", QTY, 32)
    assert group(sku, FP2).hash == group(qty, FP2).hash  # one template, one function before
    assert group(sku).hash != group(qty).hash
    assert "line:" + SKU.strip() in group(sku).components


def test_one_panic_line_with_other_inputs_and_another_line_number_is_one_fingerprint():
    first = go_event("runtime error: index out of range [2] with length 2", SKU, 31)
    later = go_event("runtime error: index out of range [2] with length 1", SKU, 48)
    assert group(first).hash == group(later).hash


def capture_site(wrapper: str, text: str) -> dict:
    """An error returned up to one `sentry.CaptureException(err)` line: its stack is that
    line's, the same for every error captured there."""
    return go_event("", "\t\tsentry.CaptureException(err)", 77,
                    chain=[("*strconv.NumError", text), ("*fmt.wrapError", f"{wrapper}: {text}")])


def test_errors_captured_at_one_line_part_by_their_wrappers_not_their_input():
    qty = capture_site("quantity", 'strconv.Atoi: parsing "x1": invalid syntax')
    qty_other = capture_site("quantity", 'strconv.Atoi: parsing "lots": invalid syntax')
    price = capture_site("price", 'strconv.Atoi: parsing "x1": invalid syntax')
    assert group(qty).hash == group(qty_other).hash
    assert group(qty).hash != group(price).hash


def test_other_platforms_hash_as_before():
    for platform in ("java", "csharp", "native", "python"):
        event = go_event("index 2 out of bounds for length 2", SKU, 31,
                         type_="ArrayIndexOutOfBoundsException", platform=platform)
        assert group(event).components == group(event, FP2).components, platform


def test_a_long_or_cut_crash_line_is_not_read():
    for line in ("\tx := " + "a" * limits.FINGERPRINT_CONTEXT_LINE_CHARS,
                 "\t{snip} y := fields[9] {snip}"):
        event = go_event("runtime error: index out of range [9] with length 2", line, 31)
        frames = [f for exc in event["exception"] for f in exc["stacktrace"]["frames"]
                  if f["in_app"]]
        assert crash_line(frames) == ""
        assert not any(c.startswith("line:") for c in group(event).components)
    assert DEFAULT_CONFIG == "faultline-fp-6"  # which hashes Go as faultline-fp-3 does
