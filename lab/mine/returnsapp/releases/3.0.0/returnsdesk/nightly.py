"""Nightly jobs, run as asyncio tasks by the ops scheduler; a failed job is reported and the
night goes on."""

import asyncio

import sentry_sdk

from returnsdesk import receiving, refunds, restock
from returnsdesk.carriers import feed
from returnsdesk.reports import daily


async def dock_backlog(scans):
    return [receiving.receive(scan) for scan in scans]


async def pending_refunds(rma_ids):
    return [refunds.issue_refund(rma_id) for rma_id in rma_ids]


async def restock_graded(moves):
    return [restock.put_away(rma_id, bin_code) for rma_id, bin_code in moves]


async def carrier_sync(text):
    return feed.import_feed(text)


async def daily_report(which):
    return daily.average_refund() if which == "average-refund" else daily.return_rate()


JOBS = {"dock": dock_backlog, "refunds": pending_refunds, "restock": restock_graded,
        "carriers": carrier_sync, "report": daily_report}


def run(name, **kwargs):
    try:
        return asyncio.run(JOBS[name](**kwargs))
    except Exception:
        sentry_sdk.capture_exception()
        return None
