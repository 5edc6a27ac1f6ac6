"""Generate the labelled grouping dev set: JSON lines of {"bug": <true bug id>, "event": {...}}.

Python events are real: the templates in shop/ and minilib/ are rendered per release (lines
shift, call sites are rewritten, the exception wrapper changes, the library's internals are
renamed between versions), imported, run into their bugs, and captured by the official
sentry-sdk. The variations are those real deployments produce: one bug reached through
different call paths, line shifts across releases, varying message parameters, different
library versions (system frames), wrapped and unwrapped exceptions; and distinct bugs that look
alike (same exception type in the same function or module).

JavaScript- and Java-shaped events are built on the shapes of real SDK payloads (minified
bundles with build hashes, Spring proxies and lambdas) with the same kinds of variation.

    python -m lab.generate.devset.generate var/devset.jsonl          # the dev set (seed 7)
    python -m lab.generate.devset.generate var/heldout.jsonl --seed 11 # a held-out draw
"""

from __future__ import annotations

import importlib
import json
import random
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
RELEASES = 4

CALL_SITES = {
    "checkout_line": [
        "return round(basket.average_price(), 2)",
        "avg = basket.average_price()\n    return round(avg, 2)",
        'return {"average": round(basket.average_price(), 2)}',
        "average = basket.average_price()  # shown in the header\n    return average",
    ],
    "account_line": [
        'return {"plan": users.plan_of(username)}',
        'plan = users.plan_of(username)\n    return {"plan": plan}',
        'return {"plan": users.plan_of(username), "user": username}',
        'context = {"plan": users.plan_of(username)}\n    return context',
    ],
    "search_line": [
        "return search.parse_page(query)",
        "page = search.parse_page(query)\n    return page",
        'return {"page": search.parse_page(query)}',
        "current = search.parse_page(query)  # 1-based\n    return current",
    ],
    "wrapper": ["RuntimeError", "RuntimeError", "ConfigError", "ConfigError"],
}
LIBRARY_NAMES = {  # minilib 1.x and 2.x name their internals differently
    1: {"split_name": "_split_pairs", "send_name": "_send"},
    2: {"split_name": "split_query_pairs", "send_name": "send_request"},
}

# bug id → (entry function, argument factory); several entries of one bug are its call paths.
PYTHON_SCENARIOS = [
    ("py.cart.average_of_empty", "checkout_view", lambda n: ([],)),
    ("py.cart.average_of_empty", "cart_summary_api", lambda n: ([],)),
    ("py.cart.average_of_empty", "nightly_report", lambda n: ([],)),
    ("py.cart.discount_of_empty", "discount_view", lambda n: ([], 5)),
    ("py.users.unknown_user", "account_view", lambda n: (f"user-{n}",)),
    ("py.users.unknown_user", "billing_job", lambda n: (f"user-{n}",)),
    ("py.users.missing_limits", "team_view", lambda n: ("ada",)),
    ("py.config.missing_file", "boot", lambda n: (f"/etc/shop/site-{n}.toml", n % 2 == 0)),
    ("py.notify.no_customer", "receipt_job", lambda n: (n,)),
    ("py.notify.no_shipping", "shipping_view", lambda n: (n,)),
    ("py.search.bad_page", "search_view", lambda n: (f"q=shoes&page=x{n}",)),
    ("py.search.no_page", "search_view", lambda n: ("q=shoes",)),
    ("py.reports.string_amount", "export_view", lambda n: ([{"amount": n}, {"amount": str(n)}],)),
    ("py.jobs.empty_queue", "worker_loop", lambda n: ([],)),
    ("py.payments.charge_timeout", "charge_view", lambda n: (1000 + n,)),
    ("py.payments.charge_timeout", "retry_charge_job", lambda n: (1000 + n,)),
    ("py.payments.refund_timeout", "refund_view", lambda n: (2000 + n,)),
    # different bugs raised from one shared helper line: only message and callers differ
    ("py.stock.out_of_stock", "reserve_view", lambda n: (n,)),
    ("py.stock.out_of_stock", "restock_job", lambda n: (n,)),
    ("py.payments.card_declined", "pay_view", lambda n: (n,)),
    ("py.orders.not_found", "order_view", lambda n: (n,)),
    ("py.orders.not_found", "invoice_job", lambda n: (n,)),
    ("py.customers.not_found", "customer_view", lambda n: (n,)),
]


def render(template: str, release: int, rng: random.Random, library: int) -> str:
    lines = []
    for line in template.splitlines():
        stripped = line.strip()
        if stripped == "# {{pad}}":
            indent = line[: len(line) - len(line.lstrip())]
            lines += [f"{indent}# release {release} note {i}" for i in range(rng.randint(0, 4))]
            continue
        for key, variants in CALL_SITES.items():
            line = line.replace("{{" + key + "}}", variants[release - 1])
        for key, value in LIBRARY_NAMES[library].items():
            line = line.replace("{{" + key + "}}", value)
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_release(root: Path, release: int, library: int, rng: random.Random) -> tuple[Path, Path]:
    app = root / f"releases/r{release}"
    site = root / f"lib{library}-r{release}/site-packages"
    for package, target in (("shop", app), ("minilib", site)):
        (target / package).mkdir(parents=True, exist_ok=True)
        for template in sorted((HERE / package).glob("*.py.tmpl")):
            text = render(template.read_text(), release, rng, library)
            (target / package / template.name.removesuffix(".tmpl")).write_text(text)
    return app, site


class Collector:
    """A sentry-sdk transport that keeps the events the SDK would send."""

    def __init__(self):
        import sentry_sdk.transport

        collector = self

        class Transport(sentry_sdk.transport.Transport):
            def capture_envelope(self, envelope):
                event = envelope.get_event()
                if event is not None:
                    collector.events.append(event)

            def flush(self, timeout, callback=None):
                return None

        self.events: list[dict] = []
        self.transport = Transport


def python_events(rng: random.Random, per_release: int = 3) -> list[dict]:
    import sentry_sdk

    collector = Collector()
    out = []
    with tempfile.TemporaryDirectory(prefix="faultline-devset-") as tmp:
        root = Path(tmp)
        for release in range(1, RELEASES + 1):
            library = 1 if release <= 2 else 2
            app, site = write_release(root, release, library, rng)
            for name in [m for m in sys.modules if m.split(".")[0] in ("shop", "minilib")]:
                del sys.modules[name]
            sys.path[:0] = [str(app), str(site)]
            try:
                views = importlib.import_module("shop.views")
                client = sentry_sdk.Client(
                    dsn="http://public@localhost/1",
                    transport=collector.transport,
                    release=f"shop@1.{release}.0",
                    default_integrations=False,
                    auto_enabling_integrations=False,
                    project_root=str(app),
                )
                for bug, entry, arguments in PYTHON_SCENARIOS:
                    for _ in range(per_release):
                        before = len(collector.events)
                        with sentry_sdk.isolation_scope() as scope:
                            scope.set_client(client)
                            try:
                                getattr(views, entry)(*arguments(rng.randint(1, 999)))
                            except Exception as exc:
                                scope.capture_exception(exc)
                            else:
                                raise AssertionError(f"{entry} did not fail")
                        for event in collector.events[before:]:
                            out.append({"bug": bug, "event": without_harness(event)})
                client.close()
            finally:
                del sys.path[:2]
    return out


def without_harness(event: dict) -> dict:
    """Drop this generator's own frames: a real app's entry point is its framework."""
    for exc in (event.get("exception") or {}).get("values", []):
        frames = (exc.get("stacktrace") or {}).get("frames") or []
        exc["stacktrace"]["frames"] = [f for f in frames if f.get("abs_path") != __file__]
    return event


def _hash(rng: random.Random, n: int = 8) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def js_events(rng: random.Random, per_variant: int = 4) -> list[dict]:
    """Browser events in the shape of @sentry/browser payloads: minified bundles per release."""
    out = []
    bugs = [
        ("js.cart.undefined_id", "TypeError", "Cannot read properties of undefined (reading 'id')",
         "renderCartItem", 212, ["CartList.render", "MiniCart.render"]),
        ("js.cart.undefined_name", "TypeError",
         "Cannot read properties of undefined (reading 'name')", "renderCartItem", 240,
         ["CartList.render"]),
        ("js.api.fetch_failed", "TypeError", "Failed to fetch", "fetchJSON", 31,
         ["loadProducts", "loadCategories", "refreshSession"]),
        ("js.api.bad_json", "SyntaxError",
         "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON", "parseResponse", 57,
         ["loadProducts"]),
    ]
    for release in range(1, RELEASES + 1):
        app_bundle = f"https://shop.example/static/js/app.{_hash(rng)}.js"
        vendor_bundle = f"https://shop.example/static/js/vendor.{_hash(rng)}.js"
        shift = rng.randint(0, 40)
        for bug, exc_type, value, function, column, callers in bugs:
            for caller in callers:
                for _ in range(per_variant):
                    frames = [
                        {"filename": vendor_bundle, "abs_path": vendor_bundle, "function": fn,
                         "lineno": 2, "colno": rng.randint(1000, 90000), "in_app": False}
                        for fn in ("HTMLDocument.dispatch", "invokeTask", "runTask")
                    ] + [
                        {"filename": app_bundle, "abs_path": app_bundle, "function": caller,
                         "lineno": 1, "colno": 4000 + shift * 7, "in_app": True},
                        {"filename": app_bundle, "abs_path": app_bundle, "function": function,
                         "lineno": 1, "colno": column * 13 + shift, "in_app": True},
                    ]
                    out.append({"bug": bug, "event": {
                        "event_id": uuid.uuid4().hex, "platform": "javascript", "level": "error",
                        "release": f"web@{release}.0", "sdk": {"name": "sentry.javascript.browser"},
                        "request": {"url": f"https://shop.example/cart/{rng.randint(1, 99)}"},
                        "exception": {"values": [{
                            "type": exc_type, "value": value,
                            "mechanism": {"type": "onerror", "handled": False},
                            "stacktrace": {"frames": frames}}]},
                    }})
    return out


def java_events(rng: random.Random, per_variant: int = 4) -> list[dict]:
    """Spring Boot events in the shape of sentry-java payloads: proxies, lambdas, versions."""
    out = []
    npe = 'Cannot invoke "com.shop.{cls}.{getter}()" because the return value of ' \
          '"com.shop.Order.{owner}()" is null'
    bugs = [
        ("java.receipts.null_customer", "java.lang.NullPointerException",
         lambda n: npe.format(cls="Customer", getter="getEmail", owner="getCustomer"),
         "com.shop.receipts.ReceiptService", "send", 48,
         ["com.shop.web.OrderController.complete", "com.shop.jobs.ReceiptJob.run"]),
        ("java.receipts.null_shipping", "java.lang.NullPointerException",
         lambda n: npe.format(cls="Address", getter="getStreet", owner="getShipping"),
         "com.shop.receipts.ReceiptService", "send", 61,
         ["com.shop.web.OrderController.complete"]),
        ("java.payments.read_timeout", "java.net.SocketTimeoutException",
         lambda n: "Read timed out", "com.shop.payments.PaymentClient", "charge", 88,
         ["com.shop.web.CheckoutController.pay", "com.shop.jobs.RetryJob.run"]),
        ("java.search.bad_page", "java.lang.NumberFormatException",
         lambda n: f'For input string: "x{n}"', "com.shop.search.SearchController", "page", 27,
         ["com.shop.search.SearchController.search"]),
    ]
    for release in range(1, RELEASES + 1):
        spring = ["5.3.31", "6.0.13", "6.1.4", "6.1.4"][release - 1]
        shift = rng.randint(0, 25)
        for bug, exc_type, message, cls, method, line, callers in bugs:
            for caller in callers:
                for _ in range(per_variant):
                    caller_cls, caller_method = caller.rsplit(".", 1)
                    proxy = f"{caller_cls}$$EnhancerBySpringCGLIB$${_hash(rng)}"
                    system = [
                        {"module": "org.springframework.web.servlet.FrameworkServlet",
                         "function": "service", "lineno": 883 + release, "in_app": False,
                         "filename": "FrameworkServlet.java"},
                        {"module": "org.springframework.aop.framework.CglibAopProxy"
                                   "$DynamicAdvisedInterceptor", "function": "intercept",
                         "lineno": 700 + release * 3, "in_app": False,
                         "filename": "CglibAopProxy.java", "package": f"spring-aop-{spring}.jar"},
                        {"module": proxy, "function": caller_method, "in_app": True,
                         "filename": "<generated>"},
                    ]
                    app = [
                        {"module": caller_cls, "function": caller_method,
                         "lineno": 40 + shift, "in_app": True,
                         "filename": caller_cls.rsplit(".", 1)[1] + ".java"},
                        {"module": cls, "function": f"lambda${method}${rng.randint(0, 3)}",
                         "lineno": line + shift, "in_app": True,
                         "filename": cls.rsplit(".", 1)[1] + ".java"},
                        {"module": cls, "function": method, "lineno": line + shift + 2,
                         "in_app": True, "filename": cls.rsplit(".", 1)[1] + ".java"},
                    ]
                    if exc_type.endswith("SocketTimeoutException"):
                        okhttp = ["4.9.3", "4.11.0", "4.12.0", "4.12.0"][release - 1]
                        app.append({"module": "okhttp3.internal.connection.RealCall",
                                    "function": "execute", "lineno": 154 + release,
                                    "in_app": False, "package": f"okhttp-{okhttp}.jar",
                                    "filename": "RealCall.kt"})
                    out.append({"bug": bug, "event": {
                        "event_id": uuid.uuid4().hex, "platform": "java", "level": "error",
                        "release": f"shop-api@{release}.0.0",
                        "sdk": {"name": "sentry.java.spring-boot"},
                        "exception": {"values": [{"type": exc_type.rsplit(".", 1)[1],
                                                  "module": exc_type.rsplit(".", 1)[0],
                                                  "value": message(rng.randint(1, 99)),
                                                  "stacktrace": {"frames": system + app}}]},
                    }})
    return out


def generate(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    events = python_events(rng) + js_events(rng) + java_events(rng)
    rng.shuffle(events)  # the order events arrive in
    return events


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Generate the labelled grouping dev set.")
    parser.add_argument("target", nargs="?", default="var/devset.jsonl")
    parser.add_argument("--seed", type=int, default=7, help="another seed: a held-out set")
    args = parser.parse_args()
    target = Path(args.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = generate(args.seed)
    with open(target, "w") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    bugs = {row["bug"] for row in rows}
    print(f"wrote {len(rows)} events of {len(bugs)} bugs to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
