"""The Celery application; configuration comes from Django settings (CELERY_* names)."""

import gc
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")

app = Celery("faultline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def freeze_startup_heap(**_: object) -> None:
    """Leave the objects a started worker holds (Django, Celery, the apps' modules) out of the
    garbage collector's full passes: they live as long as the process, yet each full pass walked
    them all, an eighth of the ingest worker's CPU per event (docs/benchmarks.md, "The ingest
    worker's CPU per event"). In the main process once the task modules are imported, before
    the pool forks (collected first, so no garbage is kept for good): children inherit the
    frozen heap without touching it, so its pages stay shared."""
    gc.collect()
    gc.freeze()


def freeze_later_objects(**_: object) -> None:
    """What a prefork child or the started consumer made since, frozen too (not collected
    first: a few objects, and the first task need not wait for a pass)."""
    gc.freeze()


worker_init.connect(freeze_startup_heap, weak=False)
worker_process_init.connect(freeze_later_objects, weak=False)  # each prefork child, once forked
worker_ready.connect(freeze_later_objects, weak=False)  # the main process (solo, thread pools)
