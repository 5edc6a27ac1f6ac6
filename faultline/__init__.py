"""The project package: settings, URL conf, WSGI entry point, the Celery app, `make run` and the
embedded local services. The domain apps (monitor, ingest, grouping, …) import none of it."""

from faultline.celery import app as celery_app

__all__ = ["celery_app"]
