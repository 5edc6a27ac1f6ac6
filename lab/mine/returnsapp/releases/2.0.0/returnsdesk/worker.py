"""Celery tasks: returns from the marketplace feed, dock scans, refunds, restocking, feeds."""

from celery import Celery

from returnsdesk import carrier_feed, receiving, refunds, restock, rma

app = Celery("returnsdesk", broker="memory://", backend="cache+memory://")
app.conf.task_always_eager = True


@app.task(name="returns.open")
def open_return(payload):
    return rma.open_return(payload)


@app.task(name="returns.receive")
def receive(scan):
    return receiving.receive(scan)


@app.task(name="returns.refund")
def refund(rma_id):
    return refunds.issue_refund(rma_id)


@app.task(name="returns.restock")
def put_away(rma_id, bin_code):
    return restock.put_away(rma_id, bin_code)


@app.task(name="returns.feed")
def carrier_events(text):
    return carrier_feed.import_feed(text)
