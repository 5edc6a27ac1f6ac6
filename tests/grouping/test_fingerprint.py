"""Fingerprint grouping (pure): what must and must not fall into one issue."""

from grouping.fingerprint import group, normalize_filename, statement
from grouping.parameterize import parameterize
from ingest.normalize import normalize_event


def event(**fields):
    fields.setdefault("platform", "python")
    return normalize_event(fields, 1_700_000_000.0, "0" * 32)


def frame(function, lineno=10, module="shop.cart", in_app=True, context="total = a / b"):
    return {
        "module": module,
        "function": function,
        "lineno": lineno,
        "in_app": in_app,
        "filename": module.replace(".", "/") + ".py",
        "context_line": context,
    }


def exc_event(frames, exc_type="ZeroDivisionError", value="division by zero", **extra):
    return event(
        exception={
            "values": [{"type": exc_type, "value": value, "stacktrace": {"frames": frames}}]
        },
        **extra,
    )


def test_line_numbers_and_values_do_not_split():
    a = exc_event([frame("checkout", 10), frame("total", 20)], value="order 17 failed")
    b = exc_event([frame("checkout", 99), frame("total", 7)], value="order 42 failed")
    assert group(a).hash == group(b).hash
    assert group(a).variant == "in-app"


def test_different_code_paths_split():
    a = exc_event([frame("checkout"), frame("total")])
    b = exc_event([frame("refund"), frame("total")])
    assert group(a).hash != group(b).hash


def test_two_multi_line_raises_of_one_function_split():
    """A formatter writes `raise E(` and the message on the next line; the statement, not its
    first line, identifies the crash site. Balanced lines, blocks and callers hash as before."""

    def raising(field, lineno, caller_post=None):
        site = frame("resolve", lineno, context="raise PermissionError(")
        site["post_context"] = ["", f'    f"not allowed to change {field}"', ")", ""]
        caller = {**frame("handle", context="resolve("), "post_context": caller_post or ["x,", ")"]}
        return exc_event([caller, site], exc_type="PermissionError")

    channel, locale = raising("channel", 30), raising("locale", 41)
    assert group(channel).hash != group(locale).hash
    assert group(channel).hash == group(raising("channel", 35)).hash  # lines above it moved
    assert group(channel).hash == group(raising("channel", 30, ["y,", ")"])).hash  # a caller
    assert statement("raise E(", ["x" * 500, ")"]) == "raise E("  # bounded
    assert statement("raise E(", ["a,", "b,", "c,", "d,", ")"]) == "raise E( a, b, c,"
    for balanced in ("foo(x)", 'log("a \\"(b\\"")', "foo(x)  # see (docs",
                     "throw new Error(`bad (${x}`)", "items.forEach((item) => {"):
        assert statement(balanced, ["next_line()", ")"]) == balanced
        plain = exc_event([frame("checkout", context=balanced)])
        with_post = exc_event([{**frame("checkout", context=balanced),
                                "post_context": ["next_line()", ")"]}])
        assert group(plain).hash == group(with_post).hash


def test_different_types_split():
    frames = [frame("checkout")]
    assert group(exc_event(frames)).hash != group(exc_event(frames, exc_type="ValueError")).hash


def test_system_frames_are_ignored_when_in_app_frames_exist():
    lib = frame("dispatch", module="django.core.handlers", in_app=False, context="x()")
    lib2 = frame("dispatch_v2", module="django.core.handlers2", in_app=False, context="y()")
    a = exc_event([lib, frame("checkout")])
    b = exc_event([lib2, frame("checkout")])
    assert group(a).hash == group(b).hash


def test_all_frames_when_none_is_in_app():
    a = exc_event([frame("a", in_app=False), frame("b", in_app=False)])
    b = exc_event([frame("a", in_app=False), frame("c", in_app=False)])
    assert group(a).variant == "system"
    assert group(a).hash != group(b).hash


def test_recursion_depth_does_not_split():
    shallow = exc_event([frame("main")] + [frame("walk")] * 3)
    deep = exc_event([frame("main")] + [frame("walk")] * 900)
    assert group(shallow).hash == group(deep).hash


def test_without_frames_type_and_parameterized_value():
    a = event(exception={"values": [{"type": "KeyError", "value": "user 12 at 10.0.0.1"}]})
    b = event(exception={"values": [{"type": "KeyError", "value": "user 99 at 10.0.0.7"}]})
    c = event(exception={"values": [{"type": "KeyError", "value": "cart missing"}]})
    assert group(a).variant == "exception"
    assert group(a).hash == group(b).hash != group(c).hash


def test_messages_group_by_template_or_parameterized_text():
    a = event(logentry={"message": "user %s failed", "params": ["bob"]})
    b = event(logentry={"message": "user %s failed", "params": ["alice"]})
    c = event(message="Payment 1234 for bob@example.com failed at 2024-01-02T03:04:05Z")
    d = event(message="Payment 99 for eve@example.org failed at 2025-11-12T13:14:15Z")
    assert group(a).hash == group(b).hash
    assert group(c).hash == group(d).hash
    assert group(a).hash != group(c).hash


def test_custom_fingerprint_and_default_placeholder():
    frames = [frame("checkout")]
    plain = group(exc_event(frames))
    custom = group(exc_event(frames, fingerprint=["payments"]))
    assert custom.variant == "custom" and custom.hash != plain.hash
    tenant_a = group(exc_event(frames, fingerprint=["{{ default }}", "tenant-a"]))
    tenant_b = group(exc_event(frames, fingerprint=["{{default}}", "tenant-b"]))
    assert tenant_a.hash != tenant_b.hash
    assert plain.components[0] in tenant_a.components
    other_code = group(exc_event([frame("refund")], fingerprint=["payments"]))
    assert other_code.hash == custom.hash


def test_js_bundle_hashes_and_origins_are_stable():
    assert normalize_filename("https://cdn.example.com/static/js/main.3f9a1c2b.chunk.js?v=2") == (
        "main.<hash>.chunk.js"
    )
    js = {"platform": "javascript"}

    def js_event(url):
        return event(
            **js,
            exception={
                "values": [
                    {
                        "type": "TypeError",
                        "value": "x is undefined",
                        "stacktrace": {
                            "frames": [
                                {
                                    "filename": url,
                                    "function": "render",
                                    "lineno": 1,
                                    "colno": 300,
                                    "in_app": True,
                                }
                            ]
                        },
                    }
                ]
            },
        )

    assert (
        group(js_event("https://a.example/app.1a2b3c4d.js")).hash
        == group(js_event("https://b.example/app.ffee0011.js")).hash
    )


def test_parameterize():
    assert parameterize("id 550e8400-e29b-41d4-a716-446655440000 at 0xdeadbeef") == (
        "id <uuid> at <hex>"
    )
    assert parameterize("GET https://x.example/a?b=1 from 192.168.0.1 took 12.5ms") == (
        "GET <url> from <ip> took <int>ms"
    )
    assert parameterize("took 12.5 ms for 3 rows") == "took <int> ms for <int> rows"


def test_jvm_generated_names_do_not_split():
    def java(proxy_suffix, lambda_index):
        return event(platform="java", exception={"values": [{
            "type": "NullPointerException", "value": "order is null", "stacktrace": {"frames": [
                {"module": f"com.shop.Web$$EnhancerBySpringCGLIB$${proxy_suffix}",
                 "function": "complete", "in_app": True},
                {"module": "com.shop.Receipts", "function": f"lambda$send${lambda_index}",
                 "in_app": True}]}}]})

    assert group(java("a1b2c3d4", 0)).hash == group(java("ffee0099", 3)).hash


def test_names_a_source_map_could_not_resolve_do_not_split():
    """Symbolication marks what stayed minified: a class no map names (`minified_type` equal to
    `type`) and a function kept as sent (`function_from: minified`); such names change with
    every build, so neither the fingerprint nor the embedding text reads them."""
    from grouping.clean import clean_event, match_key

    def minified(class_name, function):
        return {"platform": "node", "exception": [{
            "type": class_name, "minified_type": class_name, "value": "no such sku",
            "stacktrace": {"frames": [
                {"filename": "src/inventory.js", "function": function, "in_app": True,
                 "context_line": "throw new NotFoundError(sku);",
                 "data": {"function_from": "minified"}},
                {"filename": "src/orders.js", "function": "handleOrder", "in_app": True,
                 "context_line": "return handler(request);", "data": {"function_from": "scope"}},
            ]}}]}

    first, second = minified("Xd", "em.find"), minified("Qe", "tb.find")
    assert group(first).hash == group(second).hash
    assert clean_event(first) == clean_event(second)
    assert match_key(first, "line") == match_key(second, "line")
    resolved = minified("NotFoundError", "Inventory.find")
    resolved["exception"][0]["minified_type"] = "Xd"  # resolved: the original name counts
    assert "type:NotFoundError" in group(resolved).components
