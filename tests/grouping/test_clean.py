"""The text the model sees, and the crash-site key, per platform (pure)."""

import json
import time

import pytest

from grouping import rules
from grouping.clean import (
    clean_event,
    clean_function,
    collapse_repeats,
    is_in_app,
    match_key,
)
from monitor import limits
from tests.helpers.events import exc
from tests.helpers.events import normalize as norm
from tests.helpers.sdk_payloads import require_corpus, store_event


@pytest.fixture(autouse=True)
def full_text_shape():
    """These tests are about cleaning itself: every frame with its code line, 6 frames (the tuned
    shape is tested below)."""
    previous = rules.use(rules.Rules(key="line", frames=6, context="all"))
    yield
    rules.use(previous)


@pytest.mark.parametrize(
    "frame, in_app",
    [
        ({"abs_path": "/usr/lib/python3.12/site-packages/django/core/base.py"}, False),
        ({"abs_path": "/srv/app/shop/cart.py", "module": "shop.cart"}, True),
        ({"filename": "webpack:///./node_modules/react-dom/cjs/react-dom.js"}, False),
        ({"filename": "node:internal/process/task_queues"}, False),
        ({"module": "java.util.concurrent.FutureTask", "function": "run"}, False),
        ({"module": "org.springframework.web.servlet.DispatcherServlet"}, False),
        ({"module": "com.shop.OrderService", "function": "place"}, True),
        ({"module": "kotlinx.coroutines.DispatchedTask"}, False),
        ({"abs_path": "/usr/local/go/src/runtime/panic.go", "function": "gopanic"}, False),
        ({"abs_path": "/home/u/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go"}, False),
        ({"function": "std::panicking::begin_panic"}, False),
        ({"abs_path": "/app/vendor/laravel/framework/src/Router.php"}, False),
        ({"abs_path": "/usr/local/bundle/gems/rack-3.0.8/lib/rack.rb"}, False),
        ({"module": "System.Threading.Tasks.Task", "function": "Run"}, False),
        (
            {"package": "/usr/lib/system/libsystem_kernel.dylib", "function": "__pthread_kill"},
            False,
        ),
        ({"abs_path": "/srv/app/lib/x.py", "in_app": False}, False),  # the SDK's flag wins
        ({"abs_path": "/usr/lib/python3/site-packages/x.py", "in_app": True}, True),
    ],
)
def test_in_app_classification(frame, in_app):
    assert is_in_app(frame) is in_app


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("lambda$process$0", "lambda$process"),
        ("com.shop.Web$$EnhancerBySpringCGLIB$$a1b2c3d4", "com.shop.Web"),
        ("myapp::handler::h3b2f1e0c9d8a7b6c", "myapp::handler"),
        ("main.(*Server).handle.func3", "main.(*Server).handle.func"),
        ("<Main>b__0_0", "<Main>b__"),
        ("callback_0x7ffe1234abcd", "callback_"),
    ],
)
def test_function_names_lose_generated_noise(raw, clean):
    assert clean_function(raw) == clean


def test_python_text_keeps_in_app_frames_most_recent_first_without_line_numbers():
    frames = [
        {"module": "django.core.handlers.base", "function": "get_response", "lineno": 200,
         "in_app": False, "context_line": "response = handler(request)"},
        {"module": "shop.views", "function": "checkout", "lineno": 12, "in_app": True,
         "context_line": "    return cart.total() / cart.count()"},
        {"module": "shop.cart", "function": "count", "lineno": 40, "in_app": True,
         "context_line": "    return len(self.items) // self.per_page"},
    ]
    text = clean_event(exc(frames, "ZeroDivisionError", "division by zero"))
    assert text.splitlines() == [
        "ZeroDivisionError: division by zero",
        "  count in shop.cart: return len(self.items) // self.per_page",
        "  checkout in shop.views: return cart.total() / cart.count()",
    ]
    assert "django" not in text and "40" not in text


def test_gobbledygook_is_stripped():
    frames = [{"module": "worker", "function": "run", "in_app": True,
               "context_line": "fetch(f'/tmp/job-8f14e45f/{uid}')"}]
    text = clean_event(
        exc(
            frames,
            "Timeout",
            "job 550e8400-e29b-41d4-a716-446655440000 at "
            "0x7f3a9c0012ab took 30012 ms on 10.0.3.7 (/tmp/tmpa8f3k/out.json)",
        )
    )
    assert "550e8400" not in text and "0x7f3a" not in text and "30012" not in text
    assert "10.0.3.7" not in text and "tmpa8f3k" not in text
    assert "<uuid>" in text and "<ip>" in text


def test_js_bundle_hashes_and_origins_are_stripped():
    frames = [{"filename": "https://cdn.example.com/static/js/main.3f9a1c2b.chunk.js",
               "function": "render", "lineno": 1, "colno": 8812, "in_app": True}]
    text = clean_event(exc(frames, "TypeError", "x is undefined", platform="javascript"))
    assert "cdn.example.com" not in text and "3f9a1c2b" not in text
    assert "render in js/main.chunk.js" in text


def test_recursion_and_cycles_collapse():
    assert collapse_repeats(list("abbbbbc")) == list("abc")
    assert collapse_repeats(list("xababababy")) == list("xaby")
    assert collapse_repeats(list("xabcabcabcy")) == list("xabcy")


def test_chains_put_the_root_cause_first_and_are_bounded():
    values = [{"type": f"E{i}", "value": str(i), "stacktrace": {"frames": [
        {"module": "m", "function": f"f{i}", "in_app": True}]}} for i in range(10)]
    text = clean_event(norm({"platform": "python", "exception": {"values": values}}))
    headers = [line for line in text.splitlines() if not line.startswith("  ")]
    assert headers == ["E0: <int>", "wrapped by E8: <int>", "wrapped by E9: <int>"]


def test_frames_are_bounded():
    frames = [{"module": "m", "function": f"f{i}", "in_app": True} for i in range(100)]
    lines = clean_event(exc(frames)).splitlines()
    assert len(lines) == 1 + limits.EMBED_FRAMES
    assert lines[1] == "  f99 in m"


def test_ten_thousand_frame_recursion_and_ten_megabyte_event_stay_bounded():
    """Fed directly (not normalized first): cleaning reads bounded slices only."""
    frames = [{"module": "tree", "function": "walk", "in_app": True,
               "context_line": "return walk(node.left)", "vars": {"x": "y" * 1000}}
              for _ in range(10_000)]
    event = {
        "platform": "python",
        "exception": [
            {"type": "RecursionError", "value": "m" * 10_000_000, "stacktrace": {"frames": frames}}
        ],
    }
    assert len(json.dumps(event)) > 10_000_000
    started = time.perf_counter()
    text = clean_event(event)
    assert time.perf_counter() - started < 2
    assert text.splitlines()[1:] == ["  walk in tree: return walk(node.left)"]
    assert len(text) <= limits.EMBED_TEXT_CHARS


def test_message_events_with_a_stack_trace():
    event = norm({"message": "Payment 77 failed", "platform": "python", "stacktrace": {
        "frames": [{"module": "pay", "function": "charge", "in_app": True}]}})
    assert clean_event(event) == "Payment <int> failed\n  charge in pay"
    assert clean_event(norm({"message": "no stack"})) == ""


def test_match_key_is_the_crash_site():
    def python(value, context="return USERS[name]['plan']", caller="account"):
        return exc([{"module": "views", "function": caller, "in_app": True, "context_line": "x"},
                    {"module": "users", "function": "plan_of", "in_app": True,
                     "context_line": context}], "KeyError", value)

    # the old rule: the exact crash line (or the message where frames carry none)
    other_caller = python("'u-2'", caller="billing")
    assert match_key(python("'u-1'"), "line") == match_key(other_caller, "line")
    edited = python("'limits'", context="return r['l']")
    assert match_key(python("'u-1'"), "line") != match_key(edited, "line")

    def java(value):
        return exc([{"module": "com.shop.Receipts", "function": "send", "in_app": True}],
                   "NullPointerException", value, platform="java")

    email, street = java('"getEmail()" is null'), java('"getStreet()" is null')
    assert match_key(email, "line") != match_key(street, "line")
    assert match_key(java("id 17 is null"), "line") == match_key(java("id 18 is null"), "line")
    # the stable rules never read the code line or the message: the embedding judges those
    for rule in ("function", "module", "type"):
        assert match_key(python("'u-1'"), rule) == match_key(edited, rule)
        assert match_key(email, rule) == match_key(street, rule)
    assert match_key(python("'u-1'"), "function") == "KeyError|plan_of"
    assert match_key(python("'u-1'"), "module") == "KeyError|users"
    assert match_key(python("'u-1'"), "type") == "KeyError"


def test_real_payloads_clean_to_their_crash_site():
    require_corpus()
    text = clean_event(norm(store_event("incoming_events__python_zero_division.json")))
    assert text.startswith("ZeroDivisionError: division by zero\n")
    java_like = clean_event(norm(store_event("incoming_events__dotnet_error.json")))
    assert java_like.splitlines()[1] == "  OnGet in myWebApp.Pages.IndexModel"


@pytest.mark.parametrize(
    "payload, expected",
    [
        ("incoming_events__go_file_not_found.json",
         ["*os.PathError: open ./test.txt: no such file or directory",
          "  main in main: sentry.CaptureException(err)"]),
        ("incoming_events__ruby_zero_division.json",
         ["ZeroDivisionError: divided by <int> (ZeroDivisionError)"]),
        ("incoming_events__dotnet_divide_zero.json",
         ["System.DivideByZeroException: Attempted to divide by zero."]),
        ("incoming_events__small_js_error.json", ["Error: this is an error"]),
    ],
)
def test_real_payload_shapes_per_platform(payload, expected):
    require_corpus()
    event = norm(store_event(payload))
    text = clean_event(event)
    assert text.splitlines()[: len(expected)] == expected
    assert len(text.splitlines()) >= 2  # at least one frame
    assert not any(ch.isdigit() for line in text.splitlines()[1:] for ch in line.split(":")[0])
    assert match_key(event)


def test_java_and_kotlin_frames_from_sdk_shapes():
    frames = [
        {"module": "org.springframework.web.servlet.FrameworkServlet", "function": "service",
         "lineno": 883, "in_app": False},
        {"module": "com.shop.web.OrderController$$EnhancerBySpringCGLIB$$1a2b3c", "function":
         "complete", "in_app": True},
        {"module": "com.shop.receipts.ReceiptService", "function": "lambda$send$2", "lineno": 51,
         "in_app": True},
        {"module": "com.shop.receipts.ReceiptService", "function": "send", "lineno": 53,
         "in_app": True},
    ]
    text = clean_event(exc(frames, "NullPointerException", "Cannot invoke \"getEmail()\"",
                           platform="java"))
    assert text.splitlines() == [
        'NullPointerException: Cannot invoke "getEmail()"',
        "  send in com.shop.receipts.ReceiptService",
        "  lambda$send in com.shop.receipts.ReceiptService",
        "  complete in com.shop.web.OrderController",
    ]


def test_rust_and_native_frames():
    rust = [{"function": "std::rt::lang_start::h0123456789abcdef", "in_app": False},
            {"function": "shop::checkout::total::h3b2f1e0c9d8a7b6c", "abs_path": "src/checkout.rs",
             "lineno": 12}]
    text = clean_event(exc(rust, "panic", "attempt to divide by zero", platform="rust"))
    assert text.splitlines()[1] == "  shop::checkout::total in src/checkout.rs"
    native = [{"function": "__pthread_kill", "package": "/usr/lib/system/libsystem_kernel.dylib",
               "instruction_addr": "0x1a2b3c"},
              {"function": "Shop::Cart::total()", "package": "/Applications/Shop.app/Shop",
               "instruction_addr": "0x100004a2c"}]
    text = clean_event(exc(native, "EXC_BAD_ACCESS", "SIGSEGV at 0x0000000000000010",
                           platform="native"))
    assert "pthread_kill" not in text and "0x" not in text
    assert "Shop::Cart::total()" in text


def test_minified_node_frames_lose_mangled_names_hashes_and_cut_lines():
    bundle = "/srv/web/releases/2/dist/app.54UOYLNL.js"
    event = exc([{"filename": bundle, "module": "app.54UOYLNL",
                  "function": "Object.M [as loadCart]", "in_app": True,
                  "context_line": '"use strict";var o=(e,r)=>()=> {snip}'}],
                "TypeError", "e.cart.map is not a function", platform="node")
    assert clean_event(event).splitlines()[1] == "  loadCart in app"


def test_the_tuned_shape_keeps_the_crash_line_and_few_frames():
    frames = [{"module": f"app.m{i}", "function": f"f{i}", "in_app": True,
               "context_line": f"return f{i + 1}()"} for i in range(5)]
    rules.use(rules.Rules(key="function", frames=2, context="crash"))
    text = clean_event(exc(frames, "KeyError", "'id'"))
    expected = ["KeyError: 'id'", "  f4 in app.m4: return f<int>()", "  f3 in app.m3"]
    assert text.splitlines() == expected
