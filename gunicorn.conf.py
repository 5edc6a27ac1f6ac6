"""Gunicorn settings for Faultline's web process (env overrides for each)."""

import os

bind = os.environ.get("FAULTLINE_BIND", "127.0.0.1:8000")
worker_class = "gthread"  # threads keep SDK connections alive between events
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 10
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
wsgi_app = "faultline.wsgi:application"
# Several gunicorns (make run, tests, benchmarks) share a machine: no shared control socket.
control_socket_disable = True
