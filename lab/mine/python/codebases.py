"""The codebases: each is a small application around one real PyPI library (installed at three
or four released versions), with call sites that pass a record's field to the library, the
frameworks its entry points run on, and the families of bad inputs its users send.

Nothing here says which input fails where: the miner runs every (call site, input class) at
every version and keeps what raises (``mine.py``, ``assemble.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Input = Callable[[int], Any]


@dataclass(frozen=True)
class Site:
    """One app function that reads ``record[field]`` and hands it to the library."""

    module: str
    name: str
    field: str
    call: str  # a Python expression over {v}, the local that holds the field's value
    wrap: bool = False  # the app catches the library's error and raises its own from it


@dataclass(frozen=True)
class Codebase:
    name: str
    package: str
    library: str  # the PyPI distribution under test
    versions: tuple[tuple[str, tuple[str, ...]], ...]  # (version, pip requirements)
    entries: tuple[str, ...]  # flask | django | fastapi | celery | click | asyncio
    imports: tuple[str, ...]
    sites: tuple[Site, ...]
    inputs: dict[str, Input]
    setup: dict[str, str] = field(default_factory=dict)  # module → code after its imports
    stable_path: bool = False  # deployed at one path (/app) rather than per-release folders

    def release(self, index: int) -> str:
        return f"{self.name}@{self.versions[index][0]}"


def _pins(library: str, versions: list[str], *extra: dict[str, str]) -> tuple:
    """Each version with its requirement, plus per-version extra pins where old releases need
    an old dependency to import at all."""
    out = []
    for version in versions:
        reqs = [f"{library}=={version}"]
        for pins in extra:
            if version in pins:
                reqs.append(pins[version])
        out.append((version, tuple(reqs)))
    return tuple(out)


# Bad values real traffic carries into any call site, drawn per event from n.
GENERIC: dict[str, Input] = {
    "none": lambda n: None,
    "number": lambda n: n,
    "negative": lambda n: -n,
    "fraction": lambda n: n + 0.5,
    "empty": lambda n: "",
    "blank": lambda n: " " * (1 + n % 3),
    "garbage": lambda n: f"#{n}?%~",
    "bytes": lambda n: b"\xff\xfe" + str(n).encode(),
    "list": lambda n: [n, f"item-{n}"],
    "mapping": lambda n: {"id": n},
    "huge": lambda n: 10 ** (30 + n % 7),
}


def inputs(**specific: Input) -> dict[str, Input]:
    return {**GENERIC, **specific}


def S(module: str, name: str, field: str, call: str, wrap: bool = False) -> Site:  # noqa: N802
    return Site(module, name, field, call, wrap)


# hook-relay's upstream: a mock transport, so no request leaves the process
UPSTREAM = (
    "def _upstream(request):\n"
    "    path = request.url.path\n"
    "    if path.startswith('/status/'):\n"
    "        segment = path.rsplit('/', 1)[-1]\n"
    "        code = int(segment) if segment.isdigit() else 422\n"
    "        return httpx.Response(code if 200 <= code < 600 else 502,"
    " text='upstream status')\n"
    "    if path == '/echo':\n"
    "        return httpx.Response(200, content=request.read(),"
    " headers={'Content-Type': 'application/json'})\n"
    "    return httpx.Response(200, json={'accepted': True, 'path': path})\n\n\n"
    "CLIENT = httpx.Client(base_url='https://hooks.example.com',"
    " transport=httpx.MockTransport(_upstream))\n"
)


CODEBASES: list[Codebase] = [
    Codebase(
        "config-loader", "configloader", "PyYAML",
        _pins("PyYAML", ["6.0", "6.0.1", "6.0.2", "6.0.3"]),
        ("click", "asyncio"),
        ("import yaml",),
        (
            S("settings", "load_settings", "settings", "yaml.safe_load({v})"),
            S("settings", "load_overrides", "overrides", "yaml.load({v}, Loader=yaml.SafeLoader)"),
            S("settings", "read_feature_flags", "flags", "yaml.safe_load({v})['flags']"),
            S("fixtures", "import_fixtures", "fixtures", "list(yaml.safe_load_all({v}))"),
            S("fixtures", "load_seed_data", "seed", "yaml.full_load({v})"),
            S("fixtures", "count_documents", "stream", "sum(1 for _ in yaml.compose_all({v}))"),
            S("manifests", "parse_manifest", "manifest", "yaml.safe_load({v})", wrap=True),
            S("manifests", "dump_manifest", "manifest", "yaml.safe_dump({{'spec': {v}}})"),
            S("manifests", "render_export", "export",
              "yaml.dump({v}, Dumper=yaml.SafeDumper, default_flow_style=False)"),
            S("manifests", "scan_tokens", "source", "[t for t in yaml.scan({v})]"),
        ),
        inputs(
            unclosed=lambda n: f"key: [1, {n}",
            nested_colon=lambda n: f"a: b: {n}",
            tab=lambda n: f"\tkey: {n}",
            mixed=lambda n: f"- a\nb: {n}",
            alias=lambda n: f"x: *missing{n}",
            python_tag=lambda n: f"!!python/object/apply:os.getpid ['{n}']",
            brace=lambda n: f"{{a: {n}",
            quote=lambda n: f"key: 'unterminated {n}",
            directive=lambda n: f"%YAML 9.{n}\n---\na: 1",
            bad_int=lambda n: f"a: !!int 'x{n}'",
            obj=lambda n: object(),
            doc=lambda n: f"a: {n}\n---\n- [",
        ),
    ),
    Codebase(
        "shift-planner", "shiftplanner", "python-dateutil",
        _pins("python-dateutil", ["2.7.5", "2.8.0", "2.8.2", "2.9.0.post0"]),
        ("django", "click"),
        ("from dateutil import easter, parser, relativedelta, rrule, tz",),
        (
            S("shifts", "parse_shift_start", "start", "parser.parse({v})"),
            S("shifts", "parse_shift_end", "end", "parser.parse({v}, dayfirst=True)"),
            S("shifts", "parse_clock_in", "clock_in", "parser.isoparse({v})"),
            S("shifts", "fuzzy_note_date", "note", "parser.parse({v}, fuzzy=True)"),
            S("rota", "expand_rota", "rule", "list(rrule.rrulestr({v}))[:5]"),
            S("rota", "shift_offset", "months", "relativedelta.relativedelta(months={v})"),
            S("rota", "holiday_easter", "year", "easter.easter({v})"),
            S("rota", "local_zone", "zone", "parser.parse('2024-03-01 10:00').replace("
              "tzinfo=tz.gettz({v})).utcoffset()"),
            S("payroll", "payday", "payday", "parser.parse({v}).date().isoformat()", wrap=True),
            S("payroll", "period_between", "since",
              "relativedelta.relativedelta(parser.parse('2024-01-01'), {v})"),
        ),
        inputs(
            month13=lambda n: f"2024-13-{n % 28 + 1}",
            hour99=lambda n: f"{n % 24}:99",
            feb30=lambda n: f"30/02/{2000 + n % 30}",
            words=lambda n: f"next tuesday {n}",
            iso_bad=lambda n: f"2024-02-30T{n % 24}:00",
            bad_freq=lambda n: f"FREQ=SOMETIMES;COUNT={n}",
            bad_byday=lambda n: f"RRULE:FREQ=DAILY;BYDAY=XX{n}",
            zone_str=lambda n: f"Mars/Olympus{n}",
            far_year=lambda n: f"{n}0000-01-01",
        ),
    ),
    Codebase(
        "mail-templates", "mailtemplates", "Jinja2",
        _pins("Jinja2", ["3.0.3", "3.1.2", "3.1.4", "3.1.6"]),
        ("celery", "asyncio"),
        ("import jinja2",),
        (
            S("compose", "render_subject", "subject", "jinja2.Template({v}).render(user='ana')"),
            S("compose", "render_body", "body", "ENV.from_string({v}).render(order={{'id': 7}})"),
            S("compose", "render_total", "total", "TOTAL.render(total={v})"),
            S("compose", "render_items", "items", "ITEMS.render(items={v})"),
            S("layouts", "pick_layout", "layout", "ENV.get_template({v}).render()"),
            S("layouts", "render_user_card", "user", "CARD.render(user={v})"),
            S("layouts", "render_size", "size", "SIZE.render(size={v})"),
            S("digest", "render_digest", "digest", "STRICT.from_string({v}).render()", wrap=True),
            S("digest", "render_batch", "per_row", "BATCH.render(rows=range(9), per={v})"),
            S("digest", "render_signature", "signature", "jinja2.Template({v}).render()"),
        ),
        inputs(
            open_var=lambda n: f"Hello {{{{ name {n}",
            for_empty=lambda n: f"{{% for x in %}}{n}{{% endfor %}}",
            stray_end=lambda n: f"{n} {{% endif %}}",
            plus=lambda n: f"{{{{ {n} + }}}}",
            dup_block=lambda n: (f"{{% block a %}}{n}{{% endblock %}}"
                                 "{% block a %}{% endblock %}"),
            no_filter=lambda n: f"{{{{ x|nosuchfilter{n} }}}}",
            undefined=lambda n: f"{{{{ missing_{n}.field }}}}",
            text=lambda n: f"total-{n}",
            zero_div=lambda n: f"{{{{ {n} // 0 }}}}",
            obj=lambda n: object(),
        ),
        {
            "compose": "ENV = jinja2.Environment(loader=jinja2.DictLoader({'base.html': 'x'}))\n"
                       "TOTAL = jinja2.Template('{{ total|round(2) }} EUR')\n"
                       "ITEMS = jinja2.Template('{{ items|join(\", \") }}')\n",
            "layouts": "ENV = jinja2.Environment(loader=jinja2.DictLoader({'card.html': 'x'}),"
                       " undefined=jinja2.StrictUndefined)\n"
                       "CARD = ENV.from_string('{{ user.name|upper }} <{{ user.email }}>')\n"
                       "SIZE = jinja2.Template('{{ size|filesizeformat }}')\n",
            "digest": "STRICT = jinja2.Environment(undefined=jinja2.StrictUndefined)\n"
                      "BATCH = jinja2.Template("
                      "'{% for r in rows|batch(per) %}{{ r }}{% endfor %}')\n",
        },
    ),
    Codebase(
        "signup-api", "signupapi", "marshmallow",
        _pins("marshmallow", ["3.0.0", "3.13.0", "3.20.1", "3.26.1"]),
        ("flask", "celery"),
        ("from marshmallow import Schema, fields, validate",),
        (
            S("accounts", "register_user", "form", "UserSchema().load({v})"),
            S("accounts", "update_profile", "form", "UserSchema(partial=True).load({v})"),
            S("accounts", "import_users", "rows", "UserSchema(many=True).load({v})"),
            S("accounts", "parse_signup_json", "raw", "UserSchema().loads({v})"),
            S("addresses", "add_address", "address", "AddressSchema().load({v})"),
            S("addresses", "validate_address", "address", "AddressSchema().validate({v})['zip']"),
            S("addresses", "export_address", "address", "AddressSchema().dump({v})"),
            S("billing", "set_plan", "plan", "PlanSchema().load({{'plan': {v}, 'seats': 3}})"),
            S("billing", "set_seats", "seats",
              "PlanSchema().load({{'plan': 'pro', 'seats': {v}}})"),
            S("billing", "set_renewal", "renewal", "PlanSchema().load({{'plan': 'pro', 'seats': 1,"
              " 'renews': {v}}})", wrap=True),
        ),
        inputs(
            missing_email=lambda n: {"name": f"user{n}", "age": n % 90},
            bad_email=lambda n: {"email": f"user{n}", "name": "x", "age": 3},
            old=lambda n: {"email": f"u{n}@example.com", "name": "x", "age": 200 + n},
            unknown=lambda n: {"email": f"u{n}@example.com", "name": "x", "nick": n},
            json_bad=lambda n: f"{{'email': {n}",
            plan_name=lambda n: f"platinum-{n}",
            zip_letters=lambda n: {"street": "Main", "zip": f"AB{n}"},
            date_text=lambda n: f"{n}-99-99",
            obj=lambda n: object(),
        ),
        {
            "accounts": "class UserSchema(Schema):\n"
                        "    email = fields.Email(required=True)\n"
                        "    name = fields.Str(required=True)\n"
                        "    age = fields.Int(validate=validate.Range(min=0, max=150))\n",
            "addresses": "class AddressSchema(Schema):\n"
                         "    street = fields.Str(required=True)\n"
                         "    zip = fields.Str(validate=validate.Regexp(r'^[0-9]{5}$'))\n",
            "billing": "class PlanSchema(Schema):\n"
                       "    plan = fields.Str(validate=validate.OneOf(['free', 'pro']))\n"
                       "    seats = fields.Int(required=True, strict=True)\n"
                       "    renews = fields.Date()\n",
        },
    ),
    Codebase(
        "orders-api", "ordersapi", "pydantic",
        _pins("pydantic", ["1.10.13", "1.10.19", "2.5.3", "2.9.2"]),
        ("flask", "click"),
        ("import pydantic", "from typing import List, Optional"),
        (
            S("orders", "create_order", "order", "Order.parse_obj({v})"),
            S("orders", "create_order_from_json", "body", "Order.parse_raw({v})"),
            S("orders", "order_total", "order", "Order.parse_obj({v}).total()"),
            S("orders", "quick_order", "order", "Order(sku='A-1', quantity={v}, price=1.5)"),
            S("customers", "add_customer", "customer", "Customer.parse_obj({v})"),
            S("customers", "customer_email", "email", "Customer(name='ana', email={v})"),
            S("customers", "merge_customer", "patch", "Customer(name='ana', email='a@b.c')"
              ".copy(update={v}).dict()['name'].upper()"),
            S("shipping", "quote_shipping", "quote", "Quote.parse_obj({v})", wrap=True),
            S("shipping", "shipping_weight", "weight", "Quote(weight={v}, zone='eu')"),
            S("shipping", "shipping_zone", "zone", "Quote(weight=2, zone={v})"),
        ),
        inputs(
            no_sku=lambda n: {"quantity": n, "price": 2.5},
            text_qty=lambda n: {"sku": f"A-{n}", "quantity": f"many{n}", "price": 1},
            neg_price=lambda n: {"sku": f"A-{n}", "quantity": 1, "price": -n},
            json_bad=lambda n: f'{{"sku": "A-{n}", ',
            json_list=lambda n: f"[{n}]",
            zone_bad=lambda n: f"mars-{n}",
            weight_text=lambda n: f"{n}kg",
            obj=lambda n: object(),
        ),
        {
            "orders": "class Order(pydantic.BaseModel):\n"
                      "    sku: str\n"
                      "    quantity: int\n"
                      "    price: float\n"
                      "    note: Optional[str] = None\n\n"
                      "    @pydantic.validator('price')\n"
                      "    def price_positive(cls, value):\n"
                      "        if value < 0:\n"
                      "            raise ValueError('price must not be negative')\n"
                      "        return value\n\n"
                      "    def total(self):\n"
                      "        return self.quantity * self.price\n",
            "customers": "class Customer(pydantic.BaseModel):\n"
                         "    name: str\n"
                         "    email: str\n"
                         "    tags: List[str] = []\n",
            "shipping": "class Quote(pydantic.BaseModel):\n"
                        "    weight: float\n"
                        "    zone: str\n\n"
                        "    @pydantic.validator('zone')\n"
                        "    def known_zone(cls, value):\n"
                        "        assert value in ('eu', 'us', 'asia'), f'unknown zone {value}'\n"
                        "        return value\n",
        },
    ),
    Codebase(
        "link-checker", "linkchecker", "requests",
        _pins("requests", ["2.25.1", "2.28.2", "2.31.0", "2.32.3"]),
        ("celery", "click"),
        ("import requests",),
        (
            S("crawl", "fetch_page", "url", "requests.get({v}, timeout=2)"),
            S("crawl", "check_head", "url", "requests.head({v}, timeout=2)"),
            S("crawl", "prepare_request", "url", "requests.Request('GET', {v}).prepare()"),
            S("crawl", "fetch_with_params", "params",
              "SESSION.get('fixture://api/search', params={v})"),
            S("webhooks", "post_webhook", "payload",
              "SESSION.post('fixture://hooks/in', json={v})"),
            S("webhooks", "webhook_status", "status", "fixture_response({v}).raise_for_status()"),
            S("webhooks", "webhook_reply", "body", "fixture_body({v}).json()"),
            S("webhooks", "send_headers", "token",
              "SESSION.get('fixture://api/me', headers={{'Authorization': {v}}})"),
            S("sitemap", "fetch_sitemap", "port", "requests.get('http://localhost:' + str({v})"
              " + '/sitemap.xml', timeout=2)", wrap=True),
            S("sitemap", "fetch_local", "port", "requests.get(f'http://127.0.0.1:{{{v}}}/',"
              " timeout=2)"),
        ),
        inputs(
            no_scheme=lambda n: f"example.com/page/{n}",
            bad_scheme=lambda n: f"gopher{n}://example.com/",
            bad_host=lambda n: f"http://exa mple{n}.com:port/",
            no_host=lambda n: f"http:///{n}",
            closed_port=lambda n: "http://127.0.0.1:1/",
            status=lambda n: 400 + n % 104,
            html=lambda n: f"<html>{n}</html>",
            header_nl=lambda n: f"Bearer {n}\nX-Evil: 1",
            obj=lambda n: object(),
        ),
        {
            "webhooks": "class FixtureAdapter(requests.adapters.BaseAdapter):\n"
                        "    def send(self, request, **kwargs):\n"
                        "        return fixture_response(200, request)\n\n"
                        "    def close(self):\n"
                        "        pass\n\n\n"
                        "def fixture_response(status, request=None, body=b'{}'):\n"
                        "    response = requests.Response()\n"
                        "    response.status_code = status\n"
                        "    response._content = body\n"
                        "    response.url = 'fixture://hooks/in'\n"
                        "    response.reason = 'Fixture'\n"
                        "    response.request = request\n"
                        "    return response\n\n\n"
                        "def fixture_body(body):\n"
                        "    return fixture_response(200, body=body if isinstance(body, bytes) "
                        "else str(body).encode())\n\n\n"
                        "SESSION = requests.Session()\n"
                        "SESSION.mount('fixture://', FixtureAdapter())\n",
            "crawl": "from linkchecker.webhooks import SESSION\n",
        },
    ),
    Codebase(
        "release-bot", "releasebot", "packaging",
        _pins("packaging", ["20.9", "21.3", "22.0", "24.2"],
              {"20.9": "pyparsing==2.4.7", "21.3": "pyparsing==3.0.9"}),
        ("flask", "click"),
        ("from packaging import markers, requirements, specifiers, tags, utils, version",),
        (
            S("versions", "parse_release", "tag", "version.Version({v})"),
            S("versions", "compare_release", "tag", "version.parse({v}) > version.Version('1.0')"),
            S("versions", "release_epoch", "tag", "version.parse({v}).epoch + 1"),
            S("versions", "canonical_tag", "tag", "utils.canonicalize_version({v})"),
            S("deps", "parse_requirement", "line", "requirements.Requirement({v})"),
            S("deps", "parse_constraint", "spec", "specifiers.SpecifierSet({v})"),
            S("deps", "single_constraint", "spec", "specifiers.Specifier({v})"),
            S("deps", "allowed", "candidate", "specifiers.SpecifierSet('>=1.0').contains({v})"),
            S("platforms", "parse_marker", "marker", "markers.Marker({v})"),
            S("platforms", "evaluate_marker", "env",
              "markers.Marker('python_version >= \"3\"').evaluate({v})"),
            S("platforms", "parse_wheel_tag", "tag", "sorted(tags.parse_tag({v}))", wrap=True),
        ),
        inputs(
            words=lambda n: f"release-candidate-{n}",
            dotted=lambda n: f"1..{n}",
            req_bad=lambda n: f"requests >>= {n}",
            req_url=lambda n: f"pkg @ {n}",
            spec_bad=lambda n: f"~{n}",
            marker_bad=lambda n: f"python_version >>> '{n}'",
            marker_var=lambda n: f"os_flavour{n} == 'x'",
            env_partial=lambda n: {"python_version": f"3.{n}"},
            local=lambda n: f"1.0+local..{n}",
        ),
    ),
    Codebase(
        "version-gate", "versiongate", "semver",
        _pins("semver", ["2.13.0", "3.0.0", "3.0.2", "3.0.4"]),
        ("fastapi", "asyncio"),
        ("import semver",),
        (
            S("gates", "parse_client_version", "client", "semver.VersionInfo.parse({v})"),
            S("gates", "compare_to_minimum", "client", "semver.compare({v}, '1.4.0')"),
            S("gates", "check_range", "rule", "semver.match('1.4.2', {v})"),
            S("gates", "newest_of", "other", "semver.max_ver('1.4.2', {v})"),
            S("bumps", "bump_minor_of", "current", "semver.bump_minor({v})"),
            S("bumps", "finalize", "current", "semver.finalize_version({v})"),
            S("bumps", "build_version", "major", "str(semver.VersionInfo({v}, 2, 0))"),
            S("bumps", "next_prerelease", "current", "semver.bump_prerelease({v})"),
            S("channels", "channel_of", "client", "semver.parse({v})['prerelease']", wrap=True),
            S("channels", "same_major", "client",
              "semver.VersionInfo.parse('2.0.0').compare({v})"),
        ),
        inputs(
            two_parts=lambda n: f"1.{n}",
            v_prefix=lambda n: f"v1.{n}.0",
            rule_bad=lambda n: f"=>1.{n}.0",
            rule_op=lambda n: f"~{n}",
            leading=lambda n: f"01.{n}.0",
            dash=lambda n: f"1.2.3-{n}..x",
        ),
    ),
    Codebase(
        "cron-board", "cronboard", "croniter",
        _pins("croniter", ["1.0.15", "1.4.1", "2.0.7", "3.0.4"]),
        ("django", "asyncio"),
        ("from datetime import datetime", "import croniter as croniter_lib",
         "from croniter import croniter"),
        (
            S("jobs", "next_run", "expr", "croniter({v}, BASE).get_next(datetime)"),
            S("jobs", "previous_run", "expr", "croniter({v}, BASE).get_prev(datetime)"),
            S("jobs", "runs_at", "expr", "croniter.match({v}, BASE)"),
            S("jobs", "schedule_from", "start", "croniter('*/5 * * * *', {v}).get_next(datetime)"),
            S("jobs", "expand_fields", "expr", "croniter.expand({v})[0]"),
            S("windows", "runs_between", "end", "list(croniter_lib.croniter_range(BASE, {v},"
              " '0 * * * *'))[:3]"),
            S("windows", "window_runs", "expr", "list(croniter_lib.croniter_range(BASE,"
              " datetime(2024, 1, 2), {v}))[:3]", wrap=True),
            S("windows", "next_n", "count", "[croniter('0 0 * * *', BASE).get_next(datetime)"
              " for _ in range({v})][-1]"),
        ),
        inputs(
            short=lambda n: "* * *",
            minute61=lambda n: f"{60 + n % 30} * * * *",
            step0=lambda n: "*/0 * * * *",
            nick=lambda n: f"@yearlyish{n}",
            range_bad=lambda n: f"1-{n + 60} * * * *",
            words=lambda n: f"every {n} minutes",
            day_bad=lambda n: f"0 0 {32 + n % 9} * *",
            dow_bad=lambda n: f"0 0 * * mon-{n}",
        ),
        {"jobs": "BASE = datetime(2024, 1, 1, 12, 0)\n",
         "windows": "BASE = datetime(2024, 1, 1, 12, 0)\n"},
    ),
    Codebase(
        "search-dsl", "searchdsl", "pyparsing",
        _pins("pyparsing", ["2.4.7", "3.0.9", "3.1.2", "3.2.0"]),
        ("flask", "asyncio"),
        ("import pyparsing as pp",),
        (
            S("query", "parse_query", "q", "QUERY.parseString({v}, parseAll=True)"),
            S("query", "parse_term", "q", "TERM.parseString({v}, parseAll=True)"),
            S("query", "parse_range", "q", "RANGE.parseString({v}, parseAll=True)"),
            S("query", "first_number", "q", "NUMBER.parseString({v})[0]"),
            S("filters", "parse_filter", "f", "FILTER.parseString({v}, parseAll=True)"),
            S("filters", "parse_sort", "sort", "SORT.parseString({v}, parseAll=True)[0]"),
            S("filters", "parse_limit", "limit", "LIMIT.parseString({v}, parseAll=True)[0]",
              wrap=True),
            S("filters", "scan_tags", "text", "[t for t, s, e in TAG.scanString({v})][0]"),
        ),
        inputs(
            open_paren=lambda n: f"(price:{n} AND",
            dangling=lambda n: f"name:{n} OR OR",
            colon=lambda n: "name:",
            range_open=lambda n: f"price:[{n} TO",
            quote=lambda n: f'"unterminated {n}',
            sort_bad=lambda n: f"price sideways{n}",
            limit_bad=lambda n: f"limit {n}x",
            limit_big=lambda n: f"limit {10 ** 6 + n}",
            no_tags=lambda n: f"plain words {n}",
        ),
        {
            "query": "WORD = pp.Word(pp.alphanums + '_-')\n"
                     "NUMBER = pp.Word(pp.nums).setParseAction(lambda t: int(t[0]))\n"
                     "TERM = pp.Group(WORD + pp.Suppress(':') + (pp.QuotedString('\"') | WORD))\n"
                     "RANGE = pp.Group(WORD + pp.Suppress(':[') + NUMBER + pp.Suppress('TO')"
                     " + NUMBER + pp.Suppress(']'))\n"
                     "QUERY = pp.infixNotation(TERM | RANGE, [(pp.CaselessKeyword('AND'), 2,"
                     " pp.opAssoc.LEFT), (pp.CaselessKeyword('OR'), 2, pp.opAssoc.LEFT)])\n",
            "filters": "def _limit(tokens):\n"
                       "    value = int(tokens[0])\n"
                       "    if value > 1000:\n"
                       "        raise pp.ParseFatalException('', 0, f'limit {value} over 1000')\n"
                       "    return value\n\n\n"
                       "FIELD = pp.Word(pp.alphas)\n"
                       "FILTER = FIELD + pp.oneOf('= != < >') + pp.Word(pp.alphanums)\n"
                       "SORT = FIELD + pp.oneOf('asc desc')\n"
                       "LIMIT = pp.Suppress('limit') + pp.Word(pp.nums).setParseAction(_limit)\n"
                       "TAG = pp.Suppress('#') + pp.Word(pp.alphas)\n",
        },
    ),
    Codebase(
        "query-gateway", "querygateway", "jmespath",
        _pins("jmespath", ["0.9.5", "0.10.0", "1.0.0", "1.0.1"]),
        ("fastapi", "click"),
        ("import jmespath",),
        (
            S("select", "select_fields", "expr", "jmespath.search({v}, DOC)"),
            S("select", "compile_saved_query", "expr", "jmespath.compile({v})"),
            S("select", "count_items", "doc", "jmespath.search('length(items)', {v})"),
            S("select", "sum_prices", "doc", "jmespath.search('sum(items[].price)', {v})"),
            S("reports", "sort_report", "doc", "jmespath.search('sort_by(items, &price)', {v})"),
            S("reports", "top_price", "doc", "jmespath.search('max_by(items, &price).price', {v})"),
            S("reports", "as_number", "doc", "jmespath.search('to_number(@) + `1`', {v})",
              wrap=True),
            S("reports", "user_filter", "expr", "jmespath.search('items[?' + {v} + ']', DOC)"),
        ),
        inputs(
            lex=lambda n: f"items[{n}",
            bad_token=lambda n: f"items.#{n}",
            unknown_fn=lambda n: f"nosuch{n}(items)",
            arity=lambda n: f"length(items, `{n}`)",
            mixed=lambda n: {"items": [{"price": n}, {"price": f"{n}"}]},
            strings=lambda n: {"items": "abc"},
            nulls=lambda n: {"items": [{"price": None}, {"price": n}]},
            filter_bad=lambda n: f"price >> `{n}`",
        ),
        {"select": "DOC = {'items': [{'price': 3, 'name': 'a'}]}\n",
         "reports": "DOC = {'items': [{'price': 3, 'name': 'a'}]}\n"},
    ),
    Codebase(
        "patch-service", "patchservice", "jsonpatch",
        _pins("jsonpatch", ["1.26", "1.32", "1.33", "1.40"],
              {"1.26": "jsonpointer==2.0", "1.32": "jsonpointer==2.3",
               "1.33": "jsonpointer==2.4"}),
        ("django", "asyncio"),
        ("import jsonpatch", "import jsonpointer"),
        (
            S("documents", "apply_user_patch", "patch", "jsonpatch.apply_patch(doc(), {v})"),
            S("documents", "apply_saved_patch", "patch", "jsonpatch.JsonPatch({v}).apply(doc())"),
            S("documents", "patch_from_text", "text", "jsonpatch.JsonPatch.from_string({v})"
              ".apply(doc())"),
            S("documents", "diff_documents", "other", "jsonpatch.make_patch(doc(), {v})"
              ".patch[0]['op']"),
            S("pointers", "read_field", "pointer", "jsonpointer.resolve_pointer(doc(), {v})"),
            S("pointers", "write_field", "pointer", "jsonpointer.set_pointer(doc(), {v}, 1)"),
            S("pointers", "pointer_parts", "pointer", "jsonpointer.JsonPointer({v}).parts",
              wrap=True),
            S("pointers", "apply_in_place", "patch",
              "jsonpatch.apply_patch(doc(), {v}, in_place=True)"),
        ),
        inputs(
            remove_missing=lambda n: [{"op": "remove", "path": f"/missing{n}"}],
            bad_op=lambda n: [{"op": f"frobnicate{n}", "path": "/a"}],
            no_path=lambda n: [{"op": "add", "value": n}],
            test_fail=lambda n: [{"op": "test", "path": "/a", "value": n}],
            index_out=lambda n: [{"op": "replace", "path": f"/list/{9 + n}", "value": 1}],
            move_missing=lambda n: [{"op": "move", "from": f"/x{n}", "path": "/y"}],
            text_bad=lambda n: f'[{{"op": "add", "path": "/a", {n}',
            pointer_rel=lambda n: f"a/b{n}",
            pointer_escape=lambda n: f"/a~{n % 7 + 2}",
            pointer_deep=lambda n: f"/list/{n}/x",
        ),
        {"documents": "def doc():\n    return {'a': 1, 'list': [1, 2, 3], 'obj': {'k': 'v'}}\n",
         "pointers": "def doc():\n    return {'a': 1, 'list': [1, 2, 3], 'obj': {'k': 'v'}}\n"},
    ),
    Codebase(
        "feed-importer", "feedimporter", "xmltodict",
        _pins("xmltodict", ["0.11.0", "0.12.0", "0.13.0", "0.14.2"]),
        ("celery", "click"),
        ("import xmltodict",),
        (
            S("feeds", "parse_feed", "xml", "xmltodict.parse({v})"),
            S("feeds", "feed_title", "xml", "xmltodict.parse({v})['rss']['channel']['title']"),
            S("feeds", "parse_namespaced", "xml", "xmltodict.parse({v}, process_namespaces=True)"),
            S("feeds", "parse_items", "xml",
              "xmltodict.parse({v}, force_list=('item',))['rss']['item'][0]"),
            S("export", "export_feed", "doc", "xmltodict.unparse({v})"),
            S("export", "export_pretty", "doc", "xmltodict.unparse({v}, pretty=True)"),
            S("export", "import_podcast", "xml", "xmltodict.parse({v})", wrap=True),
            S("export", "stream_items", "xml", "xmltodict.parse({v}, item_depth=2,"
              " item_callback=lambda path, item: True)"),
        ),
        inputs(
            unclosed=lambda n: f"<rss><channel>{n}</rss>",
            open_tag=lambda n: f"<a>{n}",
            text=lambda n: f"not xml {n}",
            two_roots=lambda n: f"<a>{n}</a><b/>",
            dup_attr=lambda n: f"<a x='{n}' x='2'/>",
            entity=lambda n: f"<a>&bogus{n};</a>",
            prefix=lambda n: f"<ns{n}:a>1</ns{n}:a>",
            multi_root=lambda n: {"a": n, "b": 1},
            no_root=lambda n: {},
            no_channel=lambda n: f"<rss><item>{n}</item></rss>",
        ),
    ),
    Codebase(
        "settings-editor", "settingseditor", "tomlkit",
        _pins("tomlkit", ["0.7.2", "0.11.8", "0.12.5", "0.13.2"]),
        ("flask", "click"),
        ("import tomlkit",),
        (
            S("documents", "parse_settings", "text", "tomlkit.parse({v})"),
            S("documents", "tool_section", "text", "tomlkit.parse({v})['tool']"),
            S("documents", "load_project", "text", "tomlkit.loads({v})['project']['name']"),
            S("documents", "save_settings", "data", "tomlkit.dumps({v})"),
            S("edits", "add_key", "key", "tomlkit.parse('a = 1').add({v}, 2)"),
            S("edits", "set_value", "value", "tomlkit.item({v})"),
            S("edits", "append_table", "key", "tomlkit.parse('[x]\\nb = 1').append({v}, 1)"),
            S("edits", "merge_settings", "text", "tomlkit.parse('a = 1').update("
              "tomlkit.parse({v}))", wrap=True),
        ),
        inputs(
            unclosed=lambda n: f"a = {{{n}",
            table=lambda n: f"[table\nx = {n}",
            dup=lambda n: f"a = 1\na = {n}",
            quote=lambda n: f"x = 'unterminated {n}",
            dotted=lambda n: f"a.b = 1\na = {n}",
            array_table=lambda n: f"[[arr]]\nx = {n}\n[arr]",
            key_a=lambda n: "a",
            key_x=lambda n: "x",
            obj=lambda n: object(),
        ),
    ),
    Codebase(
        "contact-book", "contactbook", "email-validator",
        _pins("email-validator", ["1.1.3", "1.3.1", "2.0.0", "2.2.0"]),
        ("django", "click"),  # FastAPI's models would import this very library
        ("from email_validator import validate_email",),
        (
            S("contacts", "normalize_address", "email",
              "validate_email({v}, check_deliverability=False).email"),
            S("contacts", "ascii_address", "email",
              "validate_email({v}, check_deliverability=False, allow_smtputf8=False)"
              ".ascii_email"),
            S("contacts", "address_domain", "email",
              "validate_email({v}, check_deliverability=False).domain"),
            S("invites", "check_invitee", "email", "validate_email({v},"
              " check_deliverability=False)", wrap=True),
            S("invites", "local_part", "email",
              "validate_email({v}, check_deliverability=False).local_part.lower()"),
            S("imports", "import_contact", "email",
              "validate_email({v}, check_deliverability=False, allow_empty_local=False)"),
            S("imports", "strict_import", "email", "validate_email({v},"
              " check_deliverability=False, globally_deliverable=True)"),
        ),
        inputs(
            no_at=lambda n: f"no-at-sign-{n}",
            no_dot=lambda n: f"user{n}@localhost",
            no_domain=lambda n: f"user{n}@",
            no_local=lambda n: f"@example{n}.com",
            double_dot=lambda n: f"user..{n}@example.com",
            unicode=lambda n: f"ü{n}@example.com",
            too_long=lambda n: "a" * (65 + n % 20) + "@example.com",
            hyphen=lambda n: f"user{n}@-bad.com",
            space=lambda n: f"user {n}@example.com",
            reserved=lambda n: f"user{n}@example.invalid",
        ),
    ),
    Codebase(
        "event-calendar", "eventcalendar", "arrow",
        _pins("arrow", ["0.15.8", "0.17.0", "1.2.3", "1.3.0"]),
        ("django", "asyncio"),
        ("import arrow",),
        (
            S("events", "parse_event_start", "start", "arrow.get({v})"),
            S("events", "parse_event_day", "day", "arrow.get({v}, 'YYYY-MM-DD')"),
            S("events", "event_in_zone", "zone", "arrow.get('2024-05-01T10:00:00').to({v})"),
            S("events", "event_local_day", "zone", "arrow.get('2024-05-01', tzinfo={v})"),
            S("reminders", "remind_before", "unit",
              "arrow.get('2024-05-01').shift(**{{{v}: -1}})"),
            S("reminders", "humanized", "locale",
              "arrow.get('2024-05-01').humanize(arrow.get('2024-06-01'), locale={v})"),
            S("reminders", "span_of", "frame", "arrow.get('2024-05-01').span({v})"),
            S("reminders", "occurrences", "frame", "list(arrow.Arrow.range({v},"
              " arrow.get('2024-05-01'), arrow.get('2024-05-03')))", wrap=True),
            S("events", "format_start", "fmt", "arrow.get('2024-05-01').format({v}).upper()"),
        ),
        inputs(
            words=lambda n: f"not a date {n}",
            month13=lambda n: f"2024-13-{n % 28 + 1}",
            slashes=lambda n: f"{n % 28 + 1}/31/2024",
            zone=lambda n: f"Mars/Phobos{n}",
            locale=lambda n: f"xx_{n}",
            unit=lambda n: f"fortnight{n}",
            plural=lambda n: "weeks",
        ),
    ),
    Codebase(
        "schema-registry", "schemaregistry", "jsonschema",
        _pins("jsonschema", ["3.2.0", "4.17.3", "4.21.1", "4.23.0"]),
        ("flask", "celery"),
        ("import jsonschema",),
        (
            S("registry", "validate_payload", "payload", "jsonschema.validate({v}, ORDER)"),
            S("registry", "validate_event", "payload", "jsonschema.validate({v}, EVENT)"),
            S("registry", "register_schema", "schema",
              "jsonschema.Draft7Validator.check_schema({v})"),
            S("registry", "validate_against", "schema", "jsonschema.validate({{'a': 1}}, {v})"),
            S("refs", "resolve_reference", "ref",
              "jsonschema.validate({{'a': 1}}, {{'$ref': {v}}})"),
            S("refs", "first_error", "payload",
              "next(jsonschema.Draft7Validator(ORDER).iter_errors({v})).message.upper()"),
            S("refs", "strict_validate", "payload", "jsonschema.Draft7Validator(ORDER,"
              " format_checker=jsonschema.FormatChecker()).validate({v})", wrap=True),
        ),
        inputs(
            no_id=lambda n: {"total": n},
            neg_total=lambda n: {"id": n, "total": -n},
            extra=lambda n: {"id": n, "total": 1, f"x{n}": 1},
            bad_type=lambda n: {"id": f"{n}", "total": 1},
            schema_type=lambda n: {"type": f"integerish{n}"},
            schema_min=lambda n: {"minimum": f"{n}"},
            ref_missing=lambda n: f"#/definitions/missing{n}",
            ref_remote=lambda n: f"mem://schemas/{n}.json",
            bad_email=lambda n: {"id": n, "total": 1, "email": f"user{n}"},
        ),
        {
            "registry": "ORDER = {'type': 'object', 'required': ['id', 'total'],"
                        " 'additionalProperties': False, 'properties': {'id': {'type':"
                        " 'integer'}, 'total': {'type': 'number', 'minimum': 0}, 'email':"
                        " {'type': 'string', 'format': 'email'}}}\n"
                        "EVENT = {'type': 'object', 'properties': {'id': {'type': 'integer'}},"
                        " 'required': ['id', 'kind']}\n",
            "refs": "from schemaregistry.registry import ORDER\n",
        },
    ),
    Codebase(
        "reports-db", "reportsdb", "SQLAlchemy",
        _pins("SQLAlchemy", ["1.4.46", "1.4.54", "2.0.23", "2.0.36"]),
        ("flask", "click"),
        ("import sqlalchemy as sa", "from sqlalchemy import orm"),
        (
            S("queries", "run_report", "sql", "SESSION.execute(sa.text({v})).fetchall()"),
            S("queries", "report_by_id", "report_id",
              "SESSION.query(Report).filter(Report.id == {v}).one()"),
            S("queries", "report_by_name", "name",
              "SESSION.query(Report).filter_by(name={v}).one().id"),
            S("queries", "filter_reports", "column", "SESSION.query(Report).filter_by("
              "**{{{v}: 1}}).all()"),
            S("writes", "add_report", "name", "save(Report(id=1, name={v}))"),
            S("writes", "rename_report", "name",
              "save(Report(id=99, name={v}, owner='x'))", wrap=True),
            S("writes", "connect_warehouse", "url", "sa.create_engine({v})"),
            S("writes", "order_reports", "column",
              "SESSION.query(Report).order_by(sa.text({v})).all()"),
        ),
        inputs(
            syntax=lambda n: f"SELEC * FROM reports WHERE id = {n}",
            no_table=lambda n: f"SELECT * FROM missing_{n}",
            no_col=lambda n: f"nosuchcolumn{n}",
            url_bad=lambda n: f"not-a-url-{n}",
            url_dialect=lambda n: f"nosuchdb{n}://host/db",
            dup=lambda n: "quarterly",
            many=lambda n: "shared",
            obj=lambda n: object(),
        ),
        {
            "queries": "from reportsdb.writes import SESSION, Report\n",
            "writes": "Base = orm.declarative_base()\n\n\n"
                      "class Report(Base):\n"
                      "    __tablename__ = 'reports'\n"
                      "    id = sa.Column(sa.Integer, primary_key=True)\n"
                      "    name = sa.Column(sa.String, nullable=False)\n"
                      "    owner = sa.Column(sa.String)\n\n\n"
                      "ENGINE = sa.create_engine('sqlite://')\n"
                      "Base.metadata.create_all(ENGINE)\n"
                      "with ENGINE.begin() as connection:\n"
                      "    connection.execute(Report.__table__.insert(), [{'id': 1, 'name':"
                      " 'quarterly'}, {'id': 2, 'name': 'shared'}, {'id': 3, 'name': 'shared'}])\n"
                      "SESSION = orm.Session(ENGINE)\n\n\n"
                      "def save(report):\n"
                      "    try:\n"
                      "        SESSION.add(report)\n"
                      "        SESSION.commit()\n"
                      "    except Exception:\n"
                      "        SESSION.rollback()\n"
                      "        raise\n",
        },
    ),
    Codebase(
        "duration-api", "durationapi", "isodate",
        _pins("isodate", ["0.6.0", "0.6.1", "0.7.2"]),
        ("fastapi", "click"),
        ("import isodate", "from datetime import datetime"),
        (
            S("durations", "parse_duration", "duration", "isodate.parse_duration({v})"),
            S("durations", "duration_seconds", "duration",
              "isodate.parse_duration({v}).total_seconds()"),
            S("durations", "format_duration", "duration", "isodate.duration_isoformat({v})"),
            S("durations", "add_duration", "duration",
              "datetime(2024, 1, 31) + isodate.parse_duration({v})"),
            S("stamps", "parse_timestamp", "stamp", "isodate.parse_datetime({v})"),
            S("stamps", "parse_day", "day", "isodate.parse_date({v})"),
            S("stamps", "parse_clock", "clock", "isodate.parse_time({v})"),
            S("stamps", "parse_offset", "offset", "isodate.parse_tzinfo({v})", wrap=True),
            S("stamps", "format_stamp", "stamp", "isodate.datetime_isoformat({v})"),
        ),
        inputs(
            words=lambda n: f"about {n} minutes",
            no_p=lambda n: f"T{n}M",
            bad_unit=lambda n: f"P{n}X",
            month_frac=lambda n: f"P1.{n}M",
            date_bad=lambda n: f"2024-13-{n % 28 + 1}",
            week_bad=lambda n: f"2024-W{60 + n % 30}",
            time_bad=lambda n: f"25:{n % 60:02d}",
            offset_bad=lambda n: f"+{n}:99",
            stamp_t=lambda n: f"2024-01-01X{n % 24}:00",
        ),
    ),
    Codebase(
        "build-config", "buildconfig", "tomli",
        _pins("tomli", ["1.2.3", "2.0.1", "2.1.0", "2.2.1"]),
        ("flask", "asyncio"),
        ("import tomli",),
        (
            S("project", "load_pyproject", "text", "tomli.loads({v})"),
            S("project", "project_name", "text", "tomli.loads({v})['project']['name']"),
            S("project", "load_lockfile", "raw", "tomli.load(io.BytesIO({v}))"),
            S("project", "tool_settings", "text", "tomli.loads({v}).get('tool', {{}})['ruff']",
              wrap=True),
            S("overrides", "parse_override", "text", "tomli.loads('x = 1\\n' + {v})"),
            S("overrides", "parse_float_setting", "text", "tomli.loads({v},"
              " parse_float=decimal.Decimal)"),
            S("overrides", "parse_inline", "text", "tomli.loads('inline = ' + {v})"),
        ),
        inputs(
            unclosed=lambda n: f"a = {{{n}",
            table=lambda n: f"[table\nx = {n}",
            dup=lambda n: f"a = 1\na = {n}",
            quote=lambda n: f"x = 'unterminated {n}",
            dotted=lambda n: f"a.b = 1\na = {n}",
            no_value=lambda n: f"key{n} =",
            bad_date=lambda n: f"d = 2024-13-{n % 28 + 1}",
            leading_zero=lambda n: f"n = 0{n}",
            raw_bytes=lambda n: f"a = 'x{n}'".encode("utf-16"),
        ),
        {"project": "import io\n", "overrides": "import decimal\n"},
    ),
    Codebase(
        "phone-directory", "phonedirectory", "phonenumbers",
        _pins("phonenumbers", ["8.13.26", "8.13.40", "8.13.55", "9.0.15"]),
        ("django", "celery"),
        ("import phonenumbers", "from phonenumbers import carrier, geocoder, timezone"),
        (
            S("numbers", "parse_number", "phone", "phonenumbers.parse({v}, 'GB')"),
            S("numbers", "parse_international", "phone", "phonenumbers.parse({v}, None)"),
            S("numbers", "format_e164", "phone", "phonenumbers.format_number("
              "phonenumbers.parse({v}, 'US'), phonenumbers.PhoneNumberFormat.E164)"),
            S("numbers", "region_default", "region", "phonenumbers.parse('020 7946 0018', {v})"),
            S("lookup", "number_region", "phone",
              "geocoder.description_for_number(phonenumbers.parse({v}, 'DE'), 'en')"),
            S("lookup", "number_carrier", "phone",
              "carrier.name_for_number(phonenumbers.parse({v}, 'FR'), 'en')", wrap=True),
            S("lookup", "number_zones", "phone",
              "timezone.time_zones_for_number(phonenumbers.parse({v}, 'AU'))"),
            S("lookup", "example_for", "region",
              "phonenumbers.format_number(phonenumbers.example_number({v}),"
              " phonenumbers.PhoneNumberFormat.INTERNATIONAL)"),
        ),
        inputs(
            letters=lambda n: f"call-me-{n}",
            short=lambda n: f"{n % 9}",
            long=lambda n: "1" * (20 + n % 10),
            plus_bad=lambda n: f"+999 {n}",
            region_bad=lambda n: f"Q{n % 9}",
            region_lower=lambda n: "zz",
        ),
    ),
    Codebase(
        "typed-config", "typedconfig", "cattrs",
        _pins("cattrs", ["1.10.0", "22.2.0", "23.2.3", "24.1.2"]),
        ("celery", "asyncio"),
        ("import attr", "import cattr", "from typing import Dict, List, Optional"),
        (
            S("models", "load_service", "service", "CONVERTER.structure({v}, Service)"),
            S("models", "load_services", "services", "CONVERTER.structure({v}, List[Service])"),
            S("models", "load_limits", "limits", "CONVERTER.structure({v}, Dict[str, int])"),
            S("models", "load_port", "port", "CONVERTER.structure({{'name': 'api', 'port': {v}}},"
              " Service)"),
            S("models", "dump_service", "service", "CONVERTER.unstructure({v}, Service)['name']"),
            S("models", "load_replicas", "replicas",
              "CONVERTER.structure({v}, Optional[List[int]])",
              wrap=True),
            S("models", "load_mode", "mode", "CONVERTER.structure({v}, Mode)"),
        ),
        inputs(
            no_port=lambda n: {"name": f"svc{n}"},
            text_port=lambda n: {"name": "api", "port": f"p{n}"},
            limits_text=lambda n: {"cpu": f"{n}m"},
            list_bad=lambda n: [{"name": f"svc{n}"}],
            mode_bad=lambda n: f"turbo{n}",
            obj=lambda n: object(),
        ),
        {"models": "import enum\n\n\n"
                   "class Mode(enum.Enum):\n"
                   "    FAST = 'fast'\n"
                   "    SAFE = 'safe'\n\n\n"
                   "@attr.s(auto_attribs=True)\n"
                   "class Service:\n"
                   "    name: str\n"
                   "    port: int\n"
                   "    tags: List[str] = attr.Factory(list)\n\n\n"
                   "CONVERTER = cattr.Converter()\n"},
    ),
    Codebase(
        "hook-relay", "hookrelay", "httpx",
        _pins("httpx", ["0.18.2", "0.22.0", "0.25.2", "0.28.1"]),
        ("celery", "asyncio"),  # not FastAPI: its test client brings an httpx of its own
        ("import httpx",),
        (
            S("delivery", "deliver_hook", "url",
              "CLIENT.post({v}, json={{'event': 'ping'}}).status_code"),
            S("delivery", "fetch_callback", "callback", "CLIENT.get({v}).raise_for_status()"),
            S("delivery", "resolve_endpoint", "endpoint",
              "str(httpx.URL('https://hooks.example.com/v1/').join({v}))"),
            S("delivery", "forward_payload", "payload",
              "CLIENT.post('/ingest', json={v}).json()['accepted']", wrap=True),
            S("signing", "sign_headers", "secret",
              "CLIENT.get('/ping', headers={{'X-Hook-Secret': {v}}}).status_code"),
            S("signing", "build_query", "filters",
              "str(CLIENT.build_request('GET', '/events', params={v}).url)"),
            S("signing", "session_cookie", "session",
              "CLIENT.build_request('GET', '/me', cookies={v}).headers.get('cookie')"),
            S("signing", "request_timeout", "timeout", "httpx.Timeout({v}).read"),
            S("upstream", "check_status", "status",
              "CLIENT.get('/status/' + str({v})).raise_for_status()", wrap=True),
            S("upstream", "read_reply", "body", "CLIENT.post('/echo', content={v}).json()"),
            S("upstream", "upload_attachment", "attachment",
              "CLIENT.post('/upload', files={{'file': {v}}}).status_code"),
            S("upstream", "decode_reply", "charset",
              "httpx.Response(200, content=b'caf\\xc3\\xa9', headers={{'Content-Type':"
              " 'text/plain; charset=' + str({v})}}).text"),
        ),
        inputs(
            no_scheme=lambda n: f"hooks.example.com/{n}",
            bad_scheme=lambda n: f"ftp://files.example.com/{n}",
            bad_port=lambda n: f"https://api.example.com:{70000 + n}/x",
            ipv6=lambda n: f"http://[::1{n}/",
            space=lambda n: f"https://exa mple.com/{n}",
            empty_host=lambda n: "https://",
            newline=lambda n: f"token-{n}\r\nX-Injected: 1",
            json_text=lambda n: f'{{"accepted": {n}',
            pairs=lambda n: [("page", n), ("tag", None)],
            charset_bad=lambda n: f"x-unknown-{n}",
            obj=lambda n: object(),
        ),
        {module: UPSTREAM for module in ("delivery", "signing", "upstream")},
    ),
    Codebase(
        "price-formatter", "priceformatter", "Babel",
        _pins("Babel", ["2.7.0", "2.10.3", "2.12.1", "2.19.0"]),
        ("fastapi", "click"),
        ("from datetime import datetime", "from decimal import Decimal",
         "from babel import Locale, dates, lists, numbers, plural, units"),
        (
            S("pricing", "parse_price", "price", "numbers.parse_decimal({v}, locale='de_DE')"),
            S("pricing", "parse_quantity", "quantity", "numbers.parse_number({v}, locale='en_US')"),
            S("pricing", "format_price", "amount",
              "numbers.format_currency({v}, 'EUR', locale='fr_FR')"),
            S("pricing", "format_total", "currency",
              "numbers.format_currency(Decimal('19.99'), {v}, locale='en_US')", wrap=True),
            S("pricing", "format_ratio", "ratio", "numbers.format_percent({v}, locale='es_ES')"),
            S("pricing", "price_pattern", "pattern",
              "numbers.format_decimal(1234.5, format={v}, locale='en_US')"),
            S("schedule", "parse_delivery_date", "delivery",
              "dates.parse_date({v}, locale='en_US')"),
            S("schedule", "parse_cutoff", "cutoff", "dates.parse_time({v}, locale='de_DE')"),
            S("schedule", "store_zone", "zone", "dates.get_timezone({v})", wrap=True),
            S("schedule", "format_eta", "eta_pattern",
              "dates.format_datetime(datetime(2024, 5, 1, 9, 30), {v}, locale='en_GB')"),
            S("schedule", "format_wait", "seconds", "dates.format_timedelta({v}, locale='nl_NL')"),
            S("storefront", "storefront_locale", "locale", "Locale.parse({v}).display_name",
              wrap=True),
            S("storefront", "language_label", "language",
              "Locale.parse('en_US').get_display_name({v})"),
            S("storefront", "unit_label", "unit", "units.format_unit(3, {v}, locale='en')"),
            S("storefront", "join_tags", "tags", "lists.format_list({v}, locale='pt_BR')"),
            S("storefront", "plural_rule", "rule", "plural.PluralRule({{'one': {v}}}).rules"),
        ),
        inputs(
            thousands=lambda n: f"{n},{n % 1000:03d}.5",
            spaced=lambda n: f"{n} 000,5",
            currency_text=lambda n: f"EUR {n}",
            exp=lambda n: f"{n}e9999",
            slash_date=lambda n: f"{n % 28 + 1}/13/2024",
            word_date=lambda n: f"tomorrow {n}",
            time_bad=lambda n: f"{n % 24}:{n % 60}:99",
            zone_bad=lambda n: f"Europe/Atlantis{n}",
            locale_bad=lambda n: f"xx_{n}",
            locale_dash=lambda n: f"en-US-{n}",
            pattern_bad=lambda n: f"#,##0.{n}'",
            unit_bad=lambda n: f"length-parsec{n}",
            rule_bad=lambda n: f"n is {n} or",
            currency_bad=lambda n: f"E{n}",
            obj=lambda n: object(),
        ),
    ),
]

BY_NAME = {codebase.name: codebase for codebase in CODEBASES}
FASTAPI = ("fastapi==0.115.6",)  # with its starlette and pydantic, in its own site folder
