"""``returnsctl``: the support team's command line."""

import json

import click
import sentry_sdk

from returnsdesk import labels, refunds
from returnsdesk.carriers import feed
from returnsdesk.reports import daily
from returnsdesk.returns import create, grading


@click.group()
def returnsctl():
    """Returns Desk support tools."""


@returnsctl.command("open")
@click.argument("payload")
def open_command(payload):
    click.echo(json.dumps(create.create_return(json.loads(payload))))


@returnsctl.command("grade")
@click.argument("rma_id")
@click.argument("report")
def grade_command(rma_id, report):
    click.echo(json.dumps(grading.grade_return(rma_id, json.loads(report))))


@returnsctl.command("refund")
@click.argument("rma_id")
def refund_command(rma_id):
    click.echo(json.dumps(refunds.issue_refund(rma_id)))


@returnsctl.command("label")
@click.argument("order_id", type=int)
def label_command(order_id):
    click.echo(json.dumps(labels.build_label(order_id)))


@returnsctl.command("feed")
@click.argument("path_or_text")
def feed_command(path_or_text):
    click.echo(len(feed.import_feed(path_or_text)))


@returnsctl.command("report")
@click.argument("which", type=click.Choice(["average-refund", "return-rate"]))
def report_command(which):
    if which == "average-refund":
        click.echo(daily.average_refund())
    else:
        click.echo(daily.return_rate())


def main(argv):
    try:
        return returnsctl.main(args=argv, prog_name="returnsctl", standalone_mode=False)
    except Exception:
        sentry_sdk.capture_exception()
        return 1
