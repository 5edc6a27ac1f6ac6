"""Four Python applications of different shape, written out per release and run into their bugs.

Each application is a package of modules holding fault functions (families × sites, see
families.py), a service layer of call chains, entry points of its kind (Flask routes, click
commands, pipeline stages, asyncio handlers), an instrumentation decorator and an error module.
Every release re-renders the code with the variations real deployments produce: lines inserted
above, the faulting line edited (reformatted, renamed locals, comment, assignment vs return,
wrapped in a call, an extra argument), helpers extracted or inlined, modules renamed and
functions moved, call depths changed, decorators added, exceptions wrapped, the library upgraded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from lab.generate.corpus.families import BY_NAME, FAMILIES, MISSING, MODULE_HEADER
from lab.generate.corpus.shapes import App, Function, Step

RELEASES = 4
KINDS = ("assign", "return", "comment", "wrapped", "reformat", "extra")
LOCALS = ("value", "raw", "item", "current", "entry", "record")
RESULTS = ("result", "outcome", "res", "out", "computed")
VERBS = ("compute", "load", "resolve", "apply", "build", "read", "format", "merge", "check",
         "convert", "select", "price", "score", "split", "sync", "render")
CHAIN_VERBS = ("process", "handle", "execute")
PADS = ("audit = {{'release': {rel}}}", "# TODO: tidy this up", "data = dict(data)",
        "_ = len(data)  # r{rel}", "# see the changelog of release {rel}")


@dataclass
class AppSpec:
    name: str
    package: str
    kind: str  # web | cli | pipeline | async
    modules: tuple[str, ...]
    nouns: tuple[str, ...]
    entry_prefixes: tuple[str, ...]
    weights: dict[str, int] = field(default_factory=dict)  # family → extra weight


APPS = [
    AppSpec("storefront", "storefront", "web",
            ("cart", "orders", "accounts", "catalog", "payments", "shipping"),
            ("price", "quantity", "coupon", "address", "email", "sku", "currency", "total",
             "discount", "user", "token", "country", "id", "name"),
            ("view", "api", "admin"), {"pydantic": 2, "json": 2, "not_found": 2}),
    AppSpec("ledger-cli", "ledger", "cli",
            ("imports", "accounts", "reconcile", "exports", "reports", "currency"),
            ("amount", "balance", "rate", "account", "memo", "period", "date", "id", "payee",
             "ledger", "batch", "fee", "code", "name"),
            ("cmd", "batch", "cron"), {"dateutil": 2, "decimal": 2, "recordkit": 1}),
    AppSpec("etl-pipeline", "etl", "pipeline",
            ("extract", "transform", "enrich", "validate", "load", "geo"),
            ("row", "lat", "lon", "region", "score", "sample", "reading", "sensor", "id",
             "batch", "schema", "config", "series", "name"),
            ("stage", "backfill", "replay"),
            {"pydantic": 3, "yaml": 3, "numpy": 3, "dateutil": 2, "recordkit": 3, "json": 1}),
    AppSpec("notifier", "notifier", "async",
            ("inbox", "sender", "templates", "webhooks", "scheduler", "presence"),
            ("message", "recipient", "channel", "payload", "retry", "template", "webhook",
             "delay", "id", "topic", "device", "locale", "name", "body"),
            ("on", "consume", "poll"), {"json": 2, "timeout": 2}),
]



def build_app(spec: AppSpec, seed: int, min_bugs: int) -> App:
    """Fault sites for one application: single faults, two faults of one type in one function
    (hard negatives), two faults of different types, and lines that raise several errors."""
    rng = random.Random(f"{seed}:{spec.name}:sites")
    pool = [f for f in FAMILIES if spec.kind in f.platforms and f.name != "ratio"]
    weighted = [f for f in pool for _ in range(1 + spec.weights.get(f.name, 0))]
    functions: list[Function] = []
    names: set[str] = set()
    count = 0
    index = 0
    while count < min_bugs:
        module = spec.modules[index % len(spec.modules)]
        index += 1
        shape = rng.random()
        nouns = rng.sample(spec.nouns, 2)
        if shape < 0.1:
            families = [BY_NAME["ratio"]]
        elif shape < 0.32:  # the same type twice in one function
            family = rng.choice(weighted)
            families = [family, family]
        elif shape < 0.42:
            families = rng.sample(pool, 2)
        else:
            families = [rng.choice(weighted)]
        name = f"{rng.choice(VERBS)}_{nouns[0]}"
        while name in names:
            name = f"{rng.choice(VERBS)}_{rng.choice(spec.nouns)}_{rng.choice(spec.nouns)}"
        names.add(name)
        steps = []
        for k, family in enumerate(families):
            bug = f"py.{spec.name}.{module}.{name}.{k}"
            many = len(family.bads) > 1
            bugs = [bug + (f".{b}" if many else "") for b in range(len(family.bads))]
            steps.append(Step(family, nouns[k], bugs))
            count += len(bugs)
        functions.append(Function(module, name, steps, entries=rng.choice((1, 1, 2, 2, 3))))
    return App(spec, functions)


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


# ---------------------------------------------------------------- rendering one release


@dataclass
class Plan:
    """Every per-release decision for one application, drawn from one seeded generator."""

    release: int
    module_of: dict[str, str]  # function name → module name in this release
    services: str
    rng: random.Random


def plan(app: App, release: int, seed: int) -> Plan:
    rng = random.Random(f"{seed}:{app.spec.name}:r{release}")
    renames = {}
    if release >= 3:  # modules renamed in release 3
        for module in random.Random(f"{seed}:{app.spec.name}:renames").sample(
            app.spec.modules, 2
        ):
            renames[module] = f"{module}_service"
    module_of = {}
    movers = random.Random(f"{seed}:{app.spec.name}:moves")
    for fn in app.functions:
        module = renames.get(fn.module, fn.module)
        if release >= 4 and movers.random() < 0.2:  # functions moved in release 4
            module = "common"
        module_of[fn.name] = module
    return Plan(release, module_of, "services" if release <= 2 else "service_layer", rng)


def _fmt(line: str, f: str, v: str) -> str:
    return line.format(f=f, F=f.title().replace("_", ""), v=v)


def _pads(p: Plan, most: int) -> list[str]:
    return [p.rng.choice(PADS).format(rel=p.release) for _ in range(p.rng.randint(0, most))]


def render_step(step: Step, index: int, last: bool, p: Plan, local: str, result: str) -> list[str]:
    family = step.family
    kind = p.rng.choice(("assign", "return")) if p.release == 1 else p.rng.choice(KINDS)
    local = f"{step.field}_{local}"  # two faults of one family in a function use two names
    lines = [_fmt(x, step.field, local) for x in family.prep]
    if family.stmt:
        stmt = [_fmt(x, step.field, local) for x in family.stmt]
        if kind == "comment":
            stmt[-1] += "  # checked upstream"
        elif kind == "reformat" and stmt[-1].lstrip().startswith("raise ") and "(" in stmt[-1]:
            indent = stmt[-1][: len(stmt[-1]) - len(stmt[-1].lstrip())]
            head, rest = stmt[-1].split("(", 1)
            stmt[-1:] = [head + "(", indent + "    " + rest[:-1], indent + ")"]
        return lines + stmt + (["return data"] if last else [])
    expr = _fmt(family.extra if kind == "extra" and family.extra else family.expr,
                step.field, local)
    target = result if last else f"{result}_{index}"
    if kind == "return" and last:
        return lines + [f"return {expr}"]
    if kind == "comment":
        lines.append(f"{target} = {expr}  # {step.field} from the request")
    elif kind == "wrapped":
        lines.append(f"{target} = str({expr})")
    elif kind == "reformat":
        lines += [f"{target} = (", f"    {expr}", ")"]
    else:
        lines.append(f"{target} = {expr}")
    return lines + ([f"return {target}"] if last else [])


def render_function(fn: Function, p: Plan, is_async: bool) -> list[str]:
    """The function, and the helpers extracted from it in this release."""
    local = p.rng.choice(LOCALS)
    result = p.rng.choice(RESULTS)
    a, aw = ("async ", "await ") if is_async else ("", "")
    body = ["await asyncio.sleep(0)"] if is_async else []
    body += _pads(p, 3)
    helpers: list[str] = []
    for index, step in enumerate(fn.steps):
        last = index == len(fn.steps) - 1
        lines = render_step(step, index, last, p, local, result)
        if p.release >= 2 and p.rng.random() < 0.25:  # extract this step into a helper
            helper = f"_{fn.name}_{step.field}"
            call = f"{aw}{helper}(data)"
            if last:
                inner, lines = lines, [f"return {call}"]
            elif step.family.stmt:
                inner, lines = lines + ["return None"], [call]
            else:
                inner, lines = lines + [f"return {result}_{index}"], [f"{result}_{index} = {call}"]
            helpers += [f"{a}def {helper}(data):"] + ["    " + x for x in inner] + ["", ""]
        body += lines
    return helpers + [f"{a}def {fn.name}(data):"] + ["    " + x for x in body] + ["", ""]


def render_release(app: App, p: Plan) -> dict[str, str]:
    """File name → source for one release of the application package."""
    spec = app.spec
    pkg = spec.package
    is_async = spec.kind == "async"
    files: dict[str, str] = {}
    by_module: dict[str, list[Function]] = {}
    for fn in app.functions:
        by_module.setdefault(p.module_of[fn.name], []).append(fn)
    for module, functions in sorted(by_module.items()):
        lines = [f'"""{pkg}.{module}, release {p.release}."""', ""]
        lines += ["import asyncio"] if is_async else []
        lines += [x.format(pkg=pkg) for x in MODULE_HEADER]
        seen = set()
        for fn in functions:
            for step in fn.steps:
                if step.family.header and step.field not in seen:
                    seen.add(step.field)
                    lines += [_fmt(x, step.field, "") for x in step.family.header]
        lines += ["# " + x.lstrip("# ") for x in _pads(p, 6)] + [""]
        for fn in functions:
            lines += render_function(fn, p, is_async)
        files[f"{module}.py"] = "\n".join(lines).rstrip() + "\n"
    files["__init__.py"] = f'RELEASE = {p.release}\n'
    files["errors.py"] = ERRORS
    files["source.py"] = SOURCE
    files["instrumentation.py"] = INSTRUMENTATION_ASYNC if is_async else INSTRUMENTATION
    files[f"{p.services}.py"], entries = render_services(app, p, by_module)
    files.update(render_entries(app, p, entries))
    return files


def entry_name(spec: AppSpec, fn: Function, e: int) -> str:
    return f"{spec.entry_prefixes[e]}_{fn.name}"


def render_services(app: App, p: Plan, by_module) -> tuple[str, dict]:
    """Call chains of this release's depth per entry; returns the source and, per entry, the
    expression its entry point calls."""
    is_async = app.spec.kind == "async"
    a, aw = ("async ", "await ") if is_async else ("", "")
    pkg = app.spec.package
    lines = [f'"""{pkg} service layer, release {p.release}."""', ""]
    lines += [f"from {pkg} import {', '.join(sorted(by_module))}", "", ""]
    entries = {}
    for fn in app.functions:
        for e in range(fn.entries):
            target = outer = f"{p.module_of[fn.name]}.{fn.name}"
            depth = p.rng.choice((0, 1, 1, 2, 3))
            for level in range(depth):
                name = f"{CHAIN_VERBS[level % 3]}_{fn.name}_{app.spec.entry_prefixes[e]}"
                if level >= 3:
                    name += f"_{level}"
                lines += [f"{a}def {name}(data):"] + ["    " + x for x in _pads(p, 1)]
                lines += [f"    return {aw}{target}(data)", "", ""]
                target, outer = name, f"{p.services}.{name}"
            entries[(fn.name, e)] = outer
    return "\n".join(lines).rstrip() + "\n", entries


def render_entries(app: App, p: Plan, entries: dict) -> dict[str, str]:
    spec = app.spec
    pkg = spec.package
    modules = sorted(set(p.module_of.values()))
    imports = f"from {pkg} import {', '.join(sorted({*modules, p.services}))}\n"
    imports += f"from {pkg} import errors, instrumentation, source\n"
    blocks = []
    for fn in app.functions:
        for e in range(fn.entries):
            name = entry_name(spec, fn, e)
            traced = p.release >= 2 and p.rng.random() < 0.5
            wrapped = p.release >= 2 and p.rng.random() < 0.3
            call = ("await " if spec.kind == "async" else "") + f"{entries[(fn.name, e)]}(data)"
            head = {
                "web": [f'@app.route("/{fn.name}/{e}")'],
                "cli": [f'@cli.command("{fn.name}-{e}")'],
            }.get(spec.kind, [])
            head += ["@instrumentation.traced"] if traced else []
            args = "message" if spec.kind == "async" else ""
            head.append(f"{'async ' if spec.kind == 'async' else ''}def {name}({args}):")
            body = ["data = source.fetch()"]
            if wrapped:
                body += ["try:", f"    value = {call}", "except Exception as exc:",
                         f'    raise errors.ServiceError("{name} failed") from exc']
            else:
                body.append(f"value = {call}")
            body.append({"web": 'return {"value": str(value)}', "cli": "click.echo(str(value))"}
                        .get(spec.kind, "return value"))
            blocks.append("\n".join(head + ["    " + x for x in body]) + "\n")
    code = "\n\n".join(blocks)
    if spec.kind == "web":
        return {"routes.py": f"from flask import Flask\n\n{imports}\napp = Flask(__name__)\n\n\n"
                f"{code}"}
    if spec.kind == "cli":
        return {"cli.py": f"import click\n\n{imports}\n\n@click.group()\ndef cli():\n    pass\n\n\n"
                f"{code}"}
    if spec.kind == "pipeline":
        return {"stages.py": f"{imports}\n\n{code}", "pipeline.py": PIPELINE.format(pkg=pkg)}
    middleware = "handler = instrumentation.with_metrics(handler)" if p.release >= 3 else "pass"
    return {"handlers.py": f"{imports}\n\n{code}",
            "dispatcher.py": DISPATCHER.format(pkg=pkg, middleware=middleware)}


ERRORS = '''class NotFoundError(LookupError):
    pass


class ServiceError(RuntimeError):
    pass
'''

SOURCE = '''CURRENT = {}


def fetch():
    """The record being worked on (the generator sets it before each request)."""
    return dict(CURRENT)
'''

INSTRUMENTATION = '''import functools


def traced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper
'''

INSTRUMENTATION_ASYNC = '''import functools


def traced(fn):
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        return await fn(*args, **kwargs)

    return wrapper


def with_metrics(handler):
    async def measured(message):
        return await handler(message)

    return measured
'''

PIPELINE = '''from {pkg} import source, stages


def run(names):
    data = source.fetch()
    for name in names:
        data = _run_stage(getattr(stages, name), data)
    return data


def _run_stage(stage, data):
    return stage()
'''

DISPATCHER = '''import asyncio

from {pkg} import handlers, instrumentation


async def dispatch(name):
    handler = getattr(handlers, name)
    {middleware}
    return await asyncio.wait_for(handler({{"topic": name}}), timeout=5)
'''
