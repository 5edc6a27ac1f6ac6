"""Write one release of a codebase's application as a package of real .py files: a repository
the records come from, one module per area holding the call sites, and an entry module per
framework (Flask routes, Django views, FastAPI endpoints, Celery tasks, click commands, asyncio
handlers) that reaches every call site.

Between releases the app changes the way deployed code does, harmlessly: lines added above
(shifting every line number), locals renamed, a call site's library call extracted into a
helper, and in the last release one module renamed (``<module>_service``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from lab.mine.python.codebases import Codebase, Site

LOCALS = ("value", "raw", "data", "incoming", "field_value", "payload")
PADS = (
    "# Release {rel}: see CHANGELOG.md",
    "SCHEMA_VERSION = {rel}",
    "_AUDIT = {{'release': {rel}}}",
    "# TODO: move the validation into the serializer",
    "DEFAULT_TIMEOUT = {rel}0",
)


def _draw(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def module_name(codebase: Codebase, module: str, release: int) -> str:
    """The module a site's area lives in at this release (the last release renames one)."""
    renamed = sorted({s.module for s in codebase.sites})[_draw(codebase.name, "rename") % 3
                                                         % len({s.module for s in codebase.sites})]
    last = release == len(codebase.versions) - 1
    return f"{module}_service" if last and module == renamed and release > 0 else module


def extracted(codebase: Codebase, site: Site, release: int) -> bool:
    return release >= 2 and _draw(codebase.name, site.name, "extract") % 3 == 0


def render_site(codebase: Codebase, site: Site, release: int) -> list[str]:
    local = LOCALS[_draw(codebase.name, site.name, release // 2) % len(LOCALS)]
    call = site.call.format(v=local)
    lines = [f"def {site.name}(record_id):",
             "    record = repository.fetch(record_id)"]
    if _draw(codebase.name, site.name, release, "pad") % 2:
        lines.append(f"    # {site.field} comes straight from the request (release {release + 1})")
    lines.append(f"    {local} = record[{site.field!r}]")
    helper = f"_{site.name}_step"
    expression = f"{helper}({local})" if extracted(codebase, site, release) else call
    if site.wrap:
        lines += ["    try:",
                  f"        return {expression}",
                  "    except Exception as exc:",
                  f"        raise errors.AppError(f'{site.name} failed for record {{record_id}}')"
                  " from exc"]
    else:
        lines.append(f"    return {expression}")
    if extracted(codebase, site, release):
        lines = [f"def {helper}({local}):", f"    return {call}", "", ""] + lines
    return lines


def render_module(codebase: Codebase, module: str, release: int) -> str:
    pads = [PADS[(_draw(codebase.name, module, release, k)) % len(PADS)].format(rel=release + 1)
            for k in range(_draw(codebase.name, module, release) % (2 + 2 * release))]
    head = [f'"""{module.replace("_", " ").title()} of {codebase.name}."""', "",
            *codebase.imports, "", f"from {codebase.package} import errors, repository", ""]
    body = [*pads, ""] if pads else []
    setup = codebase.setup.get(module)
    if setup:
        body += [setup.rstrip("\n"), "", ""]
    for site in codebase.sites:
        if site.module == module:
            body += render_site(codebase, site, release) + ["", ""]
    return "\n".join(head + [""] + body).rstrip("\n") + "\n"


def _view_name(site: Site) -> str:
    return f"{site.name}_view"


def _url(site: Site) -> str:
    return f"/{site.module}/{site.name.replace('_', '-')}"


def render_entries(codebase: Codebase, release: int) -> dict[str, str]:
    """One module per framework entry point; each reaches every call site."""
    modules = sorted({s.module for s in codebase.sites})
    imports = [f"from {codebase.package} import {module_name(codebase, m, release)} as {m}"
               for m in modules]
    files: dict[str, str] = {}
    for entry in codebase.entries:
        lines = [f'"""{entry} entry points of {codebase.name}."""', ""]
        if entry == "flask":
            lines += ["from flask import Flask, jsonify", "", *imports, "",
                      "app = Flask(__name__)", "", ""]
            for s in codebase.sites:
                lines += [f"@app.route('{_url(s)}/<int:record_id>')",
                          f"def {_view_name(s)}(record_id):",
                          f"    return jsonify(result=str({s.module}.{s.name}(record_id)))", "", ""]
        elif entry == "fastapi":
            lines += ["from fastapi import FastAPI", "", *imports, "", "app = FastAPI()", "", ""]
            for s in codebase.sites:
                lines += [f"@app.get('{_url(s)}/{{record_id}}')",
                          f"def {_view_name(s)}(record_id: int):",
                          f"    return {{'result': str({s.module}.{s.name}(record_id))}}", "", ""]
        elif entry == "django":
            lines += ["from django.http import JsonResponse", "from django.urls import path", "",
                      *imports, "", ""]
            for s in codebase.sites:
                result = f"str({s.module}.{s.name}(record_id))"
                lines += [f"def {_view_name(s)}(request, record_id):",
                          f"    return JsonResponse({{'result': {result}}})", "", ""]
            lines.append("urlpatterns = [")
            lines += [f"    path('{_url(s)[1:]}/<int:record_id>', {_view_name(s)}),"
                      for s in codebase.sites]
            lines.append("]")
        elif entry == "celery":
            lines += ["from celery import Celery", "", *imports, "",
                      f"app = Celery('{codebase.package}', broker='memory://', backend='cache+memory://')",
                      "app.conf.task_always_eager = True", "", ""]
            for s in codebase.sites:
                lines += [f"@app.task(name='{codebase.package}.{s.name}')",
                          f"def {s.name}_task(record_id):",
                          f"    return str({s.module}.{s.name}(record_id))", "", ""]
        elif entry == "click":
            lines += ["import click", "import sentry_sdk", "", *imports, "", "",
                      "@click.group()", "def cli():", "    pass", "", ""]
            for s in codebase.sites:
                lines += [f"@cli.command('{s.name.replace('_', '-')}')",
                          "@click.argument('record_id', type=int)",
                          f"def {s.name}_command(record_id):",
                          f"    click.echo({s.module}.{s.name}(record_id))", "", ""]
            lines += ["def main(argv):",
                      "    try:",
                      f"        return cli.main(args=argv, prog_name='{codebase.name}',"
                      " standalone_mode=False)",
                      "    except Exception:",
                      "        sentry_sdk.capture_exception()",
                      "        return 1"]
        elif entry == "asyncio":
            lines += ["import asyncio", "",
                      "from sentry_sdk.integrations.asyncio import enable_asyncio_integration", "",
                      *imports, "", ""]
            for s in codebase.sites:
                lines += [f"async def on_{s.name}(record_id):",
                          "    await asyncio.sleep(0)",
                          f"    return {s.module}.{s.name}(record_id)", "", ""]
            lines += ["async def consume(jobs):",
                      "    enable_asyncio_integration()",
                      "    tasks = [asyncio.create_task(globals()[f'on_{name}'](record_id))",
                      "             for name, record_id in jobs]",
                      "    return await asyncio.gather(*tasks, return_exceptions=True)"]
        files[f"{entry}_entry.py"] = "\n".join(lines).rstrip("\n") + "\n"
    return files


def render_release(codebase: Codebase, release: int) -> dict[str, str]:
    files = {
        "__init__.py": f'"""{codebase.name}: an application around {codebase.library}."""\n',
        "repository.py": '"""Where records come from (a store the deployment fills)."""\n\n'
                         "STORE = {}\n\n\ndef fetch(record_id):\n    return STORE[record_id]\n",
        "errors.py": '"""The application\'s own errors."""\n\n\nclass AppError(Exception):\n'
                     '    """A step failed; the cause is chained."""\n',
    }
    for module in sorted({s.module for s in codebase.sites}):
        files[f"{module_name(codebase, module, release)}.py"] = render_module(
            codebase, module, release)
    files.update(render_entries(codebase, release))
    return files


def write_release(codebase: Codebase, release: int, root: Path) -> Path:
    """Write the package under root; returns root (the project root the SDK is given)."""
    if root.exists():
        shutil.rmtree(root)
    for name, text in render_release(codebase, release).items():
        path = root / codebase.package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
