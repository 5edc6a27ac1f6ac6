"""Run one release of invoice-desk in a process of its own, under the real sentry-sdk with the
Flask, Django and Celery integrations, and keep what the SDK sends for each planned event.

``python -m lab.mine.appcode.capture RELEASE OUT.json``. The release's source tree is copied to
``var/mine/appcode/<version>`` (so no frame of it lies under lab/, whose frames are the
harness's and dropped), then each planned event loads its fixture into the app's store and
calls one entry point: a Flask or Django test client request, an eager Celery task, the click
command line, or the scheduler's job runner.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import uuid
from importlib import metadata
from pathlib import Path

from lab.mine.appcode import plan
from lab.mine.appcode.bugs import APP, VERSIONS
from lab.mine.python.mine import _collector, tidy  # the library miner's capture, reused

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DEPLOYED_SITE = "/usr/local/lib/python3.11/site-packages"
DEPLOYED_STDLIB = "/usr/local/lib/python3.11"
FRAMEWORKS = ("celery", "click", "django", "flask", "sentry-sdk")


def deployed_root(release: int) -> str:
    return f"/srv/{APP}/releases/{VERSIONS[release]}"


def frameworks() -> dict[str, str]:
    return {name: metadata.version(name) for name in FRAMEWORKS}


def install(release: int) -> Path:
    root = ROOT / "var" / "mine" / "appcode" / VERSIONS[release]
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(HERE / "releases" / VERSIONS[release], root,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


class Entries:
    """The application's five entry points, as its own processes call them."""

    def __init__(self) -> None:
        import django

        django.setup()
        from django.test import Client
        from invoicedesk import cli, jobs, tasks, web_flask

        self.flask = web_flask.app.test_client()
        self.django = Client(raise_request_exception=False)
        self.tasks, self.cli, self.jobs = tasks, cli, jobs

    def trigger(self, entry: str, op: str, args: dict, task_id: str) -> None:
        if entry == "flask":
            self.via_flask(op, args)
        elif entry == "django":
            self.via_django(op, args)
        elif entry == "celery":
            self.via_celery(op, args, task_id)
        elif entry == "click":
            self.via_click(op, args)
        else:
            self.via_jobs(op, args)

    def via_flask(self, op: str, a: dict) -> None:
        client = self.flask
        if op == "create_invoice":
            client.post("/invoices", json=a["payload"])
        elif op == "apply_payment":
            client.post(f"/invoices/{a['invoice_id']}/payments",
                        json={"amount": a["amount"], "reference": a["reference"]})
        elif op == "refund":
            client.post(f"/invoices/{a['invoice_id']}/refunds", json={"amount": a["amount"]})
        elif op == "send_receipt":
            client.post(f"/invoices/{a['invoice_id']}/receipt")
        elif op == "import_csv":
            client.post("/imports/csv", data=a["text"], content_type="text/csv")
        elif op == "import_json":
            client.post("/imports/json", data=a["body"], content_type="application/json")
        else:
            raise ValueError(op)

    def via_django(self, op: str, a: dict) -> None:
        client = self.django
        if op == "create_invoice":
            client.post("/invoices/", data=json.dumps(a["payload"]),
                        content_type="application/json")
        elif op == "apply_payment":
            client.post(f"/invoices/{a['invoice_id']}/payments/",
                        data=json.dumps({"amount": a["amount"], "reference": a["reference"]}),
                        content_type="application/json")
        elif op == "average":
            client.get(f"/reports/average/{a['customer_id']}/")
        elif op == "top":
            client.get(f"/reports/top/{a['region']}/")
        elif op == "aging":
            client.get("/reports/aging/", {"today": a["today"]})
        else:
            raise ValueError(op)

    def via_celery(self, op: str, a: dict, task_id: str) -> None:
        task = {"create_invoice": "create_invoice_task", "apply_payment": "payment_webhook_task",
                "send_receipt": "send_receipt_task", "send_reminder": "send_reminder_task",
                "import_csv": "import_csv_task", "import_json": "import_json_task",
                "push_invoice": "push_invoice_task"}[op]
        getattr(self.tasks, task).apply_async(kwargs=a, task_id=task_id)

    def via_click(self, op: str, a: dict) -> None:
        if op == "create_invoice":
            argv = ["create-invoice", json.dumps(a["payload"])]
        elif op == "refund":
            argv = ["refund", str(a["invoice_id"])]
            argv += ["--amount", a["amount"]] if a["amount"] is not None else []
        elif op == "import_csv":
            argv = ["import-csv", a["text"]]
        elif op == "push_invoice":
            argv = ["export", str(a["invoice_id"])]
        elif op == "average":
            argv = ["report", "average", str(a["customer_id"])]
        elif op == "top":
            argv = ["report", "top", a["region"]]
        elif op == "aging":
            argv = ["report", "aging", a["today"]]
        else:
            raise ValueError(op)
        self.cli.main(argv)

    def via_jobs(self, op: str, a: dict) -> None:
        if op == "send_reminder":
            self.jobs.run("reminders", invoice_ids=[a["invoice_id"]])
        elif op == "push_invoice":
            self.jobs.run("export", invoice_ids=[a["invoice_id"]])
        elif op in ("average", "top", "aging"):
            self.jobs.run("report", **a)
        else:
            raise ValueError(op)


def capture(release: int) -> list[dict]:
    root = install(release)
    sys.path.insert(0, str(root))
    os.environ["DJANGO_SETTINGS_MODULE"] = "invoicedesk.settings"
    logging.disable(logging.CRITICAL)
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.flask import FlaskIntegration

    events, transport = _collector()
    sentry_sdk.init(
        dsn="http://public@localhost/1", transport=transport,
        release=f"{APP}@{VERSIONS[release]}", server_name=f"{APP}-1",
        default_integrations=False, auto_enabling_integrations=False,
        integrations=[FlaskIntegration(), DjangoIntegration(), CeleryIntegration()],
        project_root=str(root), include_local_variables=False,
    )
    entries = Entries()
    import flask
    from invoicedesk import mailer, store
    site = str(Path(flask.__file__).resolve().parents[1])
    stdlib = str(Path(logging.__file__).resolve().parents[1])
    unresolved = [p for p in sys.path if p.endswith("site-packages") and p != site]
    replacements = [(str(root), deployed_root(release)), (site, DEPLOYED_SITE),
                    *[(p, DEPLOYED_SITE) for p in unresolved], (stdlib, DEPLOYED_STDLIB)]
    replacements.sort(key=lambda pair: -len(pair[0]))
    out = []
    for item in plan.events(release):
        store.reset(**item["fixture"])
        mailer.OUTBOX.clear()
        before = len(events)
        task_id = str(uuid.UUID(int=item["seed"] >> 128))
        with sentry_sdk.isolation_scope():  # one request, task or command: its own scope
            entries.trigger(item["entry"], item["op"], item["args"], task_id)
        got = events[before:]
        out.append({"bug": item["bug"], "entry": item["entry"], "family": item["family"],
                    "captures": len(got),
                    "event": tidy(got[-1], replacements) if got else None})
    sentry_sdk.get_client().close()
    return out


def main(argv: list[str]) -> None:
    release, out = int(argv[0]), Path(argv[1])
    records = capture(release)
    partial = out.with_suffix(".part")
    partial.write_text(json.dumps({"frameworks": frameworks(), "events": records},
                                  sort_keys=True))
    partial.replace(out)


if __name__ == "__main__":
    main(sys.argv[1:])
