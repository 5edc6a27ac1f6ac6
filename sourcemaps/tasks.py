"""Celery tasks of source map uploads (queue `default`)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from sourcemaps import upload


@shared_task(name="sourcemaps.assemble", autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, max_retries=5)
def assemble_bundle(assembly_id: int) -> str:
    return upload.run_assembly(assembly_id)
