"""The Celery application; configuration comes from Django settings (CELERY_* names)."""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")

app = Celery("faultline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def freeze_startup_heap(**_: object) -> None:
    """Leave the objects a started worker holds (Django, Celery, the apps' modules) out of the
    garbage collector's full passes: they live as long as the process, yet each full pass walked
    them all, an eighth of the ingest worker's CPU per event (docs/benchmarks.md, "The ingest
    worker's CPU per event"). Collected once first, so no garbage is kept for good."""
    gc.collect()
    gc.freeze()


worker_process_init.connect(freeze_startup_heap, weak=False)  # each prefork child, once forked
worker_ready.connect(freeze_startup_heap, weak=False)  # the main process (solo and thread pools)
