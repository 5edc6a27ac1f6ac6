"""Event payloads in an S3-compatible bucket (FAULTLINE_PAYLOAD_STORE=s3), through boto3, the
maintained AWS client that MinIO, Ceph and the clouds' S3 endpoints all speak.

Objects are keyed by the day the event was received, `<prefix>YYYY/MM/DD/<event id>.zst`, so
retention deletes a dropped partition's days by prefix, and row deletes (erasure, an issue's
deletion) leave orphan rows that `sweep_orphans` turns into object deletes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

StoreError = (BotoCoreError, ClientError)
DELETE_BATCH = 1000  # the most keys one DeleteObjects takes
WRITERS = 8


@functools.cache
def _client():
    return boto3.client(
        "s3",
        endpoint_url=settings.FAULTLINE_PAYLOAD_S3_ENDPOINT or None,
        region_name=settings.FAULTLINE_PAYLOAD_S3_REGION or None,
        config=Config(retries={"max_attempts": 3, "mode": "standard"},
                      connect_timeout=5, read_timeout=30),
    )


def reset() -> None:
    """Forget the client (settings changed: tests, a reconfigured process)."""
    _client.cache_clear()


def _bucket() -> str:
    return settings.FAULTLINE_PAYLOAD_S3_BUCKET


def day_prefix(day: dt.date) -> str:
    return f"{settings.FAULTLINE_PAYLOAD_S3_PREFIX}{day:%Y/%m/%d}/"


def key_for(event_pk: int, received: dt.datetime) -> str:
    return f"{day_prefix(received.astimezone(dt.UTC).date())}{event_pk}.zst"


def put_many(items: Sequence[tuple[str, bytes]]) -> None:
    """Write every object or raise: a few in parallel, as a batch of events has many."""
    if not items:
        return
    client, bucket = _client(), _bucket()

    def put(item: tuple[str, bytes]) -> None:
        client.put_object(Bucket=bucket, Key=item[0], Body=item[1])

    with ThreadPoolExecutor(min(WRITERS, len(items))) as pool:
        list(pool.map(put, items))


def get(key: str) -> bytes | None:
    try:
        return _client().get_object(Bucket=_bucket(), Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise


def delete(keys: Sequence[str]) -> None:
    client, bucket = _client(), _bucket()
    for start in range(0, len(keys), DELETE_BATCH):
        chunk = keys[start:start + DELETE_BATCH]
        client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk],
                                                     "Quiet": True})


def _keys_under(prefix: str) -> Iterator[str]:
    pages = _client().get_paginator("list_objects_v2").paginate(Bucket=_bucket(), Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", ()):
            yield item["Key"]


def delete_days(start: dt.datetime, end: dt.datetime) -> int:
    """Delete every object of the days in [start, end) (a dropped partition); returns count."""
    total = 0
    day = start.astimezone(dt.UTC).date()
    while dt.datetime.combine(day, dt.time(), dt.UTC) < end:
        keys = list(_keys_under(day_prefix(day)))
        delete(keys)
        total += len(keys)
        day += dt.timedelta(days=1)
    return total
