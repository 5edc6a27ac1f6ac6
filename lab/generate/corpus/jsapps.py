# ruff: noqa: E501  (tables of fault sites and source templates read better unwrapped)
"""JavaScript applications (CommonJS, run under @sentry/node), written out per release with the
same kinds of variation as the Python ones; two of them ship as one esbuild bundle, minified,
so file hashes and mangled names change with every release.

Placeholders in fault lines: {f} the field, {F} CamelCase, {v} a local name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lab.generate.corpus.families import MISSING
from lab.generate.corpus.shapes import App, Function, Step

RELEASES = 4
KINDS = ("assign", "return", "comment", "wrapped", "reformat", "extra")
LOCALS = ("value", "raw", "item", "current", "entry", "rec")
RESULTS = ("result", "outcome", "res", "out", "computed")
VERBS = ("compute", "load", "resolve", "apply", "build", "read", "format", "merge", "check",
         "convert", "select", "render", "sync", "score")
CHAIN_VERBS = ("process", "handle", "execute")
PADS = ("// release {rel}", "data = {{ ...data }};", "void Object.keys(data).length;",
        "// TODO: tidy this up")


@dataclass(frozen=True)
class JsFamily:
    name: str
    expr: str = ""
    stmt: str = ""  # a one-line statement that throws
    prep: tuple[str, ...] = ()
    extra: str = ""
    good: object = lambda f: {}
    bads: tuple = ()


FAMILIES = [
    JsFamily("undefined_prop", prep=("const {v} = data.{f};",), expr="{v}.id",
             good=lambda f: {f: {"id": 1}}, bads=(lambda f, n: {f: MISSING},)),
    JsFamily("null_prop", expr="data.{f}.name", good=lambda f: {f: {"name": "a"}},
             bads=(lambda f, n: {f: None},)),
    JsFamily("not_function", expr="data.{f}.map((x) => x * 2)", good=lambda f: {f: [1]},
             bads=(lambda f, n: {f: {"n": n}},)),
    JsFamily("json_parse", expr="JSON.parse(data.{f}Body)", extra="JSON.parse(data.{f}Body, null)",
             good=lambda f: {f"{f}Body": '{"a": 1}'},
             bads=(lambda f, n: {f"{f}Body": f"<html>{n}"},)),
    JsFamily("not_found", prep=("const {v} = data.{f}Id;",),
             stmt="if (!KNOWN.has({v})) throw new NotFoundError(`{f} ${{{v}}} not found`);",
             good=lambda f: {f"{f}Id": 1}, bads=(lambda f, n: {f"{f}Id": 100 + n},)),
    JsFamily("array_length", expr="new Array(data.{f}Count)", good=lambda f: {f"{f}Count": 2},
             bads=(lambda f, n: {f"{f}Count": -n},)),
    JsFamily("to_fixed", expr="Number(data.{f}).toFixed(data.{f}Digits)",
             good=lambda f: {f: 1.5, f"{f}Digits": 2},
             bads=(lambda f, n: {f: 1.5, f"{f}Digits": 101 + n % 50},)),
    JsFamily("url", expr="new URL(data.{f}Url)", extra='new URL(data.{f}Url, undefined)',
             good=lambda f: {f"{f}Url": "https://a.example/"},
             bads=(lambda f, n: {f"{f}Url": f"not a url {n}"},)),
    JsFamily("handler", prep=("const {v} = HANDLERS[data.{f}Kind];",), expr="{v}(data)",
             extra='{v}(data, "{f}")', good=lambda f: {f"{f}Kind": "default"},
             bads=(lambda f, n: {f"{f}Kind": f"k{n}"},)),
    JsFamily("uri", expr="decodeURIComponent(data.{f})", good=lambda f: {f: "a%20b"},
             bads=(lambda f, n: {f: f"%E0%A4%{n % 10}Z"},)),
    JsFamily("bigint", expr="BigInt(data.{f})", good=lambda f: {f: "12"},
             bads=(lambda f, n: {f: f"{n}.5"},)),
    JsFamily("upper", expr="data.{f}.toUpperCase()", good=lambda f: {f: "a"},
             bads=(lambda f, n: {f: n},)),
    JsFamily("check", stmt='if (!data.{f}Ok) throw new ValidationError("{f} check failed");',
             good=lambda f: {f"{f}Ok": True}, bads=(lambda f, n: {f"{f}Ok": False},)),
    JsFamily("timeout", prep=("const {v} = data.{f}Ms;",),
             stmt="if ({v} > LIMIT) throw new TimeoutError(`{f} timed out after ${{{v}}} ms`);",
             good=lambda f: {f"{f}Ms": 1}, bads=(lambda f, n: {f"{f}Ms": 2000 + n},)),
    # one line, three errors of three types
    JsFamily("multi", expr="BigInt(data.{f}.items[0])", good=lambda f: {f: {"items": ["7"]}},
             bads=(lambda f, n: {f: MISSING}, lambda f, n: {f: {"items": [f"{n}.5"]}},
                   lambda f, n: {f: {"items": [n + 0.5]}})),
]


NAMED = ("not_function", "upper", "not_found", "timeout", "check", "null_prop_named")


@dataclass
class JsAppSpec:
    name: str
    modules: tuple[str, ...]
    nouns: tuple[str, ...]
    entry_prefixes: tuple[str, ...]
    bundled: bool
    is_async: bool
    min_bugs: int


APPS = [
    JsAppSpec("js-api", ("orders", "users", "billing", "search", "inventory"),
              ("price", "user", "cart", "query", "stock", "plan", "invoice", "email", "sku"),
              ("get", "post", "admin"), bundled=False, is_async=False, min_bugs=24),
    JsAppSpec("js-web", ("cart", "checkout", "profile", "catalog", "reviews"),
              ("item", "product", "rating", "coupon", "address", "avatar", "page", "filter"),
              ("render", "click", "load"), bundled=True, is_async=False, min_bugs=20),
    JsAppSpec("js-worker", ("jobs", "mailer", "thumbnails", "webhooks"),
              ("job", "mail", "image", "hook", "retry", "size", "target", "batch"),
              ("consume", "poll", "replay"), bundled=True, is_async=True, min_bugs=12),
]


def camel(*parts: str) -> str:
    return parts[0] + "".join(w[:1].upper() + w[1:] for w in parts[1:])


def build_app(spec: JsAppSpec, seed: int, min_bugs: int) -> App:
    rng = random.Random(f"{seed}:{spec.name}:sites")
    pool = [f for f in FAMILIES if f.name != "multi"]
    app = App(spec)
    names: set[str] = set()
    count = index = 0
    while count < min_bugs:
        module = spec.modules[index % len(spec.modules)]
        index += 1
        shape = rng.random()
        nouns = rng.sample(spec.nouns, 2)
        if shape < 0.1:
            families = [FAMILIES[-1]]
        elif shape < 0.3:  # the same type twice in one function; without source maps only a
            # message naming the field tells the two apart in a minified bundle
            family = rng.choice([f for f in pool if f.name in NAMED])
            families = [family, family]
        else:
            families = [rng.choice(pool)]
        name = camel(rng.choice(VERBS), nouns[0])
        while name in names:
            name = camel(rng.choice(VERBS), rng.choice(spec.nouns), rng.choice(spec.nouns))
        names.add(name)
        steps = []
        for k, family in enumerate(families):
            bugs = [f"js.{spec.name}.{module}.{name}.{k}" + (f".{b}" if len(family.bads) > 1 else "")
                    for b in range(len(family.bads))]
            steps.append(Step(family, nouns[k], bugs))
            count += len(bugs)
        app.functions.append(Function(module, name, steps, rng.choice((1, 2, 2, 3))))
    return app


def failing_input(fn: Function, step: int, bad: int, n: int) -> dict:
    data: dict = {}
    for s in fn.steps:
        data.update(s.family.good(s.field))
    for key, value in fn.steps[step].family.bads[bad](fn.steps[step].field, n).items():
        if value is MISSING:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def entry_name(spec: JsAppSpec, fn: Function, e: int) -> str:
    return spec.entry_prefixes[e] + fn.name[0].upper() + fn.name[1:]


@dataclass
class Plan:
    release: int
    module_of: dict[str, str]
    services: str
    rng: random.Random


def plan(app: App, release: int, seed: int) -> Plan:
    rng = random.Random(f"{seed}:{app.spec.name}:r{release}")
    renames = {}
    if release >= 3:
        for module in random.Random(f"{seed}:{app.spec.name}:renames").sample(app.spec.modules, 2):
            renames[module] = f"{module}Service"
    movers = random.Random(f"{seed}:{app.spec.name}:moves")
    module_of = {}
    for fn in app.functions:
        module_of[fn.name] = renames.get(fn.module, fn.module)
        if release >= 4 and movers.random() < 0.2:
            module_of[fn.name] = "common"
    return Plan(release, module_of, "services" if release <= 2 else "serviceLayer", rng)


def _fmt(line: str, f: str, v: str) -> str:
    return line.format(f=f, F=f.title(), v=v)


def _pads(p: Plan, most: int) -> list[str]:
    return [p.rng.choice(PADS).format(rel=p.release) for _ in range(p.rng.randint(0, most))]


def render_step(step: Step, index: int, last: bool, p: Plan, local: str, result: str) -> list[str]:
    family = step.family
    kind = p.rng.choice(("assign", "return")) if p.release == 1 else p.rng.choice(KINDS)
    lines = [_fmt(x, step.field, step.field + local.title()) for x in family.prep]
    if family.stmt:
        stmt = _fmt(family.stmt, step.field, step.field + local.title())
        if kind == "comment":
            stmt += " // checked upstream"
        return lines + [stmt] + (["return data;"] if last else [])
    expr = _fmt(family.extra if kind == "extra" and family.extra else family.expr,
                step.field, step.field + local.title())
    target = f"{result}{index}"
    if kind == "return" and last:
        return lines + [f"return {expr};"]
    if kind == "comment":
        lines.append(f"const {target} = {expr}; // {step.field} from the request")
    elif kind == "wrapped":
        lines.append(f"const {target} = String({expr});")
    elif kind == "reformat":
        lines += [f"const {target} =", f"  {expr};"]
    else:
        lines.append(f"const {target} = {expr};")
    return lines + ([f"return {target};"] if last else [])


def render_function(fn: Function, p: Plan) -> tuple[list[str], list[str]]:
    local, result = p.rng.choice(LOCALS), p.rng.choice(RESULTS)
    body = _pads(p, 3)
    helpers: list[str] = []
    names = [fn.name]
    for index, step in enumerate(fn.steps):
        last = index == len(fn.steps) - 1
        lines = render_step(step, index, last, p, local, result)
        if p.release >= 2 and p.rng.random() < 0.25:
            helper = camel(fn.name, step.field, "part")
            names.append(helper)
            call = f"{helper}(data)"
            if last:
                inner, lines = lines, [f"return {call};"]
            elif step.family.stmt:
                inner, lines = lines + ["return null;"], [f"{call};"]
            else:
                inner, lines = lines + [f"return {result}{index};"], [f"const {result}{index} = {call};"]
            helpers += [f"function {helper}(data) {{"] + ["  " + x for x in inner] + ["}", ""]
        body += lines
    return helpers + [f"function {fn.name}(data) {{"] + ["  " + x for x in body] + ["}", ""], names


HEADER = '''"use strict";
const {{ NotFoundError, TimeoutError, ValidationError }} = require("./errors");

const KNOWN = new Set([1, 2, 3]);
const HANDLERS = {{ default: () => 0 }};
const LIMIT = 1000;
{pads}
'''


def render_release(app: App, p: Plan) -> dict[str, str]:
    spec = app.spec
    files: dict[str, str] = {}
    by_module: dict[str, list[Function]] = {}
    for fn in app.functions:
        by_module.setdefault(p.module_of[fn.name], []).append(fn)
    for module, functions in sorted(by_module.items()):
        lines = [HEADER.format(pads="\n".join("// " + x.lstrip("/ ") for x in _pads(p, 5)))]
        exported = []
        for fn in functions:
            code, names = render_function(fn, p)
            lines += code
            exported.append(fn.name)
        lines.append(f"module.exports = {{ {', '.join(exported)} }};")
        files[f"{module}.js"] = "\n".join(lines) + "\n"
    files["errors.js"] = ERRORS
    files["source.js"] = 'module.exports = { current: {}, fetch() { return { ...this.current }; } };\n'
    files["instrument.js"] = INSTRUMENT
    a, aw = ("async ", "await ") if spec.is_async else ("", "")
    svc = ['"use strict";'] + [f'const {m} = require("./{m}");' for m in sorted(by_module)] + [""]
    entries = ['"use strict";', 'const source = require("./source");',
               f'const {p.services} = require("./{p.services}");',
               'const { traced } = require("./instrument");',
               'const { ServiceError } = require("./errors");']
    entries += [f'const {m} = require("./{m}");' for m in sorted(by_module)] + [""]
    table, exports = [], []
    for fn in app.functions:
        for e in range(fn.entries):
            target = outer = f"{p.module_of[fn.name]}.{fn.name}"
            for level in range(p.rng.choice((0, 1, 1, 2, 3))):
                name = camel(CHAIN_VERBS[level % 3], fn.name, spec.entry_prefixes[e]) + (
                    str(level) if level >= 3 else "")
                svc += [f"{a}function {name}(data) {{"] + ["  " + x for x in _pads(p, 1)]
                svc += [f"  return {aw}{target}(data);", "}", ""]
                exports.append(name)
                target, outer = name, f"{p.services}.{name}"
            name = entry_name(spec, fn, e)
            body = ["const data = source.fetch();"]
            if p.release >= 2 and p.rng.random() < 0.3:
                body += ["try {", f"  return {aw}{outer}(data);", "} catch (err) {",
                         f'  throw new ServiceError("{name} failed", {{ cause: err }});', "}"]
            else:
                body += [f"const value = {aw}{outer}(data);", "return value;"]
            entries += [f"{a}function {name}() {{"] + ["  " + x for x in body] + ["}", ""]
            traced = p.release >= 2 and p.rng.random() < 0.5
            table.append(f"  {name}: {'traced(' + name + ')' if traced else name},")
    svc.append(f"module.exports = {{ {', '.join(exports)} }};")
    files[f"{p.services}.js"] = "\n".join(svc) + "\n"
    entries += ["const entries = {", *table, "};", "", "module.exports = { entries, source };"]
    files["entries.js"] = "\n".join(entries) + "\n"
    return files


ERRORS = '''"use strict";
class NotFoundError extends Error { constructor(m) { super(m); this.name = "NotFoundError"; } }
class TimeoutError extends Error { constructor(m) { super(m); this.name = "TimeoutError"; } }
class ValidationError extends Error { constructor(m) { super(m); this.name = "ValidationError"; } }
class ServiceError extends Error {
  constructor(m, options) { super(m, options); this.name = "ServiceError"; }
}
module.exports = { NotFoundError, TimeoutError, ValidationError, ServiceError };
'''

INSTRUMENT = '''"use strict";
function traced(fn) {
  return function tracedCall(...args) {
    return fn.apply(this, args);
  };
}
module.exports = { traced };
'''
