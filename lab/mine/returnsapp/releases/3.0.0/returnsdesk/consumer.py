"""The carriers' webhook consumer (new in 3.0.0): deliveries are queued and drained by an
asyncio worker, so a slow carrier never holds up the request that posted them."""

import asyncio

import sentry_sdk

from returnsdesk.carriers import feed


async def _drain(queue):
    while not queue.empty():
        body = await queue.get()
        try:
            feed.import_feed(body)
        except Exception:
            sentry_sdk.capture_exception()
        finally:
            queue.task_done()


async def _consume(bodies):
    queue = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    await asyncio.gather(_drain(queue))


def deliver(*bodies):
    asyncio.run(_consume(bodies))
