# ruff: noqa: E501  (tables of fault sites and source templates read better unwrapped)
"""Python fault families: a faulting line (or statement), the inputs that pass it and the inputs
that make it fail. A bug is one family at one site (function, step, field); a family with
several failing inputs raises different errors from the same line (one bug each).

Placeholders: {f} the field (a noun), {F} its CamelCase, {v} a local name (renamed per release).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

MISSING = object()  # an input key left out


@dataclass(frozen=True)
class Family:
    name: str
    expr: str = ""  # the faulting expression, or
    stmt: tuple[str, ...] = ()  # the faulting statement (its last line raises)
    prep: tuple[str, ...] = ()
    extra: str = ""  # the expression with an extra argument
    good: Callable[[str], dict] = lambda f: {}
    bads: tuple[Callable[[str, int], dict], ...] = ()
    needs: tuple[str, ...] = ()
    header: tuple[str, ...] = ()  # module-level lines (formatted with {f}, {F})
    platforms: tuple[str, ...] = field(default=("web", "cli", "pipeline", "async"))


FAMILIES = [
    Family("key", expr='data["{f}"]', good=lambda f: {f: "x"},
           bads=(lambda f, n: {f: MISSING},)),
    Family("nested_key", prep=('{v} = data["{f}"]',), expr='{v}["code"]',
           good=lambda f: {f: {"code": 1}}, bads=(lambda f, n: {f: {"name": f"n{n}"}},)),
    Family("zero_div", prep=('{v} = data["{f}_items"]',), expr="sum({v}) / len({v})",
           good=lambda f: {f"{f}_items": [1, 2]}, bads=(lambda f, n: {f"{f}_items": []},)),
    Family("ratio", expr='int(data["{f}"]) // data["{f}_per"]',
           good=lambda f: {f: "6", f"{f}_per": 2},
           bads=(lambda f, n: {f: MISSING}, lambda f, n: {f: f"x{n}"},
                 lambda f, n: {f"{f}_per": 0}, lambda f, n: {f"{f}_per": None})),
    Family("int_parse", expr='int(data["{f}"])', extra='int(data["{f}"], 10)',
           good=lambda f: {f: "12"}, bads=(lambda f, n: {f: f"x{n}"},)),
    Family("float_parse", expr='float(data["{f}"])', good=lambda f: {f: "1.5"},
           bads=(lambda f, n: {f: f"{n}o"},)),
    Family("none_attr", prep=('{v} = data.get("{f}")',), expr="{v}.strip()",
           extra='{v}.strip(" ")', good=lambda f: {f: " a "}, bads=(lambda f, n: {f: None},)),
    Family("index", prep=('{v} = data["{f}_list"]',), expr="{v}[0]",
           good=lambda f: {f"{f}_list": [1]}, bads=(lambda f, n: {f"{f}_list": []},)),
    Family("concat", expr='"{f}: " + data["{f}"]', good=lambda f: {f: "a"},
           bads=(lambda f, n: {f: n},)),
    Family("not_found", prep=('{v} = data["{f}_id"]',),
           stmt=("if {v} not in KNOWN:", '    raise errors.NotFoundError(f"{f} {{{v}}} not found")'),
           good=lambda f: {f"{f}_id": 1}, bads=(lambda f, n: {f"{f}_id": 100 + n},)),
    Family("unpack", prep=('{v} = str(data["{f}"]).split(":")',), stmt=("{v}_head, {v}_tail = {v}",),
           good=lambda f: {f: "a:b"}, bads=(lambda f, n: {f: f"ab{n}"},)),
    Family("not_callable", prep=('{v} = HANDLERS.get(data["{f}_kind"])',), expr="{v}(data)",
           extra='{v}(data, "{f}")', good=lambda f: {f"{f}_kind": "default"},
           bads=(lambda f, n: {f"{f}_kind": f"k{n}"},)),
    Family("json", expr='json.loads(data["{f}_body"])',
           extra='json.loads(data["{f}_body"], parse_float=float)',
           good=lambda f: {f"{f}_body": '{"a": 1}'}, bads=(lambda f, n: {f"{f}_body": f"<html>{n}"},)),
    Family("decimal", expr='Decimal(data["{f}"])', good=lambda f: {f: "1.5"},
           bads=(lambda f, n: {f: f"{n},5"},)),
    Family("assert", prep=('{v} = data["{f}"]',),
           stmt=('assert {v} > 0, f"{f} must be positive, got {{{v}}}"',),
           good=lambda f: {f: 1}, bads=(lambda f, n: {f: -n},)),
    Family("missing_file", expr='open(data["{f}_path"]).read()',
           extra='open(data["{f}_path"], encoding="utf-8").read()',
           good=lambda f: {f"{f}_path": "/dev/null"},
           bads=(lambda f, n: {f"{f}_path": f"/var/lib/app/{f}-{n}.json"},)),
    Family("upper_on_dict", expr='data["{f}"].upper()', good=lambda f: {f: "a"},
           bads=(lambda f, n: {f: {"v": n}},)),
    Family("list_index", expr='data["{f}_list"].index(data["{f}"])',
           good=lambda f: {f"{f}_list": ["a"], f: "a"}, bads=(lambda f, n: {f: f"z{n}"},)),
    Family("timeout", prep=('{v} = data["{f}_latency"]',),
           stmt=("if {v} > LIMIT:", '    raise TimeoutError(f"{f} service timed out after {{{v}}}s")'),
           good=lambda f: {f"{f}_latency": 1}, bads=(lambda f, n: {f"{f}_latency": 30 + n},)),
    Family("permission", stmt=('if not data["{f}_allowed"]:',
                               '    raise PermissionError("not allowed to change {f}")'),
           good=lambda f: {f"{f}_allowed": True}, bads=(lambda f, n: {f"{f}_allowed": False},)),
    Family("sort_mixed", expr='sorted(data["{f}_list"])', good=lambda f: {f"{f}_list": [1, 2]},
           bads=(lambda f, n: {f"{f}_list": [1, f"a{n}"]},)),
    Family("dateutil", expr='dateutil.parser.parse(data["{f}_at"])',
           extra='dateutil.parser.parse(data["{f}_at"], dayfirst=True)',
           good=lambda f: {f"{f}_at": "2024-01-02"}, bads=(lambda f, n: {f"{f}_at": f"soon-{n}"},),
           platforms=("cli", "pipeline", "async")),
    Family("pydantic", expr='{F}Record.model_validate(data["{f}"])',
           good=lambda f: {f: {"id": 1, "name": "a"}},
           bads=(lambda f, n: {f: {"id": f"x{n}", "name": "a"}},),
           header=("class {F}Record(BaseModel):", "    id: int", "    name: str", ""),
           platforms=("web", "pipeline")),
    Family("yaml", expr='yaml.safe_load(data["{f}_yaml"])', good=lambda f: {f"{f}_yaml": "a: 1"},
           bads=(lambda f, n: {f"{f}_yaml": f"a: b: {n}"},), platforms=("cli", "pipeline")),
    Family("numpy", expr='np.asarray(data["{f}_values"], dtype=float).reshape(-1, 3)',
           good=lambda f: {f"{f}_values": [1, 2, 3]},
           bads=(lambda f, n: {f"{f}_values": list(range(4 + n % 2))},), platforms=("pipeline",)),
    Family("recordkit", expr='recordkit.coerce(data["{f}"], "int")',
           extra='recordkit.coerce(data["{f}"], "int", strict=True)', good=lambda f: {f: "3"},
           bads=(lambda f, n: {f: f"x{n}"},), platforms=("cli", "pipeline", "web")),
]

BY_NAME = {family.name: family for family in FAMILIES}

MODULE_HEADER = [
    "import json",
    "from decimal import Decimal",
    "",
    "import dateutil.parser",
    "import numpy as np",
    "import recordkit",
    "import yaml",
    "from pydantic import BaseModel",
    "",
    "from {pkg} import errors",
    "",
    "KNOWN = {{1, 2, 3}}",
    'HANDLERS = {{"default": lambda *args: 0}}',
    "LIMIT = 10",
    "",
]
