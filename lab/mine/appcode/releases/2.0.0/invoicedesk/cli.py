"""The operators' command line (click)."""

import json

import click
import sentry_sdk

from invoicedesk import billing, export, imports, reports


@click.group()
def cli():
    pass


@cli.command("create-invoice")
@click.argument("payload")
def create_invoice_command(payload):
    click.echo(json.dumps(billing.create_invoice(json.loads(payload))))


@cli.command("void")
@click.argument("invoice_id", type=int)
def void_command(invoice_id):
    click.echo(json.dumps(billing.void(invoice_id)))


@cli.command("refund")
@click.argument("invoice_id", type=int)
@click.option("--amount")
def refund_command(invoice_id, amount):
    click.echo(json.dumps(billing.refund(invoice_id, amount)))


@cli.command("import-csv")
@click.argument("text")
def import_csv_command(text):
    click.echo(json.dumps(imports.import_csv(text)))


@cli.command("export")
@click.argument("invoice_id", type=int)
def export_command(invoice_id):
    click.echo(json.dumps(export.push_invoice(invoice_id)))


@cli.command("report")
@click.argument("name", type=click.Choice(["average", "top", "aging"]))
@click.argument("value")
def report_command(name, value):
    if name == "average":
        click.echo(reports.average_invoice(int(value)))
    elif name == "top":
        click.echo(reports.top_customer(value))
    else:
        click.echo(json.dumps(reports.aging(value)))


def main(argv):
    try:
        return cli.main(args=argv, prog_name="invoicedesk", standalone_mode=False)
    except Exception:
        sentry_sdk.capture_exception()
        return 1
