"""invoice-desk's entry-point drivers and its `Application` for lab.mine.appcode.machinery.
``python -m lab.mine.appcode.capture RELEASE OUT.json`` captures one release in a process of its
own (machinery.capture: its tree copied to var/mine/appcode/<version>, the real sentry-sdk)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lab.mine.appcode import machinery
from lab.mine.appcode.bugs import APP, BUGS, ENTRIES, VERSIONS

HERE = Path(__file__).resolve().parent
ROOT = machinery.ROOT
frameworks = machinery.frameworks


class Entries(machinery.Drivers):
    """invoice-desk's five entry points: its Flask and Django apps, Celery
    tasks, click commands and job runner, as its own processes call them."""

    def __init__(self) -> None:
        import django

        django.setup()
        from django.test import Client
        from invoicedesk import cli, jobs, tasks, web_flask

        self.flask = web_flask.app.test_client()
        self.django = Client(raise_request_exception=False)
        self.tasks, self.cli, self.jobs = tasks, cli, jobs

    def reset(self, fixture: dict) -> None:
        """Load the event's fixture and empty the outbox (imported here: only once the
        release is on sys.path)."""
        from invoicedesk import mailer, store

        store.reset(**fixture)
        mailer.OUTBOX.clear()

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


APPLICATION = machinery.Application(
    package="lab.mine.appcode", app=APP, versions=VERSIONS, bugs=BUGS, entries=ENTRIES,
    report_only=True, settings="invoicedesk.settings", drivers=Entries,
    releases=HERE / "releases")


if __name__ == "__main__":
    machinery.capture_main(APPLICATION, sys.argv[1:])
