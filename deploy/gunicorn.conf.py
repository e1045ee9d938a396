"""gunicorn settings shared by `make demo` and production (override by flags)."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = 60
graceful_timeout = 10
accesslog = os.environ.get("GUNICORN_ACCESSLOG", None)
errorlog = "-"
