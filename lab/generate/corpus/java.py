# ruff: noqa: E501  (tables of fault sites and source templates read better unwrapped)
"""Java events in the shape of sentry-java (Spring Boot) payloads: servlet and CGLIB proxy frames
with random suffixes, lambdas whose counters move, line numbers that shift, classes renamed
between releases, framework upgrades, wrapped causes, and messages with varying parameters.
Java frames carry no code line, so a bug is its class, method and message kind."""

from __future__ import annotations

import random
import zlib

RELEASES = 4

# (kind, exception type, message(n, field)) — several kinds share a type: hard negatives
KINDS = [
    ("npe", "java.lang.NullPointerException",
     lambda n, f: f'Cannot invoke "com.acme.model.{f.title()}.getId()" because the return value '
                  f'of "com.acme.model.Order.get{f.title()}()" is null'),
    ("npe_name", "java.lang.NullPointerException",
     lambda n, f: f'Cannot invoke "String.trim()" because "{f}Name" is null'),
    ("number", "java.lang.NumberFormatException", lambda n, f: f'For input string: "x{n}"'),
    ("argument", "java.lang.IllegalArgumentException", lambda n, f: f"Invalid {f}: {n}"),
    ("state", "java.lang.IllegalStateException", lambda n, f: f"{f.title()} is closed"),
    ("bounds", "java.lang.ArrayIndexOutOfBoundsException",
     lambda n, f: f"Index {n % 7 + 3} out of bounds for length 3"),
    ("cast", "java.lang.ClassCastException",
     lambda n, f: "class java.lang.String cannot be cast to class java.lang.Integer "
                  "(java.lang.String and java.lang.Integer are in module java.base of loader "
                  "'bootstrap')"),
    ("empty", "java.util.NoSuchElementException", lambda n, f: "No value present"),
    ("timeout", "java.net.SocketTimeoutException", lambda n, f: "Read timed out"),
    ("constraint", "org.springframework.dao.DataIntegrityViolationException",
     lambda n, f: f"could not execute statement; SQL [n/a]; constraint [uk_{f}_code]"),
    ("not_found", "com.acme.errors.NotFoundException", lambda n, f: f"{f.title()} {n} not found"),
]

APPS = {
    "java-shop": ("com.acme.shop", ["OrderService", "CartService", "PaymentService",
                                    "InventoryService", "CustomerService"],
                  ["order", "cart", "payment", "stock", "customer", "coupon"], 22),
    "java-billing": ("com.acme.billing", ["InvoiceService", "LedgerService", "TaxService",
                                          "ReminderService"],
                     ["invoice", "ledger", "tax", "reminder", "account"], 10),
}
METHODS = ("create", "update", "apply", "settle", "lookup", "refresh", "validate", "render")


def _hash(rng: random.Random, n: int = 8) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def sites(app: str, seed: int, count: int) -> list[dict]:
    """Bugs: (class, method, kind, field). Some methods get two bugs of one type (hard
    negatives), some messages recur at several sites."""
    package, classes, fields, _ = APPS[app]
    rng = random.Random(f"{seed}:{app}:java-sites")
    out: list[dict] = []
    used = set()
    while len(out) < count:
        cls, method = rng.choice(classes), rng.choice(METHODS) + rng.choice(fields).title()
        if (cls, method) in used:
            continue
        used.add((cls, method))
        kind = rng.choice(KINDS)
        pair = [kind]
        if rng.random() < 0.3:  # a second fault of the same type in the same method
            twins = [k for k in KINDS if k[1] == kind[1] and k != kind]
            pair += [rng.choice(twins)] if twins else []
        picked = rng.sample(fields, len(pair))
        for index, (k, f) in enumerate(zip(pair, picked, strict=True)):
            out.append({"bug": f"java.{app}.{cls}.{method}.{index}", "package": package,
                        "cls": cls, "method": method, "kind": k, "field": f,
                        "line": 40 + 25 * index + rng.randint(0, 10),
                        "callers": rng.choice((1, 2, 2, 3)), "lambda": rng.random() < 0.4})
    return out


def event(site: dict, app: str, release: int, caller: int, rng: random.Random) -> dict:
    package = site["package"]
    spring = ["5.3.31", "6.0.13", "6.1.4", "6.1.4"][release - 1]
    shift = rng.randint(0, 4) + 7 * release  # the file grows
    cls = site["cls"] + ("Impl" if release >= 3 and zlib.crc32(site["cls"].encode()) % 2 else "")
    service = f"{package}.service.{cls}"
    controller = f"{package}.web.{['Api', 'Admin', 'Batch'][caller]}Controller"
    entry = f"{site['method']}{['', 'ForAdmin', 'Nightly'][caller]}"
    system = [
        {"module": "org.apache.catalina.core.ApplicationFilterChain", "function": "doFilter",
         "lineno": 162 + release, "in_app": False, "filename": "ApplicationFilterChain.java"},
        {"module": "org.springframework.web.servlet.FrameworkServlet", "function": "service",
         "lineno": 883 + release, "in_app": False, "filename": "FrameworkServlet.java",
         "package": f"spring-webmvc-{spring}.jar"},
        {"module": "org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor",
         "function": "intercept", "lineno": 700 + release * 3, "in_app": False,
         "filename": "CglibAopProxy.java", "package": f"spring-aop-{spring}.jar"},
        {"module": f"{controller}$$SpringCGLIB$${rng.randint(0, 3)}" if release >= 3
         else f"{controller}$$EnhancerBySpringCGLIB$${_hash(rng)}",
         "function": entry, "in_app": True, "filename": "<generated>"},
    ]
    app_frames = [
        {"module": controller, "function": entry, "lineno": 30 + caller * 11 + shift,
         "in_app": True, "filename": controller.rsplit(".", 1)[1] + ".java"},
    ]
    if release >= 2 and caller:  # a service layer added in front of the crash
        app_frames.append({"module": f"{package}.service.Facade", "function": f"run{caller}",
                           "lineno": 20 + shift, "in_app": True, "filename": "Facade.java"})
    if site["lambda"]:
        app_frames.append({"module": service, "function": f"lambda${site['method']}${release}",
                           "lineno": site["line"] + shift - 3, "in_app": True,
                           "filename": cls + ".java"})
    app_frames.append({"module": service, "function": site["method"],
                       "lineno": site["line"] + shift, "in_app": True, "filename": cls + ".java"})
    kind, exc_type, message = site["kind"]
    if kind == "empty":
        app_frames.append({"module": "java.util.Optional", "function": "orElseThrow",
                           "lineno": 377, "in_app": False, "filename": "Optional.java"})
    if kind == "timeout":
        okhttp = ["4.9.3", "4.11.0", "4.12.0", "4.12.0"][release - 1]
        app_frames.append({"module": "okhttp3.internal.connection.RealCall", "function": "execute",
                           "lineno": 154 + release, "in_app": False, "filename": "RealCall.kt",
                           "package": f"okhttp-{okhttp}.jar"})
    values = [{"type": exc_type.rsplit(".", 1)[1], "module": exc_type.rsplit(".", 1)[0],
               "value": message(rng.randint(1, 999), site["field"]),
               "stacktrace": {"frames": system + app_frames}}]
    if release >= 3 and caller == 0 and site["lambda"]:
        values.append({"type": "ServletException", "module": "jakarta.servlet",
                       "value": f"Request processing failed: {exc_type}",
                       "stacktrace": {"frames": system[:2]}})
    return {"platform": "java", "level": "error", "release": f"{app}@{release}.0.0",
            "sdk": {"name": "sentry.java.spring-boot.jakarta", "version": "7.14.0"},
            "exception": {"values": values}}


def rows(seed: int, small: bool) -> list[dict]:
    out = []
    for app, (_, _, _, count) in APPS.items():
        rng = random.Random(f"{seed}:{app}:java-events")
        for site in sites(app, seed, 3 if small else count):
            for release in range(1, RELEASES + 1):
                for caller in range(site["callers"]):
                    for _ in range(1 if small else 2):
                        out.append({"bug": site["bug"], "app": app, "platform": "java",
                                    "event": event(site, app, release, caller, rng)})
    return out
