"""The front desk's command line (click)."""

import json

import click
import sentry_sdk

from clinicdesk import booking, claims, roster, stats


@click.group()
def cli():
    pass


@cli.command("book")
@click.argument("payload")
def book_command(payload):
    click.echo(json.dumps(booking.book(json.loads(payload))))


@cli.command("cancel")
@click.argument("appointment_id", type=int)
@click.option("--reason")
def cancel_command(appointment_id, reason):
    click.echo(json.dumps(booking.cancel(appointment_id, reason)))


@cli.command("roster")
@click.argument("text")
def roster_command(text):
    click.echo(json.dumps(roster.import_roster(text)))


@cli.command("claim")
@click.argument("appointment_id", type=int)
def claim_command(appointment_id):
    click.echo(json.dumps(claims.submit_claim(appointment_id)))


@cli.command("stats")
@click.argument("name", type=click.Choice(["no-show", "busiest", "utilization"]))
@click.argument("value")
def stats_command(name, value):
    if name == "no-show":
        click.echo(stats.no_show_rate(value))
    elif name == "busiest":
        click.echo(stats.busiest_doctor(value))
    else:
        click.echo(stats.utilization(value))


def main(argv):
    try:
        return cli.main(args=argv, prog_name="clinicdesk", standalone_mode=False)
    except Exception:
        sentry_sdk.capture_exception()
        return 1
